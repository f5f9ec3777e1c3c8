#!/usr/bin/env bash
# e2e_threads: threads, fork and exec are followed.
. "$(dirname "$0")/lib.sh"

# ---- three worker threads ----
if build_fx threads threads.c -pthread; then
	rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/thr.data" -- "$FIX/threads")
	if [ "$rc" = 0 ] && [ -s "$T/thr.data" ]; then
		pass threads_record
		"$SONDE" report -i "$T/thr.data" --no-children -g none >"$T/thr.txt" 2>"$T/thr.err"
		for w in worker_a worker_b worker_c; do
			p=$(report_pct "$T/thr.txt" $w)
			# each burns 0.4 of 1.2 s: ~33%; anything sizeable proves the thread was followed
			if [ -n "$p" ] && fgt "$p" 15; then pass "threads_$w"; else fail "threads_$w" "$w ${p:-missing}% (want ≈33, > 15); rows: $(report_syms "$T/thr.txt" | head -6 | tr '\n' ' ')"; fi
		done
		"$SONDE" script -i "$T/thr.data" >"$T/thr.script" 2>"$T/thr.serr"
		ntid=$(script_tids "$T/thr.script" | wc -l)
		if [ "$ntid" -ge 3 ]; then pass threads_script_tids; else fail threads_script_tids "sonde script shows $ntid distinct tids (want >= 3): $(script_tids "$T/thr.script" | tr '\n' ' ')"; fi
		"$SONDE" script -i "$T/thr.data" --folded --tid >"$T/thr.folded" 2>/dev/null
		nroot=$(grep -E 'worker_' "$T/thr.folded" | grep -oE '^threads-[0-9]+/[0-9]+;' | sort -u | wc -l)
		if [ "$nroot" -ge 3 ]; then pass threads_folded_tid; else fail threads_folded_tid "--folded --tid: $nroot distinct 'threads-PID/TID' roots over worker stacks (want 3): $(head -1 "$T/thr.folded" | cut -c1-100)"; fi
		# call chains of worker threads end in the thread start routine, not garbage
		if grep -q 'worker_a' "$T/thr.script"; then pass threads_script_symbols; else fail threads_script_symbols "worker_a not in sonde script output"; fi
	else
		fail threads_record "sonde record exit $rc: $(first_lines "$T/rec.err")"
	fi
else
	fail threads_build "cannot compile threads.c: $(first_lines "$T/build.log")"
fi

# ---- fork + exec ----
if build_fx forkexec forkexec.c && build_fx fx_child fx_child.c; then
	rc=$(run_rc "$T/frec" "$SONDE" record -g -o "$T/fe.data" -- "$FIX/forkexec" "$FIX/fx_child")
	if [ "$rc" = 0 ] && [ -s "$T/fe.data" ]; then
		pass forkexec_record
		"$SONDE" report -i "$T/fe.data" --no-children -g none >"$T/fe.txt" 2>"$T/fe.err"
		for f in parent_work child_work; do
			p=$(report_pct "$T/fe.txt" $f)
			if [ -n "$p" ] && fgt "$p" 15; then pass "forkexec_$f"; else fail "forkexec_$f" "$f ${p:-missing}% (want ≈50, > 15); rows: $(report_syms "$T/fe.txt" | head -6 | tr '\n' ' ')"; fi
		done
		# the exec'd child's rows carry its new comm (its binary name)
		if report_rows "$T/fe.txt" | grep -E '\[\.\] child_work *$' | grep -q 'fx_child'; then
			pass forkexec_child_comm
		else
			fail forkexec_child_comm "child_work row does not name comm fx_child: $(report_rows "$T/fe.txt" | grep child_work | head -2)"
		fi
		if report_rows "$T/fe.txt" | grep -E '\[\.\] parent_work *$' | grep -q 'forkexec'; then
			pass forkexec_parent_comm
		else
			fail forkexec_parent_comm "parent_work row does not name comm forkexec: $(report_rows "$T/fe.txt" | grep parent_work | head -2)"
		fi
		"$SONDE" report -i "$T/fe.data" --no-children -g none --comm fx_child >"$T/fec.txt" 2>/dev/null
		if [ -n "$(report_pct "$T/fec.txt" child_work)" ] && [ -z "$(report_pct "$T/fec.txt" parent_work)" ]; then
			pass forkexec_comm_filter
		else
			fail forkexec_comm_filter "--comm fx_child rows: $(report_syms "$T/fec.txt" | head -5 | tr '\n' ' ')"
		fi
		# as perf: percentages of all samples (absolute), unless --percentage relative
		"$SONDE" report -i "$T/fe.data" --no-children -g none --comm fx_child --percentage relative >"$T/fecr.txt" 2>/dev/null
		all=$(report_pct "$T/fe.txt" child_work) abs=$(report_pct "$T/fec.txt" child_work) rel=$(report_pct "$T/fecr.txt" child_work)
		if [ -n "$abs" ] && [ "$abs" = "$all" ] && [ -n "$rel" ] && fgt "$rel" 80 && fgt "$rel" "$(awk -v a="$abs" 'BEGIN { print a * 1.5 }')" &&
			grep -q '^# comm: fx_child$' "$T/fec.txt"; then
			pass "forkexec_comm_percentage (child_work: $abs% of all samples, $rel% of fx_child's)"
		else
			fail forkexec_comm_percentage "child_work: unfiltered ${all:-?}%, --comm fx_child ${abs:-?}% (want the same), --percentage relative ${rel:-?}% (want > 80); header: $(grep -m1 '^# comm' "$T/fec.txt")"
		fi
	else
		fail forkexec_record "sonde record exit $rc: $(first_lines "$T/frec.err")"
	fi
else
	fail forkexec_build "cannot compile forkexec.c/fx_child.c: $(first_lines "$T/build.log")"
fi
