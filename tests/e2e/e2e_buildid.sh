#!/usr/bin/env bash
# e2e_buildid: a binary rebuilt (or removed) after `sonde record` or
# `sonde heap` is symbolized from the build-id cache the recorder filled;
# without a copy there (--no-buildid-cache, or the entry deleted) the
# report names the file in its header (stderr for script, flamegraph and
# folded output) instead of showing bare [unknown]. A cache that cannot be
# written costs one warning line, never the recording.
#
# Each rebuild moves the code: pad.h puts 64 KiB (pad2.h 128 KiB) of
# padding ahead of the program's functions (.text.unlikely is laid out
# first), so the recorded addresses land in it.
. "$(dirname "$0")/lib.sh"

CACHE=$SONDE_BUILDID_DIR
pad='__attribute__((used, section(".text.unlikely"))) static void sonde_pad(void)'
printf '%s { __asm__ volatile(".skip 65536"); }\n' "$pad" >"$T/pad.h"
printf '%s { __asm__ volatile(".skip 131072"); }\n' "$pad" >"$T/pad2.h"

# build OUT SRC [EXTRA...] : the fixture into $T (it gets rebuilt, so not $FIX)
build() {
	local out=$1 src=$2; shift 2
	gcc -O2 -g -fno-omit-frame-pointer -I"$FIXSRC" -o "$T/$out" "$FIXSRC/$src" "$@" 2>>"$T/build.log"
}
build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID:/ { print $3; exit }'; }
warned() { grep -q "warning: $1 changed since the recording (build-id $2 recorded" "$3"; }

if ! build app spin.c || [ -z "$(build_id "$T/app")" ]; then
	skip buildid "cannot build spin.c with a build-id"
	exit 0
fi
if ! "$SONDE" record -q -e cpu-clock -o "$T/probe.data" true >/dev/null 2>&1; then
	skip buildid_record "sonde record cannot sample here"
else
	# ---- sonde record: the cache after a rebuild ----
	id1=$(build_id "$T/app")
	"$SONDE" record -q -e cpu-clock -o "$T/a.data" "$T/app" 0.4 2>"$T/a.err"
	entry="$CACHE/${id1:0:2}/${id1:2}"
	if [ -f "$entry" ] && cmp -s "$entry" "$T/app"; then
		pass record_fills_cache
	else
		fail record_fills_cache "no copy at $entry: $(ls -R "$CACHE" 2>&1 | head -5 | tr '\n' ' ')"
	fi
	build app spin.c -include "$T/pad.h"
	"$SONDE" report -i "$T/a.data" --stdio -g none >"$T/a.txt" 2>"$T/a.rerr"
	pct=$(report_pct "$T/a.txt" spin_hot)
	if [ -n "$pct" ] && fgt "$pct" 50 && ! grep -q '^# warning' "$T/a.txt"; then
		pass report_rebuilt_from_cache
	else
		fail report_rebuilt_from_cache "spin_hot ${pct:-absent}: $(report_rows "$T/a.txt" | head -2 | tr '\n' '|')"
	fi
	rm -f "$T/app"
	"$SONDE" report -i "$T/a.data" --stdio -g none >"$T/gone.txt" 2>&1
	pct=$(report_pct "$T/gone.txt" spin_hot)
	if [ -n "$pct" ] && fgt "$pct" 50; then
		pass report_removed_from_cache
	else
		fail report_removed_from_cache "spin_hot ${pct:-absent}: $(report_rows "$T/gone.txt" | head -2 | tr '\n' '|')"
	fi

	# ---- no copy: the header names the file ----
	build app spin.c -include "$T/pad.h"
	id2=$(build_id "$T/app")
	"$SONDE" record -q --no-buildid-cache -e cpu-clock -o "$T/b.data" "$T/app" 0.4 2>"$T/b.err"
	build app spin.c -include "$T/pad2.h"
	"$SONDE" report -i "$T/b.data" --stdio -g none >"$T/b.txt" 2>"$T/b.rerr"
	if [ -e "$CACHE/${id2:0:2}/${id2:2}" ]; then
		fail report_header_names_rebuilt_file "--no-buildid-cache copied $T/app all the same"
	elif warned "$T/app" "$id2" "$T/b.txt" && grep -q 'samples show as \[unknown\]; record again' "$T/b.txt" &&
		[ "$(grep -c '^# warning' "$T/b.txt")" = 1 ]; then
		pass report_header_names_rebuilt_file
	else
		fail report_header_names_rebuilt_file "$(grep '^#' "$T/b.txt" | tr '\n' '|' | cut -c1-400)"
	fi
	"$SONDE" script -i "$T/b.data" >/dev/null 2>"$T/b.script.err"
	"$SONDE" flamegraph -i "$T/b.data" -o "$T/b.svg" >/dev/null 2>"$T/b.fg.err"
	if warned "$T/app" "$id2" "$T/b.script.err" && warned "$T/app" "$id2" "$T/b.fg.err"; then
		pass script_flamegraph_warn_on_stderr
	else
		fail script_flamegraph_warn_on_stderr "$(cat "$T/b.script.err" "$T/b.fg.err" | head -3 | tr '\n' '|')"
	fi

	# ---- the entry deleted from the cache: the same warning ----
	id3=$(build_id "$T/app")
	"$SONDE" record -q -e cpu-clock -o "$T/c.data" "$T/app" 0.4 2>"$T/c.err"
	rm -f "$CACHE/${id3:0:2}/${id3:2}"
	build app spin.c
	"$SONDE" report -i "$T/c.data" --stdio -g none >"$T/c.txt" 2>&1
	if warned "$T/app" "$id3" "$T/c.txt"; then
		pass report_header_cache_entry_deleted
	else
		fail report_header_cache_entry_deleted "$(grep '^#' "$T/c.txt" | tr '\n' '|' | cut -c1-400)"
	fi

	# ---- a cache that cannot be written: one warning, the recording is fine ----
	echo "not a directory" >"$T/blocker"
	SONDE_BUILDID_DIR=$T/blocker/cache "$SONDE" record -q -e cpu-clock -o "$T/d.data" "$T/app" 0.1 \
		>"$T/d.out" 2>"$T/d.err"
	rc=$?
	if [ "$rc" = 0 ] && [ "$(grep -c 'warning: cannot add .* to the build-id cache' "$T/d.err")" = 1 ] &&
		"$SONDE" report -i "$T/d.data" --stdio >/dev/null 2>&1; then
		pass record_survives_unwritable_cache
	else
		fail record_survives_unwritable_cache "rc=$rc: $(first_lines "$T/d.err")"
	fi
fi

# ---- perf.data: its build-ids, and perf's own cache (perf --buildid-dir) ----
if command -v perf >/dev/null && build papp spin.c &&
	perf --buildid-dir "$T/perfdebug" record -q -e cpu-clock -o "$T/p.data" "$T/papp" 0.3 >/dev/null 2>&1; then
	build papp spin.c -include "$T/pad.h"
	PERF_BUILDID_DIR=$T/perfdebug "$SONDE" report -i "$T/p.data" --stdio -g none >"$T/p.txt" 2>&1
	pct=$(report_pct "$T/p.txt" spin_hot)
	if [ -n "$pct" ] && fgt "$pct" 50; then
		pass perf_data_from_perf_cache
	else
		fail perf_data_from_perf_cache "spin_hot ${pct:-absent}: $(report_rows "$T/p.txt" | head -2 | tr '\n' '|')"
	fi
else
	skip perf_data_from_perf_cache "perf cannot record here"
fi

# ---- sonde heap: the same for heap traces ----
if ! build happ heap_basic.c; then
	skip buildid_heap "cannot build heap_basic.c"
	exit 0
fi
"$SONDE" heap -o "$T/h1.zst" "$T/happ" >/dev/null 2>"$T/h1.err"
build happ heap_basic.c -include "$T/pad.h"
"$SONDE" heap report "$T/h1.zst" >"$T/h1.txt" 2>"$T/h1.rerr"
if grep -q '^churn$' "$T/h1.txt" && grep -q '^build_list$' "$T/h1.txt" && ! grep -q 'warning' "$T/h1.txt"; then
	pass heap_report_rebuilt_from_cache
else
	fail heap_report_rebuilt_from_cache "$(sed -n '4,8p' "$T/h1.txt" | tr '\n' '|')"
fi
hid=$(build_id "$T/happ")
"$SONDE" heap --no-buildid-cache -o "$T/h2.zst" "$T/happ" >/dev/null 2>"$T/h2.err"
build happ heap_basic.c -include "$T/pad2.h"
"$SONDE" heap report "$T/h2.zst" >"$T/h2.txt" 2>"$T/h2.rerr"
"$SONDE" heap report "$T/h2.zst" --flamegraph-cost allocations >/dev/null 2>"$T/h2.folded.err"
if [ ! -e "$CACHE/${hid:0:2}/${hid:2}" ] && warned "$T/happ" "$hid" "$T/h2.txt" &&
	warned "$T/happ" "$hid" "$T/h2.folded.err"; then
	pass heap_report_names_rebuilt_file
else
	fail heap_report_names_rebuilt_file "$(head -4 "$T/h2.txt" | tr '\n' '|') $(first_lines "$T/h2.folded.err")"
fi
