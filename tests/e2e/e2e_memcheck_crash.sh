#!/usr/bin/env bash
# e2e_memcheck_crash: a program that dies of a signal (tests/fixtures/mc_crash.c:
# a write to NULL, a read near it, a wild pointer, main's stack overflowing,
# a write to read-only data, a jump to NULL, ud2, a division by zero, a
# page of a file past its end, abort(), a named thread's crash, a read of a
# big freed block, posix_memalign with a NULL out pointer). valgrind prints
# the access as an error ("Invalid write of size 1", "Jump to the invalid
# address stated on the next line") with the block near it, then "Process
# terminating with default action of signal 11 (SIGSEGV)", what the kernel
# said ("Access not within mapped region at address 0x0"), the stack, and
# for an unmapped address its hint about the main thread's stack; with -q
# too for a crash (not for a signal a process sent). sonde must print the
# same, addresses masked, the program's frames compared (the C library's
# differ: valgrind's threads start with clone, not clone3), and die of the
# same signal; --xml=yes gives valgrind's <fatal_signal>.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

build_c mc_crash mc_crash.c -O1 -g -pthread || { fail mc_crash_build "$(first_lines "$T/build.log")"; exit 0; }

# shape FILE -> the report's lines up to HEAP SUMMARY without the PID,
# addresses masked, only the first frame of a stack and the fixture's frames
shape() {
	awk '
	/^==[0-9]+== HEAP SUMMARY:/ { exit }
	/^==[0-9]+==/ {
		sub(/^==[0-9]+== ?/, "")
		if ($0 ~ /^ *$/) next
		if ($0 ~ /^   (at|by) /) {
			first = $0 ~ /^   at /
			if (!first && $0 !~ /mc_crash\.c:/) next
			sub(/0x[0-9A-Fa-f]+: /, "")
			if (first) sub(/ \(.*/, "")
			print; next
		}
		gsub(/0x[0-9A-Fa-f]+/, "ADDR")
		sub(/was [0-9]+\.$/, "was N.")
		print
	}' "$1"
}

# mode|signal|lines sonde must have without valgrind (grep -E, ; separated)
cases=(
	"null|11|^Invalid write of size 1\$;^ Address ADDR is not stack'd;^Process terminating with default action of signal 11 \\(SIGSEGV\\);^ Access not within mapped region at address ADDR\$;^ If you believe"
	"read_null|11|^Invalid read of size 1\$;^ Access not within mapped region"
	"wild|11|^Invalid write of size 1\$;^ Access not within mapped region"
	"stack|11|^Stack overflow in thread #1: can't grow stack to ADDR\$;^ Access not within mapped region;^   at recurse\$"
	"ro|11|^ Bad permissions for mapped region at address ADDR\$;^   at poke\$"
	"jump|11|^Jump to the invalid address stated on the next line\$;^   at \\?\\?\\?\$;^ Bad permissions for mapped region at address ADDR\$"
	"ill|4|^Process terminating with default action of signal 4 \\(SIGILL\\);^ Illegal opcode at address ADDR\$"
	"fpe|8|^Process terminating with default action of signal 8 \\(SIGFPE\\);^ Integer divide by zero at address ADDR\$"
	"bus|7|^Process terminating with default action of signal 7 \\(SIGBUS\\);^ Non-existent physical address at address ADDR\$"
	"thread|11|^Thread 2 crasher:\$;^Invalid write of size 1\$;^   by worker \\(mc_crash.c"
	"posix_memalign_null|11|^Invalid write of size 8\$;^   at posix_memalign\$;^ Access not within mapped region"
)
for c in "${cases[@]}"; do
	IFS='|' read -r mode sig pats <<<"$c"
	rc=$(run_rc "$T/$mode.s" timeout -k 5 60 "$SONDE" memcheck -q "$FIX/mc_crash" "$mode")
	shape "$T/$mode.s.err" >"$T/$mode.shape"
	if [ "$rc" != $((128 + sig)) ]; then
		fail "memcheck_crash_$mode" "exit $rc, want $((128 + sig)): $(first_lines "$T/$mode.s.err" 4)"
		continue
	fi
	if [ $have_vg = 1 ]; then
		vrc=$(run_rc "$T/$mode.v" timeout -k 5 120 "$VG" -q "$FIX/mc_crash" "$mode")
		shape "$T/$mode.v.err" >"$T/$mode.vshape"
		# valgrind loses the caller of a jump to NULL: the first frames only
		[ "$mode" = jump ] && sed -i '/^   by /d' "$T/$mode.shape" "$T/$mode.vshape"
		if cmp -s "$T/$mode.shape" "$T/$mode.vshape" && [ "$vrc" = "$rc" ]; then
			pass "memcheck_crash_$mode (as valgrind -q: $(grep -m1 -E '^ [A-Z]|^Process' "$T/$mode.shape"))"
		else
			fail "memcheck_crash_$mode" "exit $rc/$vrc; sonde: $(tr '\n' '|' <"$T/$mode.shape") valgrind: $(tr '\n' '|' <"$T/$mode.vshape")"
		fi
	else
		missing=""
		IFS=';' read -ra ps <<<"$pats"
		for p in "${ps[@]}"; do grep -qE "$p" "$T/$mode.shape" || missing="$missing /$p/"; done
		[ -z "$missing" ] && pass "memcheck_crash_$mode" || fail "memcheck_crash_$mode" "missing$missing in $(tr '\n' '|' <"$T/$mode.shape")"
	fi
done

# abort(): a process sent the signal, so -q says nothing, the default
# verbosity the signal and its stack down to main; the ERROR SUMMARY of a
# crash counts the access
"$SONDE" memcheck -q "$FIX/mc_crash" abort >/dev/null 2>"$T/abort_q.err"
"$SONDE" memcheck "$FIX/mc_crash" abort >/dev/null 2>"$T/abort.err"
"$SONDE" memcheck "$FIX/mc_crash" null >/dev/null 2>"$T/null_v.err"
got="$(grep -c . "$T/abort_q.err")|$(shape "$T/abort.err" | grep -E '^Process|\(mc_crash' | tr '\n' '|')|$(grep -o 'ERROR SUMMARY: [0-9]* errors' "$T/null_v.err")"
if [ $have_vg = 1 ]; then
	"$VG" -q "$FIX/mc_crash" abort >/dev/null 2>"$T/abort_q.vg"
	"$VG" "$FIX/mc_crash" abort >/dev/null 2>"$T/abort.vg"
	"$VG" "$FIX/mc_crash" null >/dev/null 2>"$T/null_v.vg"
	want="$(grep -c . "$T/abort_q.vg")|$(shape "$T/abort.vg" | grep -E '^Process|\(mc_crash' | tr '\n' '|')|$(grep -o 'ERROR SUMMARY: [0-9]* errors' "$T/null_v.vg")"
else
	want="0|Process terminating with default action of signal 6 (SIGABRT)|   by main (mc_crash.c:66)||ERROR SUMMARY: 1 errors"
fi
[ "$got" = "$want" ] && pass "memcheck_crash_abort ($got)" || fail memcheck_crash_abort "sonde '$got', want '$want'"

# a read of a big freed block: valgrind still holds it and goes on; sonde
# gave its pages back: the same error, then the crash
rc=$(run_rc "$T/fb" "$SONDE" memcheck -q "$FIX/mc_crash" freed_big)
err=$(shape "$T/fb.err" | sed -n '1,/Block was alloc/p' | tr '\n' '|')
want="Invalid read of size 1|   at peek|   by main (mc_crash.c:75)|"
want="${want} Address ADDR is 4,194,304 bytes inside a block of size 8,388,608 free'd|   at free|   by main (mc_crash.c:74)|"
want="${want} Block was alloc'd at|"
if [ $have_vg = 1 ]; then
	"$VG" -q "$FIX/mc_crash" freed_big >/dev/null 2>"$T/fb.vg"
	want=$(shape "$T/fb.vg" | sed -n '1,/Block was alloc/p' | tr '\n' '|')
fi
[ "$rc" = 139 ] && [ "$err" = "$want" ] && grep -q "Access not within mapped region" "$T/fb.err" &&
	pass "memcheck_crash_freed_big (the error as valgrind's, then SIGSEGV)" ||
	fail memcheck_crash_freed_big "exit $rc: '$err', want '$want'"

# XML: valgrind's <fatal_signal>, after the errors
fatal_xml() {
	sed -n '/<fatal_signal>/,/<\/fatal_signal>/p' "$1" | grep -E '<(tid|threadname|signo|signame|sicode|event|siaddr|fn)>' |
		sed -E 's/0x[0-9A-Fa-f]+/ADDR/; s/^ +//'
}
for mode in null thread abort ill jump; do
	"$SONDE" memcheck -q --xml=yes --xml-file="$T/$mode.xml" "$FIX/mc_crash" "$mode" >/dev/null 2>&1
	got=$(fatal_xml "$T/$mode.xml" | tr '\n' ' ')
	if ! xmllint --noout "$T/$mode.xml" 2>/dev/null; then
		fail "memcheck_crash_xml_$mode" "not well-formed"
		continue
	fi
	if [ $have_vg = 1 ]; then
		"$VG" -q --xml=yes --xml-file="$T/$mode.vg.xml" "$FIX/mc_crash" "$mode" >/dev/null 2>&1
		want=$(fatal_xml "$T/$mode.vg.xml" | tr '\n' ' ')
		# the C library's frames differ (clone/clone3), and valgrind loses a bad jump's caller
		g=$(echo "$got" | grep -oE '<(tid|threadname|signo|signame|sicode|event|siaddr)>[^<]*' | tr '\n' ' ')
		w=$(echo "$want" | grep -oE '<(tid|threadname|signo|signame|sicode|event|siaddr)>[^<]*' | tr '\n' ' ')
		[ -n "$g" ] && [ "$g" = "$w" ] && pass "memcheck_crash_xml_$mode ($g)" ||
			fail "memcheck_crash_xml_$mode" "sonde '$g', valgrind '$w'"
	else
		echo "$got" | grep -q '<signo>' && pass "memcheck_crash_xml_$mode" || fail "memcheck_crash_xml_$mode" "no <fatal_signal>"
	fi
done
exit 0
