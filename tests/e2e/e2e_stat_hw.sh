#!/usr/bin/env bash
# e2e_stat_hw: sonde stat's hardware and cache events as perf spells them.
# Without a PMU here, the counted path runs on the fake counter source
# (SONDE_FAKE_COUNTERS, collect/counter_source.h): the printed lines,
# percentages, scaling, <not counted>, <not supported>; on the real machine,
# the "no counters here" note; and every name's perf_event_attr type/config
# checked against perf's own (`perf stat -vv`), through the fake source.
. "$(dirname "$0")/lib.sh"

# ---- the fake source: counts → perf stat's lines ----
cat >"$T/fake" <<'EOT'
pmu yes
L1-dcache-loads 1000000
L1-dcache-load-misses 12345 2000000 1000000
LLC-loads 0 1000 0
LLC-load-misses 77
cache-references 20000
cache-misses 500
cycles 3000000
stalled-cycles-frontend 300000
dTLB-loads unsupported
EOT
evs=L1-dcache-loads,L1-dcache-load-misses,LLC-loads,LLC-load-misses,cache-references,cache-misses,cycles,stalled-cycles-frontend,dTLB-loads
rc=$(SONDE_FAKE_COUNTERS=$T/fake run_rc "$T/f" "$SONDE" stat -e "$evs" -- true)
[ "$rc" = 0 ] && pass stat_hw_fake_runs || fail stat_hw_fake_runs "exit $rc: $(first_lines "$T/f.err")"
# want LINE: one of stderr's lines, byte for byte (perf's widths)
want() {
	if grep -qxF -- "$2" "$T/f.err"; then pass "$1"; else
		fail "$1" "want '$2'; got '$(grep -F -- "$3" "$T/f.err" | head -1)'"
	fi
}
want stat_hw_l1_ratio "             24690      L1-dcache-load-misses            #    2.47% of all L1-dcache accesses  (50.00%)" L1-dcache-load-misses
want stat_hw_cache_refs "               500      cache-misses                     #    2.500 % of all cache refs    " cache-misses
want stat_hw_stalled "            300000      stalled-cycles-frontend          #   10.00% frontend cycles idle   " stalled-cycles
want stat_hw_not_counted "     <not counted>      LLC-loads                                                     (0.00%)" LLC-loads
want stat_hw_not_supported "   <not supported>      dTLB-loads                                                  " dTLB-loads
# no LLC-loads counted: the LLC ratio is left blank, as perf leaves it
want stat_hw_blank_ratio "$(printf '%18s %-4s %-32s%35s' 77 '' LLC-load-misses '')" LLC-load-misses
if grep -q 'no hardware performance counters' "$T/f.err"; then fail stat_hw_no_note_with_pmu "the note, with 'pmu yes'"; else pass stat_hw_no_note_with_pmu; fi

# -x: perf's CSV fields (value, unit, event, time running, % running, metric)
rc=$(SONDE_FAKE_COUNTERS=$T/fake run_rc "$T/x" "$SONDE" stat -x, -e "$evs" -- true)
if grep -qxF '24690,,L1-dcache-load-misses,1000000,50.00,2.469,of all L1-dcache accesses' "$T/x.err" &&
	grep -qxF '<not counted>,,LLC-loads,0,0.00,,' "$T/x.err" && grep -qxF '<not supported>,,dTLB-loads,0,100.00,,' "$T/x.err"; then
	pass stat_hw_csv
else
	fail stat_hw_csv "$(first_lines "$T/x.err" 4)"
fi

# no PMU (faked): the note, once, saying what to do; software events count on
printf 'pmu no\n' >"$T/nopmu"
rc=$(SONDE_FAKE_COUNTERS=$T/nopmu run_rc "$T/n" "$SONDE" stat -r 2 -e cycles,L1-dcache-load-misses,task-clock -- true)
if [ "$rc" = 0 ] && [ "$(grep -c 'no hardware performance counters here' "$T/n.err")" = 1 ] &&
	grep -q 'sonde cachegrind' "$T/n.err" && grep -Eq '^ +[0-9.,]+ msec task-clock' "$T/n.err"; then
	pass stat_hw_note_once
else
	fail stat_hw_note_once "exit $rc: $(first_lines "$T/n.err" 3)"
fi
printf 'bogus line here\n' >"$T/bad"
rc=$(SONDE_FAKE_COUNTERS=$T/bad run_rc "$T/b" "$SONDE" stat -e cycles -- true)
[ "$rc" = 2 ] && grep -q "$T/bad:1" "$T/b.err" && pass stat_hw_fake_bad_file || fail stat_hw_fake_bad_file "exit $rc: $(first_lines "$T/b.err")"

# a cache op perf does not have: refused as a usage error that says why
rc=$(run_rc "$T/u" "$SONDE" stat -e L1-icache-stores -- true)
[ "$rc" = 129 ] && grep -q 'no stores on L1-icache' "$T/u.err" && pass stat_hw_refused_op || fail stat_hw_refused_op "exit $rc: $(first_lines "$T/u.err")"

# ---- the real machine ----
rc=$(run_rc "$T/r" "$SONDE" stat -e L1-dcache-load-misses,cache-misses,task-clock -- true)
[ "$rc" = 0 ] && pass stat_hw_real_runs || fail stat_hw_real_runs "exit $rc: $(first_lines "$T/r.err")"
if grep -Eq '^ +(<not supported>|[0-9,]+) +L1-dcache-load-misses' "$T/r.err"; then pass stat_hw_real_line; else
	fail stat_hw_real_line "$(grep -m1 L1-dcache "$T/r.err")"
fi
if grep -q '<not supported>.*L1-dcache-load-misses' "$T/r.err" && [ ! -e /sys/bus/event_source/devices/cpu ] &&
	[ ! -e /sys/bus/event_source/devices/cpu_core ]; then
	if [ "$(grep -c 'no hardware performance counters here.*sonde cachegrind' "$T/r.err")" = 1 ]; then
		pass stat_hw_real_note
	else
		fail stat_hw_real_note "no PMU here, but no note: $(first_lines "$T/r.err" 3)"
	fi
else
	skip stat_hw_real_note "this machine has a PMU"
fi

if ! command -v perf >/dev/null; then
	skip stat_hw_perf_layout "no perf"
	skip stat_hw_perf_attrs "no perf"
	exit 0
fi

# the same <not supported> lines as perf, byte for byte, where perf has none either
perf stat -e L1-dcache-load-misses,L1-dcache-loads,cache-misses,r1a2 true 2>"$T/p.err" >/dev/null
"$SONDE" stat -e L1-dcache-load-misses,L1-dcache-loads,cache-misses,r1a2 true 2>"$T/s.err" >/dev/null
if [ "$(grep -c 'not supported' "$T/p.err")" != 4 ]; then
	skip stat_hw_perf_layout "perf counts these events here"
elif diff <(grep '^ *<not supported>' "$T/p.err") <(grep '^ *<not supported>' "$T/s.err") >"$T/d"; then
	pass stat_hw_perf_layout
else
	fail stat_hw_perf_layout "$(tr '\n' '|' <"$T/d" | cut -c1-300)"
fi

# every name perf lists (perf list hw cache's names), the aliases, the generic
# hardware events and raw ones: the attr perf would open, handed to sonde as
# the fake's TYPE:CONFIG; sonde must count that one under the name.
names=""
for c in L1-dcache:lsp L1-icache:lp LLC:lsp dTLB:lsp iTLB:l branch:l node:lsp; do
	cache=${c%%:*} ops=${c##*:}
	for o in load store prefetch; do
		case $ops in *${o:0:1}*) ;; *) continue ;; esac
		plural=${o}s
		[ "$o" = prefetch ] && plural=prefetches
		names="$names $cache-$plural $cache-$o-misses"
	done
done
names="$names l1-d-loads L1-data-load-miss l1d-loads L1-dcache L1-dcache-misses L1-dcache-Reference
	L1-dcache-write-ops L1-dcache-misses-store L1-dcache-speculative-read l1i-loads L1-instruction-prefetches
	LLC-speculative-read-misses L2-loads Data-TLB-loads d-tlb-write Instruction-TLB-miss bpu-load-misses
	btb-loads bpc-misses branch cycles cpu-cycles instructions cache-references cache-misses branches
	branch-instructions branch-misses bus-cycles ref-cycles stalled-cycles-frontend idle-cycles-frontend
	stalled-cycles-backend idle-cycles-backend alignment-faults emulation-faults r1a2 rFFFF r0"
: >"$T/attrs"
n=0
for name in $names; do
	perf stat -vv -e "$name" true 2>&1 >/dev/null | awk -v n="$name" '
		/^perf_event_attr:/ { blk++ } blk == 1 && /^  type / { t = $2 } blk == 1 && /^  config / { c = $2 }
		END { if (blk) printf "%s %d:%s\n", n, t + 0, (c == "" ? "0" : c) }' >>"$T/attrs"
	n=$((n + 1))
done
if [ "$(wc -l <"$T/attrs")" != "$n" ]; then
	fail stat_hw_perf_attrs "perf refused some names: $(awk '{ print $1 }' "$T/attrs" | tr '\n' ' ' | cut -c1-200)"
	exit 0
fi
# a distinct count per attr; then one sonde run over every name
awk '!seen[$2]++ { printf "%s %d\n", $2, 1000 + NR }' "$T/attrs" >"$T/fake_attrs"
SONDE_FAKE_COUNTERS=$T/fake_attrs "$SONDE" stat -x, -e "$(awk '{ print $1 }' "$T/attrs" | paste -sd,)" -- true \
	2>"$T/a.err" >/dev/null
bad=$(awk 'FILENAME == ARGV[1] { cnt[$1] = $2; next }
	FILENAME == ARGV[2] { attr[$1] = $2; next }
	{ split($0, f, ","); got[f[3]] = f[1] }
	END { for (n in attr) if (got[n] != cnt[attr[n]]) printf "%s(perf %s: sonde %s) ", n, attr[n], got[n] }' \
	"$T/fake_attrs" "$T/attrs" "$T/a.err")
if [ -z "$bad" ]; then pass stat_hw_perf_attrs; else fail stat_hw_perf_attrs "${bad:0:300}"; fi
