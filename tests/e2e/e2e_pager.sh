#!/usr/bin/env bash
# e2e_pager: on a terminal, report / script / heap report (and `perf report`)
# go through the pager, as git and perf do; nothing changes otherwise.
# The terminal is a real pseudo-terminal (script(1)); the pager is a
# recorder script that keeps what it was given and its LESS.
#  - $PAGER gets the report; the terminal does not; exit status 0
#  - default: `less` from PATH with LESS=FRSX; $SONDE_PAGER wins over $PAGER;
#    SONDE_PAGER=cat and PAGER= mean no pager
#  - --no-pager (the command's, or `sonde --no-pager CMD`), stdout a pipe:
#    no pager, the same text as before
#  - sonde waits for the pager; a reader who quits early (the pager exits
#    before reading everything) leaves no error and exit status 0
#  - a pager that cannot be run: a warning and the text on the terminal
#  - perf report pages, perf script does not (as perf); heaptrack_print does not
#  - the real less stops at a screenful
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || { skip pager "no script(1) for a pseudo-terminal (util-linux)"; exit 0; }
build_fx split split.c || { fail pager_build "cannot compile split.c: $(first_lines "$T/build.log")"; exit 0; }
rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/s.data" -- "$FIX/split" 0.3)
[ "$rc" = 0 ] || { fail pager_record "sonde record exit $rc: $(first_lines "$T/rec.err")"; exit 0; }
"$SONDE" report -i "$T/s.data" --no-pager >"$T/plain.txt" 2>/dev/null

# the recorder: what it read, its arguments and $LESS; then a moment of
# "reading" before it leaves a mark that it is done
cat >"$T/recorder" <<EOF
#!/bin/sh
{ echo "pager-args:\$*"; echo "pager-less:\${LESS-unset}"; cat; } >"$T/paged.\$\$"
mv "$T/paged.\$\$" "$T/paged"
sleep 0.3
echo done >"$T/pager.done"
EOF
chmod +x "$T/recorder"
mkdir -p "$T/bin"
cp "$T/recorder" "$T/bin/less"

# on_tty NAME CMD...: runs CMD on a pseudo-terminal; the
# terminal's text in $T/NAME.tty (no CRs), the exit status in $T/NAME.rc
on_tty() {
	local name=$1; shift
	local cmd
	cmd=$(printf '%q ' "$@")
	rm -f "$T/paged" "$T/pager.done"
	timeout 60 script -qec "$cmd; echo \"exit=\$?\" >'$T/$name.rc'; [ -e '$T/pager.done' ] && echo waited >>'$T/$name.rc'" /dev/null </dev/null 2>&1 |
		tr -d '\r' >"$T/$name.tty"
}
paged() { [ -s "$T/paged" ] && grep -q '^# Samples: ' "$T/paged"; }
on_term() { grep -q '^# Samples: ' "$T/$1.tty"; }
exit0() { grep -q '^exit=0$' "$T/$1.rc"; }

# ---- $PAGER gets the report ----
on_tty rep env PAGER="$T/recorder" "$SONDE" report -i "$T/s.data"
if paged && ! on_term rep && exit0 rep && [ "$(sed -n '3,$p' "$T/paged")" = "$(cat "$T/plain.txt")" ]; then
	pass pager_report_tty
else
	fail pager_report_tty "paged: $(head -3 "$T/paged" 2>/dev/null | tr '\n' '|'); terminal: $(first_lines "$T/rep.tty"); $(cat "$T/rep.rc" 2>/dev/null)"
fi
if grep -q '^waited$' "$T/rep.rc"; then pass pager_waited; else fail pager_waited "sonde exited before its pager was done"; fi

# ---- which pager ----
on_tty def env -u PAGER -u SONDE_PAGER -u LESS PATH="$T/bin:$PATH" "$SONDE" report -i "$T/s.data"
if paged && grep -q '^pager-less:FRSX$' "$T/paged" && ! on_term def; then
	pass pager_default_less
else
	fail pager_default_less "$(head -2 "$T/paged" 2>/dev/null | tr '\n' '|') terminal: $(first_lines "$T/def.tty")"
fi
on_tty less_set env -u PAGER LESS=R PATH="$T/bin:$PATH" "$SONDE" report -i "$T/s.data"
if paged && grep -q '^pager-less:R$' "$T/paged"; then pass pager_keeps_less_env; else fail pager_keeps_less_env "$(head -2 "$T/paged" 2>/dev/null | tr '\n' '|')"; fi
on_tty sp env PAGER=/bin/false SONDE_PAGER="$T/recorder --x" "$SONDE" report -i "$T/s.data"
if paged && grep -q '^pager-args:--x$' "$T/paged" && exit0 sp; then pass pager_sonde_pager; else fail pager_sonde_pager "SONDE_PAGER with an argument not used: $(first_lines "$T/sp.tty")"; fi
on_tty cat env PAGER="$T/recorder" SONDE_PAGER=cat "$SONDE" report -i "$T/s.data"
on_tty empty env PAGER= PATH="$T/bin:$PATH" "$SONDE" report -i "$T/s.data"
if [ ! -e "$T/paged" ] && on_term cat && on_term empty && exit0 cat && exit0 empty; then
	pass pager_cat_or_empty
else
	fail pager_cat_or_empty "SONDE_PAGER=cat or PAGER= still paged: $(first_lines "$T/cat.tty")"
fi

# ---- no pager: --no-pager, a pipe ----
on_tty np env PAGER="$T/recorder" "$SONDE" report -i "$T/s.data" --no-pager
on_tty gnp env PAGER="$T/recorder" "$SONDE" --no-pager report -i "$T/s.data"
if [ ! -e "$T/paged" ] && on_term np && on_term gnp && exit0 np; then
	pass pager_no_pager
else
	fail pager_no_pager "paged anyway: $(first_lines "$T/np.tty") / $(first_lines "$T/gnp.tty")"
fi
rm -f "$T/paged"
PAGER="$T/recorder" "$SONDE" report -i "$T/s.data" 2>/dev/null | cat >"$T/piped.txt"
if [ ! -e "$T/paged" ] && cmp -s "$T/piped.txt" "$T/plain.txt"; then
	pass pager_pipe_unchanged
else
	fail pager_pipe_unchanged "stdout a pipe: paged $([ -e "$T/paged" ] && echo yes || echo no), same text $(cmp -s "$T/piped.txt" "$T/plain.txt" && echo yes || echo no)"
fi

# ---- the reader quits early: thousands of lines, a pager that reads one ----
on_tty quit env PAGER="head -n 1" "$SONDE" script -i "$T/s.data"
if exit0 quit && [ "$(grep -vc '^$' "$T/quit.tty")" = 1 ] && ! grep -qiE 'error|broken pipe|cannot' "$T/quit.tty"; then
	pass pager_quit_early
else
	fail pager_quit_early "$(cat "$T/quit.rc" 2>/dev/null | tr '\n' ' '); terminal: $(first_lines "$T/quit.tty" 4)"
fi

# ---- a pager that cannot be run ----
on_tty missing env PAGER="$T/no-such-pager" "$SONDE" report -i "$T/s.data"
if exit0 missing && on_term missing && grep -q "warning: cannot run the pager '$T/no-such-pager'" "$T/missing.tty"; then
	pass pager_missing
else
	fail pager_missing "$(cat "$T/missing.rc" 2>/dev/null | tr '\n' ' '); terminal: $(first_lines "$T/missing.tty")"
fi

# ---- script, heap report; perf and heaptrack names ----
on_tty scr env PAGER="$T/recorder" "$SONDE" script -i "$T/s.data"
if [ -s "$T/paged" ] && grep -q 'cpu-clock' "$T/paged" && ! grep -q 'cpu-clock' "$T/scr.tty"; then pass pager_script; else fail pager_script "$(first_lines "$T/scr.tty")"; fi
if "$SONDE" shims "$T/shims" >/dev/null 2>&1 && [ -e "$T/shims/perf" ]; then
	on_tty prep env PAGER="$T/recorder" "$T/shims/perf" report -i "$T/s.data"
	if paged && ! on_term prep; then pass pager_perf_report; else fail pager_perf_report "$(first_lines "$T/prep.tty")"; fi
	on_tty pnp env PAGER="$T/recorder" "$T/shims/perf" --no-pager report -i "$T/s.data"
	if [ ! -e "$T/paged" ] && on_term pnp; then pass pager_perf_no_pager; else fail pager_perf_no_pager "$(first_lines "$T/pnp.tty")"; fi
	on_tty pscr env PAGER="$T/recorder" "$T/shims/perf" script -i "$T/s.data"
	if [ ! -e "$T/paged" ] && grep -q 'cpu-clock' "$T/pscr.tty"; then pass pager_perf_script_unpaged; else fail pager_perf_script_unpaged "perf script was paged"; fi
else
	fail pager_perf_report "sonde shims made no perf"
fi
build_fx heap_basic heap_basic.c
if (cd "$T" && timeout 60 "$SONDE" heap -o "$T/h.zst" -- "$FIX/heap_basic" >/dev/null 2>&1) && [ -s "$T/h.zst" ]; then
	on_tty heap env PAGER="$T/recorder" "$SONDE" heap report "$T/h.zst"
	if [ -s "$T/paged" ] && grep -q '^PEAK MEMORY CONSUMERS' "$T/paged" && ! grep -q '^PEAK MEMORY CONSUMERS' "$T/heap.tty"; then
		pass pager_heap_report
	else
		fail pager_heap_report "$(first_lines "$T/heap.tty")"
	fi
	on_tty htp env PAGER="$T/recorder" "$T/shims/heaptrack_print" "$T/h.zst"
	if [ ! -e "$T/paged" ] && grep -q '^PEAK MEMORY CONSUMERS' "$T/htp.tty"; then pass pager_heaptrack_print_unpaged; else fail pager_heaptrack_print_unpaged "heaptrack_print was paged"; fi
else
	fail pager_heap_report "sonde heap on heap_basic failed"
fi

# ---- the real less: one screenful, then q ----
if command -v less >/dev/null; then
	all=$("$SONDE" script -i "$T/s.data" --no-pager 2>/dev/null | wc -l)
	(sleep 1; printf q) | timeout 30 script -qec "stty rows 20 cols 100; env -u PAGER -u SONDE_PAGER -u LESS '$SONDE' script -i '$T/s.data'" /dev/null 2>&1 |
		tr -d '\r' >"$T/less.tty"
	shown=$(grep -c . "$T/less.tty")
	if [ "$all" -gt 100 ] && [ "$shown" -gt 5 ] && [ "$shown" -le 21 ] && grep -q 'cpu-clock' "$T/less.tty"; then
		pass "pager_real_less ($shown lines of $all on a 20-row terminal)"
	else
		fail pager_real_less "$shown lines on a 20-row terminal (want a screenful) of $all"
	fi
else
	skip pager_real_less "less not installed"
fi
exit 0
