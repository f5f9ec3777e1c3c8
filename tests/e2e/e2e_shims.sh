#!/usr/bin/env bash
# e2e_shims: `sonde shims DIR` and what runs through the shims.
#  1. the printed PATH line is safe to eval whatever DIR holds ($(...),
#     backquotes, quotes, spaces, a newline), in bash and dash;
#  2. a user's own entry in DIR is left alone (--force replaces it); links
#     of an earlier sonde install are updated;
#  3. what sonde does not do runs the real tool later on PATH, unchanged
#     (perf list, valgrind --tool=massif), with
#     one line on stderr; without one, the package that has it, exit 127;
#  4. no exec loop: two shim dirs of two sonde binaries, a symlink to a
#     symlink to sonde, wrapper scripts that exec or fork sonde.
. "$(dirname "$0")/lib.sh"

# ---- 1. the PATH line under eval ----
mkdir -p "$T/q"
names=('$(touch PWNED)' 'back`touch PWNED`tick' 'dq"$(touch PWNED)"x' "sq'\$(touch PWNED)'x" 'sp ace' $'new\nline' "all'\"\`\$(touch PWNED)\`'x")
shells="bash"
command -v dash >/dev/null && shells="bash dash"
i=0
for n in "${names[@]}"; do
	i=$((i + 1))
	d="$T/q/$n"
	rc=$(cd "$T/q" && run_rc "$T/q$i" "$SONDE" shims "$d")
	if [ "$rc" != 0 ] || [ ! -L "$d/perf" ]; then
		fail "shims_quote_$i" "sonde shims exit $rc for $(printf %q "$n"): $(first_lines "$T/q$i.err")"
		continue
	fi
	ok=1 why=
	for sh in $shells; do
		# eval the line; print the first PATH entry, NUL-terminated (it may hold a newline)
		(cd "$T/q" && PATH=/usr/bin:/bin "$sh" -c 'eval "$(cat "$1")" && printf "%s\0" "${PATH%%:/usr/bin:/bin}"' sh "$T/q$i.out") >"$T/q$i.$sh" 2>"$T/q$i.$sh.err"
		got=$(tr -d '\0' <"$T/q$i.$sh"; echo x); got=${got%x}
		if [ -e "$T/q/PWNED" ]; then
			ok=0 why="$sh ran code from the line: $(first_lines "$T/q$i.out")"; rm -f "$T/q/PWNED"
		elif [ "$got" != "$d" ]; then
			ok=0 why="$sh: PATH starts with $(printf %q "$got"), want $(printf %q "$d") (line: $(first_lines "$T/q$i.out"))"
		fi
	done
	if [ "$ok" = 1 ]; then pass "shims_quote_$i"; else fail "shims_quote_$i" "$why"; fi
done
rc=$(run_rc "$T/colon" "$SONDE" shims "$T/a:b")
if [ "$rc" != 0 ] && grep -q "':'" "$T/colon.err" && [ ! -s "$T/colon.out" ]; then
	pass shims_colon_refused
else
	fail shims_colon_refused "exit $rc (want an error: PATH cannot hold a ':'): $(first_lines "$T/colon.err")"
fi

# ---- 2. entries that are not sonde's ----
mkdir -p "$T/own"
ln -s /usr/bin/true "$T/own/perf"
echo '#!/bin/sh' >"$T/own/valgrind"
ln -s /some/old/install/bin/sonde "$T/own/heaptrack" # an earlier sonde, since moved
rc=$(run_rc "$T/own1" "$SONDE" shims "$T/own")
if [ "$rc" = 0 ] && [ "$(readlink "$T/own/perf")" = /usr/bin/true ] && [ ! -L "$T/own/valgrind" ] &&
	grep -q "own/perf' is a symlink to '/usr/bin/true', not to sonde; left alone (--force" "$T/own1.err" &&
	grep -q "own/valgrind' exists and is not sonde's" "$T/own1.err" &&
	[ "$(readlink -f "$T/own/heaptrack")" = "$(readlink -f "$SONDE")" ] && ! grep -q "heaptrack'" "$T/own1.err" &&
	[ "$(readlink -f "$T/own/flamegraph")" = "$(readlink -f "$SONDE")" ]; then
	pass shims_user_entries_left_alone
else
	fail shims_user_entries_left_alone "exit $rc; perf -> $(readlink "$T/own/perf"), heaptrack -> $(readlink "$T/own/heaptrack"): $(first_lines "$T/own1.err" 4)"
fi
rc=$(run_rc "$T/own2" "$SONDE" shims --force "$T/own")
if [ "$rc" = 0 ] && [ "$(readlink -f "$T/own/perf")" = "$(readlink -f "$SONDE")" ] &&
	[ "$(readlink -f "$T/own/valgrind")" = "$(readlink -f "$SONDE")" ] && ! grep -q warning "$T/own2.err"; then
	pass shims_force_replaces
else
	fail shims_force_replaces "exit $rc; perf -> $(readlink "$T/own/perf"): $(first_lines "$T/own2.err")"
fi

# ---- 3. the real tools behind the shims ----
"$SONDE" shims "$T/bin" >/dev/null 2>&1 || fail shims_install "sonde shims $T/bin failed"
SP="$T/bin:$PATH"
if command -v perf >/dev/null; then
	rc=$(PATH=$SP run_rc "$T/plist" perf list sw)
	if [ "$rc" = 0 ] && grep -q 'cpu-clock' "$T/plist.out" &&
		[ "$(grep -c "'perf list' is not part of sonde; running $(command -v perf)" "$T/plist.err")" = 1 ]; then
		pass shims_perf_list_real
	else
		fail shims_perf_list_real "exit $rc: $(first_lines "$T/plist.err") / $(first_lines "$T/plist.out")"
	fi
	# sonde's own subcommands stay sonde's
	rc=$(PATH=$SP run_rc "$T/pver" perf --version)
	if [ "$rc" = 0 ] && grep -q sonde "$T/pver.out"; then pass shims_perf_own; else fail shims_perf_own "exit $rc: $(first_lines "$T/pver.out")"; fi
else
	skip shims_perf_list_real "no perf installed"
fi
if command -v valgrind >/dev/null; then
	build_fx heap_basic heap_basic.c || true
	rc=$(cd "$T" && PATH=$SP run_rc "$T/massif" valgrind --tool=massif --massif-out-file="$T/massif.out" "$FIX/heap_basic")
	if [ "$rc" = 0 ] && grep -q '^desc:' "$T/massif.out" 2>/dev/null && grep -q 'Massif, a heap profiler' "$T/massif.err" &&
		grep -q "'valgrind --tool=massif' is not part of sonde; running" "$T/massif.err"; then
		pass shims_valgrind_massif_real
	else
		fail shims_valgrind_massif_real "exit $rc: $(first_lines "$T/massif.err")"
	fi
	rc=$(cd "$T" && PATH=$SP run_rc "$T/cg" valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$T/cachegrind.out.1" "$FIX/heap_basic")
	rc2=$(PATH=$SP run_rc "$T/cga" cg_annotate "$T/cachegrind.out.1")
	if [ "$rc" = 0 ] && [ "$rc2" = 0 ] && grep -q 'I1  misses\|I1mr' "$T/cga.out"; then
		pass shims_cachegrind_cg_annotate
	else
		fail shims_cachegrind_cg_annotate "valgrind exit $rc ($(first_lines "$T/cg.err")), cg_annotate exit $rc2: $(first_lines "$T/cga.err")"
	fi
	# valgrind without --tool (or memcheck) is sonde's
	rc=$(PATH=$SP run_rc "$T/vver" valgrind --tool=memcheck --version)
	if [ "$rc" = 0 ] && grep -q sonde "$T/vver.out"; then pass shims_valgrind_memcheck_own; else fail shims_valgrind_memcheck_own "exit $rc: $(first_lines "$T/vver.out")"; fi
else
	skip shims_valgrind_massif_real "no valgrind installed"
fi
# no real tool: say which package has it, like a shell's command-not-found
mkdir -p "$T/empty"
rc=$(PATH="$T/bin:$T/empty" run_rc "$T/nop" perf top)
rc2=$(PATH="$T/bin:$T/empty" run_rc "$T/nov" valgrind --tool=callgrind /bin/true)
if [ "$rc" = 127 ] && [ "$(wc -l <"$T/nop.err")" = 1 ] && grep -q "'perf top' is not part of sonde.*linux-perf" "$T/nop.err" &&
	[ "$rc2" = 127 ] && grep -q "'valgrind --tool=callgrind' is not part of sonde.*package: valgrind" "$T/nov.err"; then
	pass shims_no_real_tool
else
	fail shims_no_real_tool "perf top: exit $rc $(first_lines "$T/nop.err"); valgrind --tool=callgrind: exit $rc2 $(first_lines "$T/nov.err")"
fi

# ---- 4. no loops; the real tool gets argv as typed ----
if build_c print_argv print_argv.c; then
	mkdir -p "$T/real" "$T/copy" "$T/chain" "$T/wrapx" "$T/wrapf" "$T/wrapff"
	cp "$FIX/print_argv" "$T/real/perf"
	cp "$(readlink -f "$SONDE")" "$T/copy/sonde" # a second sonde binary
	"$T/copy/sonde" shims "$T/bin2" >/dev/null 2>&1
	ln -s "$T/bin/perf" "$T/chain/perf" # a symlink to a symlink to sonde
	printf '#!/bin/sh\nexec "%s/bin/perf" "$@"\n' "$T" >"$T/wrapx/perf"
	printf '#!/bin/sh\n"%s/bin/perf" "$@"\n' "$T" >"$T/wrapf/perf"
	printf '#!/bin/sh\nsh -c '"'"'"$0" "$@"'"'"' "%s/bin/perf" "$@"\n' "$T" >"$T/wrapff/perf"
	chmod +x "$T/wrapx/perf" "$T/wrapf/perf" "$T/wrapff/perf"
	# argv[0] as the last caller gave it (a wrapper names the shim by its path)
	want=$(printf '[0]=perf\n[1]=annotate\n[2]=a b\n[3]=$(x)')
	for c in "two_sondes:$T/bin2:$T/bin:$T/real" "symlink_chain:$T/chain:$T/bin:$T/real" \
		"wrapper_exec:$T/bin:$T/wrapx:$T/real" "wrapper_fork:$T/bin:$T/wrapf:$T/real"; do
		name=${c%%:*} path=${c#*:}
		rc=$(PATH="$path:/usr/bin:/bin" run_rc "$T/l_$name" timeout 20 perf annotate 'a b' '$(x)')
		if [ "$rc" = 0 ] && [ "$(sed '1s|^\[0\]=.*/perf$|[0]=perf|' "$T/l_$name.out")" = "$want" ] && [ "$(grep -c 'not part of sonde' "$T/l_$name.err")" = 1 ]; then
			pass "shims_noloop_$name"
		else
			fail "shims_noloop_$name" "exit $rc, argv '$(first_lines "$T/l_$name.out" 4)', stderr: $(first_lines "$T/l_$name.err")"
		fi
	done
	# a wrapper that forks twice cannot be told from a new run: a hop limit ends it
	rc=$(PATH="$T/bin:$T/wrapff:$T/real:/usr/bin:/bin" run_rc "$T/l_ff" timeout 60 perf annotate)
	if [ "$rc" = 127 ] && grep -q 'came back to sonde' "$T/l_ff.err"; then
		pass shims_noloop_hop_limit
	else
		fail shims_noloop_hop_limit "exit $rc: $(tail -n 1 "$T/l_ff.err")"
	fi
else
	fail shims_noloop "cannot build the print_argv fixture"
fi
