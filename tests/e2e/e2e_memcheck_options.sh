#!/usr/bin/env bash
# e2e_memcheck_options: valgrind's options under sonde memcheck (issue 14,
# points 6 and 11). Every option valgrind 3.19 takes is accepted, bad values
# get valgrind's message and status; the meaningful ones do what they do in
# valgrind (compared with the real valgrind where it is installed: same
# status, same lines after masking addresses and pids), the others print
# one note; a program whose malloc sonde cannot see says so.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

build_c mc_options mc_options.c -O0 -g -fno-builtin -lstdc++ || { fail mc_options_build "$(first_lines "$T/build.log")"; exit 0; }
P=$FIX/mc_options

vg() { timeout -k 5 120 "$VG" "$@"; }
errors() { sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$1" | tail -1; }
# valgrind's lines with pids, addresses and the allocator's object masked
mask() { sed -E 's/^(==|--)[0-9]+(==|--)/\1P\2/; s/0x[0-9A-Fa-f]+/ADDR/g; s/\(in [^)]*\)/(in OBJ)/; s/^==P== (Memcheck|Copyright|Using|sonde memcheck|Heap checks|Using sonde).*//'; }

# 1. the option table: valgrind's verdict on good and bad values
opts=(
	--trace-malloc --trace-malloc=maybe --soname-synonyms=somalloc=NONE --soname-synonyms=bad
	--freelist-vol=-1 --freelist-vol=abc --freelist-vol=10000000001 --freelist-vol=0 --freelist-big-blocks=-1
	--vex-iropt-level=5 --vex-iropt-level=1 --px-default=bad --px-file-backed=sp-at-mem-access
	--vex-guest-chase=maybe --vex-guest-chase-thresh=1 --smc-check=bad --smc-check=all --fair-sched=bad
	--fair-sched=try --track-fds=bad --sim-hints=bad --sim-hints=lax-ioctls,fuse-compatible --malloc-fill=zz
	--malloc-fill=0x100 --malloc-fill=ab "--undef-value-errors=no --track-origins=yes"
	"--track-origins=yes --undef-value-errors=no" --vgdb=bad --vgdb=no --memcheck:leak-check=full
	--memcheck:leak-check=bad --helgrind:foo=1 --keep-stacktraces=bad --keep-stacktraces=alloc-then-free
	--show-error-list=all --num-transtab-sectors=1 --num-transtab-sectors=8 --error-exitcode=abc
	--error-exitcode=99999999999 --error-exitcode= --num-callers= --max-threads=x --trace-flags=12
	--trace-flags=1000000x --profile-flags=10000002 --expensive-definedness-checks=x --xtree-memory=x
	--alignment=3 --alignment=8192 --alignment=64 --redzone-size=100000 --read-var-info=yes
	--require-text-symbol=x --require-text-symbol=:libc.so*:malloc --kernel-variant=x --vgdb-stop-at=x
	--aspace-minaddr=x --aspace-minaddr=0x10 --aspace-minaddr=0x1000 --valgrind-stacksize=1 --debug-dump=x
	--vex-regalloc-version=4 --show-realloc-size-zero=yes --progress-interval=4000 --enable-debuginfod=no
	--time-stamp --show-reachable --show-possibly-lost=x --show-mismatched-frees=x --partial-loads-ok=no
	--exit-on-first-error=x --child-silent-after-fork=x --time-stamp=x --foo -h2 --launched-with-multi=yes
	--free-fill=-1 --gen-suppressions=maybe --error-limit=no --fullpath-after= -d --log-socket=127.0.0.1:1
)
bad=""
for o in "${opts[@]}"; do
	# shellcheck disable=SC2086
	"$SONDE" memcheck -q $o "$P" >/dev/null 2>"$T/o.s"
	src=$?
	sl=$(grep '^valgrind: ' "$T/o.s" | tr '\n' '|')
	if [ $have_vg = 1 ]; then
		# shellcheck disable=SC2086
		vg -q $o "$P" >/dev/null 2>"$T/o.v"
		vrc=$?
		vl=$(grep '^valgrind: ' "$T/o.v" | tr '\n' '|')
	else # valgrind's verdict on the good ones: accepted
		vrc=$src vl=$sl
		[ -z "$sl" ] && [ $src -ne 0 ] && vrc=0
	fi
	[ "$o" = --log-socket=127.0.0.1:1 ] && vrc=0 vl="" # valgrind cannot connect; sonde writes to stderr
	[ "$src" = "$vrc" ] && [ "$sl" = "$vl" ] || bad="$bad [$o: sonde $src '$sl', valgrind $vrc '$vl']"
done
[ -z "$bad" ] && pass "mc_opts_table (${#opts[@]} command lines, verdicts and messages as valgrind's)" ||
	fail mc_opts_table "$bad"

# 2. an option with no meaning for sonde: accepted, one note per option, none with -q
"$SONDE" memcheck --vex-iropt-level=1 --vex-iropt-level=2 --read-var-info=no --fair-sched=yes "$P" >/dev/null 2>"$T/n.s"
rc=$?
notes=$(grep -c '^sonde: ignoring ' "$T/n.s")
"$SONDE" memcheck -q --vex-iropt-level=1 --fair-sched=yes "$P" >/dev/null 2>"$T/nq.s"
if [ $rc = 0 ] && [ "$notes" = 2 ] && grep -q '^sonde: ignoring --vex-iropt-level=2: ' "$T/n.s" && [ ! -s "$T/nq.s" ]; then
	pass "mc_opts_notes (one per option, the last value, none with -q)"
else
	fail mc_opts_notes "rc $rc, $notes notes: $(first_lines "$T/n.s" 5) -q: $(first_lines "$T/nq.s")"
fi

# 3. --trace-malloc=yes: valgrind's lines, in the report after the preamble
# (free(0x0) lines are compared apart: the C library's exit makes dozens,
# a few more or less depending on when its freeres runs)
tlines() {
	grep -E '^--[0-9]+-- ' "$1" | sed -E 's/^--[0-9]+-- //; s/0x[0-9A-F]*[1-9A-F][0-9A-F]*/ADDR/g' | grep -vx 'free(0x0)'
}
"$SONDE" memcheck --trace-malloc=yes "$P" calls >/dev/null 2>"$T/t.s"
tlines "$T/t.s" >"$T/t.sl"
if [ $have_vg = 1 ]; then
	vg --trace-malloc=yes "$P" calls >/dev/null 2>"$T/t.v"
	tlines "$T/t.v" >"$T/t.vl"
else
	printf '%s\n' "malloc(10) = ADDR" "realloc(ADDR,20) = ADDR" "calloc(3,4) = ADDR" "free(ADDR)" "free(ADDR)" \
		"memalign(al 64, size 100) = ADDR" "free(ADDR)" "memalign(al 32, size 50) = ADDR" "free(ADDR)" \
		"memalign(al 16, size 32) = ADDR" "free(ADDR)" "realloc(0x0,5)malloc(5) = ADDR" \
		"malloc_usable_size(ADDR) = 5" "malloc(4096) = ADDR" "realloc(ADDR,0)free(ADDR)" " = 0" "memalign(al 4096, size 10) = ADDR" \
		>"$T/t.vl"
	sed -i -n '/^malloc(10) = /,/^memalign(al 4096/p' "$T/t.sl" # the program's own calls
fi
first=$(grep -nE '^(==|--)[0-9]+(==|--) ' "$T/t.s" | sed -n '6p' | cut -d: -f2-) # the line after the preamble
own_null=$(grep -B1 'realloc(0x0,5)' "$T/t.s" | grep -c -- '-- free(0x0)$') # the program's free(NULL)
if [ -s "$T/t.sl" ] && cmp -s "$T/t.sl" "$T/t.vl" && [[ $first == --*"malloc("* ]] && [ "$own_null" = 1 ]; then
	pass "mc_trace_malloc ($(wc -l <"$T/t.sl") lines as valgrind's, after the preamble)"
else
	fail mc_trace_malloc "$(diff "$T/t.sl" "$T/t.vl" | head -5 | tr '\n' '|') first: $first, free(NULL): $own_null"
fi

# 4. --exit-on-first-error: the first error, valgrind's last line, its status
for c in "--exit-on-first-error=yes --error-exitcode=42" "--exit-on-first-error=yes" "--leak-check=full --exit-on-first-error=yes --error-exitcode=7"; do
	mode=dfree
	[[ $c == *leak* ]] && mode=leaks
	# shellcheck disable=SC2086
	"$SONDE" memcheck -q $c "$P" $mode >/dev/null 2>"$T/x.s"
	src=$?
	mask <"$T/x.s" | grep -v '^$' >"$T/x.sm"
	if [ $have_vg = 1 ]; then
		# shellcheck disable=SC2086
		vg -q $c "$P" $mode >/dev/null 2>"$T/x.v"
		vrc=$?
		mask <"$T/x.v" | grep -v '^$' >"$T/x.vm"
	else
		vrc=$([[ $c == *42* ]] && echo 42 || { [[ $c == *7* ]] && echo 7; } || echo 0)
		cp "$T/x.sm" "$T/x.vm"
	fi
	name="mc_exit_first_$mode$([[ $c == *exitcode* ]] || echo _nocode)"
	if [ "$src" = "$vrc" ] && cmp -s "$T/x.sm" "$T/x.vm" && tail -1 "$T/x.sm" | grep -q 'Exit program on first error' &&
		! grep -q after "$T/x.s"; then
		pass "$name (status $src, $(grep -c . "$T/x.sm") lines as valgrind's)"
	else
		fail "$name" "sonde $src: $(tr '\n' '|' <"$T/x.sm" | cut -c1-400) valgrind $vrc: $(diff "$T/x.sm" "$T/x.vm" | head -6 | tr '\n' '|')"
	fi
done

# 5. --show-mismatched-frees=no drops those errors
for v in yes no; do
	"$SONDE" memcheck --show-mismatched-frees=$v "$P" mismatch >/dev/null 2>"$T/m.s"
	se=$(errors "$T/m.s")
	ve=$([ $v = yes ] && echo 1 || echo 0)
	if [ $have_vg = 1 ]; then
		vg --show-mismatched-frees=$v "$P" mismatch >/dev/null 2>"$T/m.v"
		ve=$(errors "$T/m.v")
	fi
	[ "$se" = "$ve" ] && pass "mc_show_mismatched_frees_$v ($se errors)" ||
		fail "mc_show_mismatched_frees_$v" "sonde $se errors, want $ve"
done

# 6. --show-possibly-lost / --show-reachable (valgrind 3.19's meanings)
kinds() { sed -n 's/.* are \(definitely\|indirectly\|possibly\|still\) .* in loss record.*/\1/p' "$1" | sort | tr '\n' ' '; }
for c in "--show-leak-kinds=all --show-reachable=no" "--show-reachable=yes --show-possibly-lost=no" \
	"--show-leak-kinds=definite --show-possibly-lost=yes" "--show-leak-kinds=indirect --show-reachable=no"; do
	# shellcheck disable=SC2086
	"$SONDE" memcheck --leak-check=full $c "$P" leaks >/dev/null 2>"$T/k.s"
	got=$(kinds "$T/k.s")
	case $c in
	"--show-leak-kinds=all --show-reachable=no") want="definitely indirectly possibly " ;;
	"--show-reachable=yes --show-possibly-lost=no") want="definitely indirectly still " ;;
	"--show-leak-kinds=definite --show-possibly-lost=yes") want="definitely possibly " ;;
	*) want="indirectly " ;;
	esac
	if [ $have_vg = 1 ]; then
		# shellcheck disable=SC2086
		vg --leak-check=full $c "$P" leaks >/dev/null 2>"$T/k.v"
		want=$(kinds "$T/k.v")
	fi
	[ "$got" = "$want" ] && pass "mc_show_kinds [$c] ($got)" || fail "mc_show_kinds [$c]" "sonde '$got', want '$want'"
done

# 7. --keep-stacktraces: which stacks a freed block's report shows
block() { # the first error from its Address line to its end, masked
	mask <"$1" | awk '/^==P==  Address/ { on = 1 } on && /^==P== $/ { exit } on' |
		sed -E 's/^(==P==    (at|by) ADDR: )(free|malloc) .*/\1\3/; s/^(==P==    (at|by) ADDR: main) .*/\1/'
}
for k in alloc free alloc-and-free alloc-then-free none; do
	"$SONDE" memcheck -q --keep-stacktraces=$k "$P" dfree >/dev/null 2>"$T/ks.s"
	block "$T/ks.s" >"$T/ks.sb"
	if [ $have_vg = 1 ]; then
		vg -q --keep-stacktraces=$k "$P" dfree >/dev/null 2>"$T/ks.v"
		block "$T/ks.v" >"$T/ks.vb"
		cmp -s "$T/ks.sb" "$T/ks.vb" && pass "mc_keep_stacktraces_$k (as valgrind's)" ||
			fail "mc_keep_stacktraces_$k" "sonde $(tr '\n' '|' <"$T/ks.sb") valgrind $(tr '\n' '|' <"$T/ks.vb")"
	else
		n=$(grep -c 'alloc.d at' "$T/ks.sb")
		want=$([ $k = alloc ] || [ $k = alloc-and-free ] && echo 1 || echo 0)
		[ "$n" = "$want" ] && pass "mc_keep_stacktraces_$k" || fail "mc_keep_stacktraces_$k" "$(tr '\n' '|' <"$T/ks.sb")"
	fi
done

# 8. the quarantine's size: a stale write is seen while its block is held
q() { "$SONDE" memcheck "$@" >/dev/null 2>"$T/q.s"; errors "$T/q.s"; }
a=$(q "$P" volume) b=$(q --freelist-vol=50000 "$P" volume)
c=$(q --freelist-vol=3000000 "$P" bigfirst) d=$(q --freelist-vol=3000000 --freelist-big-blocks=10000000 "$P" bigfirst)
[ "$a/$b/$c/$d" = 1/0/1/0 ] &&
	pass "mc_freelist (a write after 100 KB of frees: seen, not with --freelist-vol=50000; big blocks leave first)" ||
	fail mc_freelist "errors default/vol=50000/big-first/no-big: $a/$b/$c/$d, want 1/0/1/0"

# 9. --time-stamp=yes: valgrind's "==DD:HH:MM:SS.mmm PID== " on every line
"$SONDE" memcheck --time-stamp=yes --trace-malloc=yes "$P" calls >/dev/null 2>"$T/ts.s"
n=$(grep -cE '^(==|--)' "$T/ts.s")
k=$(grep -cE '^(==|--)[0-9]{2}:[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} [0-9]+(==|--) ' "$T/ts.s")
[ "$n" -gt 20 ] && [ "$n" = "$k" ] && pass "mc_time_stamp ($k lines stamped)" ||
	fail mc_time_stamp "$k of $n lines stamped: $(first_lines "$T/ts.s" 2)"

# 10. -v: the options valgrind -v lists first
"$SONDE" memcheck -v --num-callers=7 "$P" >/dev/null 2>"$T/v.s"
grep -qE '^--[0-9]+-- Valgrind options:$' "$T/v.s" && grep -qE '^--[0-9]+--    --num-callers=7$' "$T/v.s" &&
	grep -q 'errors in context\|ERROR SUMMARY' "$T/v.s" && pass "mc_verbose (Valgrind options: listed)" ||
	fail mc_verbose "$(first_lines "$T/v.s" 8)"

# 11. an exec ends the report there, as in valgrind without --trace-children
"$SONDE" memcheck --leak-check=full "$P" exec >/dev/null 2>"$T/e.s"
src=$?
mask <"$T/e.s" | grep -v '^$' >"$T/e.sm"
if [ $have_vg = 1 ]; then
	vg --leak-check=full "$P" exec >/dev/null 2>"$T/e.v"
	vrc=$?
	mask <"$T/e.v" | grep -v '^$' >"$T/e.vm"
	sed -i -E 's/^(==P==    (at|by) ADDR: [a-z_]+).*/\1/' "$T/e.sm" "$T/e.vm"
else
	vrc=0
	cp "$T/e.sm" "$T/e.vm"
fi
[ "$src" = "$vrc" ] && cmp -s "$T/e.sm" "$T/e.vm" && ! grep -q 'HEAP SUMMARY' "$T/e.s" &&
	pass "mc_exec_ends_report (errors, no summary, status $src)" ||
	fail mc_exec_ends_report "sonde $src $(tr '\n' '|' <"$T/e.sm" | cut -c1-300) valgrind $vrc $(diff "$T/e.sm" "$T/e.vm" | head -4 | tr '\n' '|')"

# 12. (point 11) a malloc sonde cannot see: one line saying so
cat >"$T/own.c" <<'EOC'
#include <stddef.h>
static char heap[1 << 16];
static size_t top;
void *malloc(size_t n) { void *p = heap + top; top += (n + 15) & ~(size_t)15; return p; }
void free(void *p) { (void)p; }
void *calloc(size_t a, size_t b) { return malloc(a * b); }
void *realloc(void *p, size_t n) { (void)p; return malloc(n); }
int main(void) { char *p = malloc(10); p[0] = 1; return p[0] - 1; }
EOC
if gcc -O0 -o "$T/own" "$T/own.c" 2>>"$T/build.log"; then
	"$SONDE" memcheck -q --soname-synonyms=somalloc=NONE "$T/own" >/dev/null 2>"$T/own.s"
	rc=$?
	[ $rc = 0 ] && [ "$(grep -c 'has its own malloc (in the executable).*not checked.*somalloc=NONE' "$T/own.s")" = 1 ] &&
		pass "mc_own_malloc (one line: not checked, why, what to do)" ||
		fail mc_own_malloc "rc $rc: $(first_lines "$T/own.s")"
fi
printf '#include <stdlib.h>\nint main(void) { return malloc(10) == 0; }\n' >"$T/static.c"
if gcc -static -O0 -o "$T/static" "$T/static.c" 2>/dev/null; then
	"$SONDE" memcheck "$T/static" >/dev/null 2>"$T/st.s"
	grep -q 'statically linked.*nothing was checked' "$T/st.s" && ! grep -q '==0==' "$T/st.s" &&
		pass "mc_static_program (one line: nothing checked)" || fail mc_static_program "$(first_lines "$T/st.s")"
else
	skip mc_static_program "no static libc"
fi
