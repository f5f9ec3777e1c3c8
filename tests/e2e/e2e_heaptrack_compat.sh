#!/usr/bin/env bash
# e2e_heaptrack_compat: heaptrack_print's and heaptrack_gui's command lines.
#  1. heaptrack_print's boolean options (-l -a -p -T -m -t
#     --print-suppressions) in every form heaptrack_print takes: alone,
#     "-l 1" / "--print-leaks 1" (the separate value), "-l1",
#     "--print-leaks=1", with 1|0 true|false yes|no on|off in any case;
#  2. heaptrack_gui with several files (the guide's `heaptrack_gui
#     heaptrack.*.zst` after two runs): a page for each, as heaptrack_gui
#     opens a window for each; opened in $BROWSER only with a display;
#  3. heaptrack_gui and `sonde flamegraph --open` start $BROWSER alike.
. "$(dirname "$0")/lib.sh"

"$SONDE" shims "$T/bin" >/dev/null 2>&1 || { fail heaptrack_compat_shims "sonde shims failed"; exit 0; }
export PATH="$T/bin:$PATH"
build_fx heap_basic heap_basic.c || { fail heaptrack_compat_fixture "cannot build heap_basic"; exit 0; }
(cd "$T" && heaptrack -o "$T/a.zst" "$FIX/heap_basic" >/dev/null 2>&1 && heaptrack -o "$T/b.zst" "$FIX/heap_basic" >/dev/null 2>&1)
[ -s "$T/a.zst" ] && [ -s "$T/b.zst" ] || { fail heaptrack_compat_traces "heaptrack made no traces"; exit 0; }

# sections FILE: the section titles printed, on one line
sections() { grep -E '^(MOST CALLS TO ALLOCATION FUNCTIONS|PEAK MEMORY CONSUMERS|MEMORY LEAKS|MOST TEMPORARY ALLOCATIONS)$' "$1" | sed 's/ .*//' | tr '\n' ' '; }
ALL="MOST PEAK MEMORY MOST "   # allocators, peaks, leaks, temporaries
DEF="MOST PEAK MOST "          # the default: no leaks

# form|sections wanted
cases=("-l 1|$ALL" "--print-leaks 1|$ALL" "-l true|$ALL" "-l YES|$ALL" "--print-leaks on|$ALL" "-l1|$ALL"
	"-lyes|$ALL" "--print-leaks=1|$ALL" "-l|$ALL" "--print-leaks|$ALL" "-l 0|$DEF" "--print-leaks off|$DEF"
	"--print-leaks=false|$DEF" "-l no|$DEF" "-a 0|PEAK MOST " "-a off -p no|MOST " "-p 0 -T 0 -l 1|MOST MEMORY "
	"--print-allocators false --print-peaks 0 --print-temporary=no|" "-T0 -p0|MOST " "-a -p -T|$DEF"
	"-m 0 -t 1|$DEF" "--merge-backtraces 1 --shorten-templates off|$DEF" "--print-suppressions 1|$DEF"
	"-l -a 0|PEAK MEMORY MOST ")
bad=""
for c in "${cases[@]}"; do
	form=${c%%|*} want=${c#*|}
	read -r -a words <<<"$form"
	# the file first and last: a value never swallows it
	for order in before after; do
		if [ $order = before ]; then
			rc=$(run_rc "$T/p" heaptrack_print "$T/a.zst" "${words[@]}")
		else
			rc=$(run_rc "$T/p" heaptrack_print "${words[@]}" "$T/a.zst")
		fi
		got=$(sections "$T/p.out")
		[ "$rc" = 0 ] && [ "$got" = "$want" ] || bad="$bad [$form ($order the file): exit $rc, sections '$got' want '$want' $(first_lines "$T/p.err" 1)]"
	done
done
if [ -z "$bad" ]; then pass heaptrack_print_bool_forms; else fail heaptrack_print_bool_forms "$bad"; fi
# a value heaptrack_print refuses is refused, with its choices
rc=$(run_rc "$T/pb" heaptrack_print "$T/a.zst" --print-leaks=maybe)
rc2=$(run_rc "$T/pb2" heaptrack_print "$T/a.zst" -lx)
if [ "$rc" != 0 ] && grep -q "'maybe'.*'--print-leaks'.*'on|off'" "$T/pb.err" && [ "$rc2" != 0 ]; then
	pass heaptrack_print_bool_invalid
else
	fail heaptrack_print_bool_invalid "exit $rc/$rc2: $(first_lines "$T/pb.err")"
fi
# heaptrack --analyze passes them on
rc=$(run_rc "$T/an" heaptrack --analyze "$T/a.zst" -l 1)
if [ "$rc" = 0 ] && [ "$(sections "$T/an.out")" = "$ALL" ]; then
	pass heaptrack_analyze_bool_forms
else
	fail heaptrack_analyze_bool_forms "exit $rc, sections '$(sections "$T/an.out")': $(first_lines "$T/an.err")"
fi

# ---- 2. heaptrack_gui ----
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >>"%s/browser.args"\n' "$T" >"$T/fakebrowser"
chmod +x "$T/fakebrowser"
# several files, with a display: a page each, each opened
rm -f "$T/browser.args"
rc=$(cd "$T" && DISPLAY=:99 WAYLAND_DISPLAY= BROWSER="$T/fakebrowser" run_rc "$T/g2" heaptrack_gui "$T/a.zst" "$T/b.zst" </dev/null)
for _ in $(seq 20); do [ "$( { wc -l <"$T/browser.args"; } 2>/dev/null)" = 2 ] && break; sleep 0.2; done
if [ "$rc" = 0 ] && [ -s "$T/a.zst.html" ] && [ -s "$T/b.zst.html" ] &&
	[ "$(sort "$T/browser.args" 2>/dev/null | tr '\n' ' ')" = "$T/a.zst.html $T/b.zst.html " ] &&
	[ "$(grep -c "opening it with $T/fakebrowser" "$T/g2.err")" = 2 ]; then
	pass heaptrack_gui_several_files
else
	fail heaptrack_gui_several_files "exit $rc, pages: $(ls "$T" | grep -c "zst.html"), browser got '$(tr '\n' ' ' <"$T/browser.args" 2>/dev/null)': $(first_lines "$T/g2.err")"
fi
# Wayland alone is a display too
rm -f "$T/browser.args"
rc=$(DISPLAY= WAYLAND_DISPLAY=wayland-0 BROWSER="$T/fakebrowser" run_rc "$T/g3" heaptrack_gui "$T/a.zst" </dev/null)
for _ in $(seq 20); do [ -s "$T/browser.args" ] && break; sleep 0.2; done
if [ "$rc" = 0 ] && [ "$(cat "$T/browser.args" 2>/dev/null)" = "$T/a.zst.html" ]; then
	pass heaptrack_gui_wayland
else
	fail heaptrack_gui_wayland "exit $rc, browser got '$(cat "$T/browser.args" 2>/dev/null)': $(first_lines "$T/g3.err")"
fi
# no display, even on a terminal: no browser, the paths are printed
rm -f "$T/browser.args"
if command -v script >/dev/null; then
	DISPLAY= WAYLAND_DISPLAY= BROWSER="$T/fakebrowser" timeout 60 script -qec "heaptrack_gui '$T/a.zst' '$T/b.zst'" /dev/null >"$T/g4.out" 2>&1 </dev/null
	rc=$?
else
	rc=$(DISPLAY= WAYLAND_DISPLAY= BROWSER="$T/fakebrowser" run_rc "$T/g4" heaptrack_gui "$T/a.zst" "$T/b.zst" </dev/null)
	cat "$T/g4.err" >>"$T/g4.out"
fi
sleep 0.5
if [ "$rc" = 0 ] && [ ! -e "$T/browser.args" ] && grep -qF "wrote $T/a.zst.html — open it in a browser" "$T/g4.out" &&
	grep -qF "wrote $T/b.zst.html — open it in a browser" "$T/g4.out"; then
	pass heaptrack_gui_no_display
else
	fail heaptrack_gui_no_display "exit $rc, browser got '$(cat "$T/browser.args" 2>/dev/null)': $(first_lines "$T/g4.out")"
fi
# one file missing among several: the others still get their page, exit 1
rm -f "$T/a.zst.html" "$T/b.zst.html"
rc=$(DISPLAY= run_rc "$T/g5" heaptrack_gui "$T/a.zst" "$T/none.zst" "$T/b.zst" </dev/null)
if [ "$rc" = 1 ] && [ -s "$T/a.zst.html" ] && [ -s "$T/b.zst.html" ] && [ ! -e "$T/none.zst.html" ] && grep -q "none.zst" "$T/g5.err"; then
	pass heaptrack_gui_one_missing
else
	fail heaptrack_gui_one_missing "exit $rc: $(first_lines "$T/g5.err")"
fi

# ---- 3. heaptrack_gui and `sonde flamegraph --open` start $BROWSER alike ----
# (util/browser.c) each entry a command split at blanks, no shell: "%s" is
# the path, "%%" a "%", the path appended when there is no "%s"; an entry
# that cannot be started is passed over.
printf '#!/bin/sh\nfor a; do printf "[%%s]" "$a"; done >"%s/rec.tmp"; echo >>"%s/rec.tmp"; mv "%s/rec.tmp" "%s/rec.args"\n' "$T" "$T" "$T" "$T" >"$T/rec"
chmod +x "$T/rec"
printf 'main;f 3\n' >"$T/f.folded"
# launched BROWSER TOOL PAGE: what the recorder got from TOOL, PAGE shown as PAGE
launched() {
	local browser=$1 tool=$2 page=$3
	rm -f "$T/rec.args"
	if [ "$tool" = gui ]; then
		DISPLAY=:99 BROWSER="$browser" heaptrack_gui "$T/a.zst" >/dev/null 2>"$T/l.err" </dev/null
	else
		DISPLAY=:99 BROWSER="$browser" "$SONDE" flamegraph --open --folded "$T/f.folded" -o "$page" >/dev/null 2>"$T/l.err" </dev/null
	fi
	for _ in $(seq 20); do [ -e "$T/rec.args" ] && break; sleep 0.2; done
	sed "s|$page|PAGE|g" "$T/rec.args" 2>/dev/null
	grep -qF "with $T/rec" "$T/l.err" || echo "(no 'with $T/rec' in: $(first_lines "$T/l.err"))"
}
bad=""
for case in "$T/rec --new-window|[--new-window][PAGE]" \
	"no-such-browser %s::$T/f.folded: $T/rec --url=%s -t 100%% %%s|[--url=PAGE][-t][100%][%s]"; do
	browser=${case%|*} want=${case##*|}
	gui=$(launched "$browser" gui "$T/a.zst.html")
	fg=$(launched "$browser" flamegraph "$T/f.svg")
	[ "$gui" = "$want" ] && [ "$fg" = "$want" ] || bad="$bad [BROWSER='$browser': heaptrack_gui ran '$gui', flamegraph --open '$fg', want '$want']"
done
if [ -z "$bad" ]; then pass browser_same_launch; else fail browser_same_launch "$bad"; fi
