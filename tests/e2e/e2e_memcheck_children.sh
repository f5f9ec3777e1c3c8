#!/usr/bin/env bash
# e2e_memcheck_children: --trace-children=yes follows every exec, as
# valgrind 3.19 does: the process itself (tc_exec), two forked children at
# once (tc_fork2), system() and popen() through /bin/sh (tc_shell),
# --trace-children-skip and --trace-children-skip-by-arg. Each process's
# report is compared with the real valgrind's (when installed): the LEAK
# SUMMARY kind by kind, the errors, the whole text once addresses, pids
# and the preloaded objects' paths are masked, and the exit status with
# --error-exitcode. valgrind prints the processes' lines as they come,
# sonde each report whole when its process ends: the lines are compared
# per process (keyed by its Command: lines), not in file order.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

for f in tc_child tc_exec tc_fork2 tc_shell; do
	build_c $f $f.c -O0 -g || { fail "children_build" "$(first_lines "$T/build.log")"; exit 0; }
done
C=$FIX/tc_child

# procs FILE DIR : one file per process in DIR, named by its Command:
# lines, holding its lines without the ==PID== prefix, masked (sonde's
# preamble and its line about --precise dropped)
procs() {
	mkdir -p "$2"
	awk -v dir="$2" '
	match($0, /^(==|--)[0-9]+(==|--) ?/) {
		pid = substr($0, 3, RLENGTH - 3); sub(/[=-]+ ?$/, "", pid)
		line = substr($0, RLENGTH + 1)
		if (line ~ /^(Memcheck, a memory|Copyright \(C\)|Using Valgrind|sonde memcheck, a memory|Heap checks in the|Using sonde-)/) next
		if (line ~ /^Invalid reads of heap memory are checked only/) next
		if (line ~ /^Command: /) key[pid] = key[pid] "|" substr(line, 10)
		sub(/^Parent PID: [0-9]+$/, "Parent PID: P", line)
		gsub(/0x[0-9A-Fa-f]+/, "0xX", line)
		sub(/\(in [^)]*\)/, "(in OBJ)", line)
		text[pid] = text[pid] line "\n"
		if (!(pid in seen)) { seen[pid] = 1; order[n++] = pid }
	}
	END {
		for (i = 0; i < n; i++) {
			p = order[i]; k = key[p]; gsub(/[^A-Za-z0-9]+/, "_", k)
			gsub(/_+tmp_[A-Za-z0-9_]*fixtures_/, "_", k)
			printf "%s", text[p] > (dir "/" k)
		}
	}' "$1"
}
# summary FILE : the LEAK SUMMARY kinds and the ERROR SUMMARY
summary() { grep -E '^ *(definitely|indirectly|possibly) lost: |^ *still reachable: |^ERROR SUMMARY' "$1"; }
# errors FILE : the error kinds, counted
errkinds() { grep -E '^(Invalid|Mismatched|Source and destination)' "$1" | sort | uniq -c; }

# run NAME OPTS... -- PROG ARGS : sonde's and valgrind's runs side by side
run() {
	local name=$1 opts=()
	shift
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	(cd "$T" && timeout -k 5 120 "$SONDE" memcheck "${opts[@]}" "$@" >"$T/$name.sout" 2>"$T/$name.s")
	echo $? >"$T/$name.src"
	procs "$T/$name.s" "$T/$name.sp"
	if [ $have_vg = 1 ]; then
		(cd "$T" && timeout -k 5 120 "$VG" "${opts[@]}" "$@" >"$T/$name.vout" 2>"$T/$name.v")
		echo $? >"$T/$name.vrc"
		procs "$T/$name.v" "$T/$name.vp"
	fi
}

# compare NAME WANT_PROCS [SHELL_KEY_PATTERN] : per process, the summaries,
# error kinds and whole text against valgrind's; processes whose key
# matches the pattern (the shells) are compared by summary and errors
# only, without still reachable (the shell's heap holds the environment,
# sonde's larger than valgrind's)
compare() {
	local name=$1 want=$2 shells=${3:-^$} got bad="" k
	got=$(ls "$T/$name.sp" | wc -l)
	if [ "$got" != "$want" ]; then
		fail "children_${name}_procs" "$got reports, want $want: $(ls "$T/$name.sp" | tr '\n' ' ')"
		return
	fi
	if [ $have_vg = 0 ]; then
		pass "children_${name}_procs ($got reports; valgrind not installed)"
		return
	fi
	[ "$(ls "$T/$name.sp")" = "$(ls "$T/$name.vp")" ] ||
		{ fail "children_${name}_procs" "sonde: $(ls "$T/$name.sp" | tr '\n' ' ') valgrind: $(ls "$T/$name.vp" | tr '\n' ' ')"; return; }
	pass "children_${name}_procs ($got reports, the same processes as valgrind's)"
	for k in $(ls "$T/$name.sp"); do
		if [[ $k =~ $shells ]]; then
			summary "$T/$name.sp/$k" | grep -v 'still reachable' >"$T/a"
			summary "$T/$name.vp/$k" | grep -v 'still reachable' >"$T/b"
		else
			summary "$T/$name.sp/$k" >"$T/a"
			summary "$T/$name.vp/$k" >"$T/b"
		fi
		cmp -s "$T/a" "$T/b" || bad="$bad [summary $k: $(diff "$T/b" "$T/a" | grep '^[<>]' | head -3 | tr '\n' '|')]"
		errkinds "$T/$name.sp/$k" >"$T/a"
		errkinds "$T/$name.vp/$k" >"$T/b"
		cmp -s "$T/a" "$T/b" || bad="$bad [errors $k: $(diff "$T/b" "$T/a" | grep '^[<>]' | head -3 | tr '\n' '|')]"
	done
	[ -z "$bad" ] && pass "children_${name}_summaries (LEAK SUMMARY kind by kind, error kinds and counts per process)" ||
		fail "children_${name}_summaries" "$bad"
	bad=""
	for k in $(ls "$T/$name.sp"); do
		[[ $k =~ $shells ]] && continue
		cmp -s "$T/$name.sp/$k" "$T/$name.vp/$k" ||
			bad="$bad [$k: $(diff "$T/$name.vp/$k" "$T/$name.sp/$k" | grep '^[<>]' | head -4 | tr '\n' '|')]"
	done
	[ -z "$bad" ] && pass "children_${name}_text (each report equal to valgrind's, masked)" ||
		fail "children_${name}_text" "$bad"
	[ "$(cat "$T/$name.src")" = "$(cat "$T/$name.vrc")" ] &&
		pass "children_${name}_status (exit status $(cat "$T/$name.src"), as valgrind's)" ||
		fail "children_${name}_status" "sonde $(cat "$T/$name.src"), valgrind $(cat "$T/$name.vrc")"
}

FULL=(--trace-children=yes --leak-check=full)

# 1. exec in the process itself: the old image's errors, no summaries;
# the new image's whole report under the same pid; the status is the new
# image's, and its own errors decide --error-exitcode
run exec "${FULL[@]}" -- "$FIX/tc_exec" "$C" X
compare exec 1
run exec_code "${FULL[@]}" --error-exitcode=7 -- "$FIX/tc_exec" "$C" X
compare exec_code 1
grep -c 'Command: ' "$T/exec.s" | grep -qx 2 && ! sed -n '1,/Command: .*tc_child/p' "$T/exec.s" | grep -q 'HEAP SUMMARY' &&
	pass "children_exec_shape (two preambles, no summary before the exec)" ||
	fail children_exec_shape "$(first_lines "$T/exec.s" 8)"

# 2. two children at once, each with its own errors; the top's leak
# decides --error-exitcode
run fork2 "${FULL[@]}" --error-exitcode=7 -- "$FIX/tc_fork2" "$C"
compare fork2 3
n=$(grep -c 'ERROR SUMMARY: 2 errors from 2 contexts' "$T/fork2.s")
[ "$n" = 2 ] && pass "children_fork2_each (both children: an invalid free and a leak)" ||
	fail children_fork2_each "$n children with 2 errors"

# 3. system() and popen(): /bin/sh -c, then the program it runs
run shell "${FULL[@]}" -- "$FIX/tc_shell" "$C"
compare shell 5 '^_bin_sh'
grep -q '^statuses: 768 768$' "$T/shell.sout" && grep -q '^child pop$' "$T/shell.sout" &&
	pass "children_shell_output (the program's own output and statuses unchanged)" ||
	fail children_shell_output "$(first_lines "$T/shell.sout" 4)"

# 4. skips: by the exec'd path (the children run unchecked), by an argument
run skip_path "${FULL[@]}" --error-exitcode=7 --trace-children-skip='*/nothing,*tc_ch?ld' -- "$FIX/tc_fork2" "$C"
compare skip_path 1
run skip_arg "${FULL[@]}" --trace-children-skip-by-arg=B -- "$FIX/tc_fork2" "$C"
compare skip_arg 2
run skip_shell "${FULL[@]}" --trace-children-skip='/bin/sh' -- "$FIX/tc_shell" "$C"
compare skip_shell 1
# (natively the child's double free aborts it: status 134 << 8, as under valgrind)
want='statuses: 34304 34304'
[ $have_vg = 1 ] && want=$(grep '^statuses: ' "$T/skip_shell.vout")
grep -qx "$want" "$T/skip_shell.sout" &&
	pass "children_skip_runs (a skipped program and its children run unchecked: '$want')" ||
	fail children_skip_runs "$(first_lines "$T/skip_shell.sout")"

# 5. --log-file=%p: one file per process, each as valgrind's
logs() { # NAME DIR OUTDIR : the files' processes, by Command:, masked
	local f
	mkdir -p "$3"
	for f in "$2"/log.*; do procs "$f" "$3"; done
}
mkdir -p "$T/ls" "$T/lv"
(cd "$T/ls" && "$SONDE" memcheck "${FULL[@]}" --log-file=log.%p "$FIX/tc_fork2" "$C" >/dev/null 2>&1)
logs fork2 "$T/ls" "$T/ls.p"
nfiles=$(ls "$T/ls" | wc -l)
if [ $have_vg = 1 ]; then
	(cd "$T/lv" && "$VG" "${FULL[@]}" --log-file=log.%p "$FIX/tc_fork2" "$C" >/dev/null 2>&1)
	logs fork2 "$T/lv" "$T/lv.p"
	bad=""
	for k in $(ls "$T/lv.p"); do
		cmp -s "$T/ls.p/$k" "$T/lv.p/$k" || bad="$bad [$k: $(diff "$T/lv.p/$k" "$T/ls.p/$k" 2>&1 | head -4 | tr '\n' '|')]"
	done
	[ "$nfiles" = "$(ls "$T/lv" | wc -l)" ] && [ -z "$bad" ] &&
		pass "children_log_file_pid ($nfiles files, each equal to valgrind's, Parent PID: included)" ||
		fail children_log_file_pid "$nfiles files: $bad"
else
	[ "$nfiles" = 3 ] && pass "children_log_file_pid (3 files)" || fail children_log_file_pid "$nfiles files"
fi

# 6. --xml=yes --xml-file=%p: a valid document per process
mkdir -p "$T/xs"
(cd "$T/xs" && "$SONDE" memcheck "${FULL[@]}" --xml=yes --xml-file=x.%p.xml "$FIX/tc_fork2" "$C" >/dev/null 2>&1)
bad=""
for f in "$T"/xs/x.*.xml; do
	command -v xmllint >/dev/null && { xmllint --noout "$f" 2>/dev/null || bad="$bad $f"; }
done
kinds=$(cat "$T"/xs/x.*.xml | grep -o '<kind>[A-Za-z_]*</kind>' | sort | uniq -c | tr -s ' ' | tr '\n' '|')
[ "$(ls "$T/xs" | wc -l)" = 3 ] && [ -z "$bad" ] &&
	[ "$kinds" = " 2 <kind>InvalidFree</kind>| 3 <kind>Leak_DefinitelyLost</kind>|" ] &&
	pass "children_xml (3 documents: $kinds)" || fail children_xml "$(ls "$T/xs" | wc -l) files, invalid:$bad kinds $kinds"

# 7. what sonde cannot follow says so: a static program, an environment
# without sonde's variables
printf '#include <stdlib.h>\nint main(void) { return malloc(10) == 0; }\n' >"$T/static.c"
if gcc -static -O0 -o "$T/static" "$T/static.c" 2>/dev/null; then
	"$SONDE" memcheck --trace-children=yes "$FIX/tc_exec" "$T/static" >/dev/null 2>"$T/st.s"
	rc=$?
	grep -q "sonde: $T/static (pid [0-9]*) is statically linked: .*not checked" "$T/st.s" && [ $rc = 0 ] &&
		pass "children_static_note (one line: not checked, why)" || fail children_static_note "rc $rc: $(first_lines "$T/st.s")"
else
	skip children_static_note "no static libc"
fi
"$SONDE" memcheck --trace-children=yes "$FIX/tc_exec" /usr/bin/env -i "$C" E >/dev/null 2>"$T/env.s"
grep -q "sonde: $C (pid [0-9]*) was exec'd with an environment without sonde's variables" "$T/env.s" &&
	[ "$(grep -c 'Command: ' "$T/env.s")" = 2 ] &&
	pass "children_env_note (env -i: the program it runs cannot be followed, and sonde says so)" ||
	fail children_env_note "$(grep -v '^==' "$T/env.s" | head -3 | tr '\n' '|')"

# 8. without the option nothing changes: the exec ends the report
"$SONDE" memcheck --leak-check=full "$FIX/tc_exec" "$C" X >/dev/null 2>"$T/off.s"
[ "$(grep -c 'Command: ' "$T/off.s")" = 1 ] && ! grep -q 'HEAP SUMMARY' "$T/off.s" &&
	pass "children_off (one report, ending at the exec)" || fail children_off "$(first_lines "$T/off.s" 6)"
