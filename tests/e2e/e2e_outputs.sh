#!/usr/bin/env bash
# e2e_outputs: nothing the user had is lost when sonde writes nothing new,
# and a result that could not be written is an error (issue 15, points 5
# and 8). One rule for every output (util/outfile.h): a new file is
# written beside its name and renamed into place (a recording once its
# command runs, anything else once complete); a recording replacing
# another keeps it as FILE.old, as perf does.
. "$(dirname "$0")/lib.sh"

build_fx heap_basic heap_basic.c || { fail outputs_build "heap_basic.c: $(first_lines "$T/build.log")"; exit 0; }
cd "$T" || exit 1

# ---- a command that passes every check but cannot exec (ETXTBSY: a file
# open for writing): record and heap leave FILE and FILE.old as they were ----
cp "$FIX/heap_basic" "$T/busy"
exec 9>>"$T/busy"
echo A >rec.data
echo B >rec.data.old
rc=$(run_rc "$T/busyr" "$SONDE" record -o rec.data -- ./busy)
if [ "$rc" = 126 ] && [ "$(cat rec.data)" = A ] && [ "$(cat rec.data.old 2>/dev/null)" = B ] &&
	grep -q 'Text file busy' "$T/busyr.err" && [ -z "$(ls -A | grep -- '-XXXX\|sonde-')" ]; then
	pass outputs_record_cannot_start_keeps_old
else
	fail outputs_record_cannot_start_keeps_old "exit $rc, rec.data=$(cat rec.data 2>&1) .old=$(cat rec.data.old 2>&1): $(first_lines "$T/busyr.err")"
fi
echo H >h.zst
rc=$(run_rc "$T/busyh" "$SONDE" heap -o h.zst ./busy)
if [ "$rc" = 126 ] && [ "$(cat h.zst 2>/dev/null)" = H ] && [ ! -e h.zst.old ]; then
	pass outputs_heap_cannot_start_keeps_file
else
	fail outputs_heap_cannot_start_keeps_file "exit $rc, h.zst=$(cat h.zst 2>&1): $(first_lines "$T/busyh.err")"
fi
exec 9>&-

# ---- the same rule for record and heap: the previous file is kept as .old ----
"$SONDE" record -q -o rec.data -- "$FIX/heap_basic" >/dev/null 2>&1
"$SONDE" heap -o h.zst "$FIX/heap_basic" >/dev/null 2>&1
if [ "$(cat rec.data.old)" = A ] && [ "$(cat h.zst.old)" = H ] &&
	"$SONDE" report -i rec.data --stdio >/dev/null 2>&1 && "$SONDE" heap report h.zst >/dev/null 2>&1; then
	pass outputs_previous_kept_as_old
else
	fail outputs_previous_kept_as_old "rec.data.old=$(cat rec.data.old 2>&1) h.zst.old=$(head -c 20 h.zst.old 2>&1)"
fi

# ---- through a symlink: the target is replaced, the link stays ----
mkdir -p d && echo old >d/real.svg && ln -sf d/real.svg link.svg
"$SONDE" flamegraph --folded /dev/stdin -o link.svg <<<'main;f 5' >/dev/null 2>&1
if [ -L link.svg ] && grep -q '<svg' d/real.svg; then
	pass outputs_symlink_target_replaced
else
	fail outputs_symlink_target_replaced "$(ls -l link.svg d 2>&1 | tr '\n' ' ')"
fi

# ---- writes that fail: /dev/full everywhere, then a full file system ----
rc=$(run_rc "$T/fullmc" "$SONDE" memcheck --log-file=/dev/full "$FIX/heap_basic")
if [ "$rc" != 0 ] && grep -q "cannot write the memcheck report to '/dev/full': No space left on device" "$T/fullmc.err"; then
	pass outputs_memcheck_log_write_fails
else
	fail outputs_memcheck_log_write_fails "exit $rc: $(first_lines "$T/fullmc.err")"
fi
rc=$(run_rc "$T/fullfd" "$SONDE" memcheck --log-fd=5 "$FIX/heap_basic" 5>/dev/full)
if [ "$rc" != 0 ] && grep -q "cannot write the memcheck report to file descriptor 5" "$T/fullfd.err"; then
	pass outputs_memcheck_log_fd_write_fails
else
	fail outputs_memcheck_log_fd_write_fails "exit $rc: $(first_lines "$T/fullfd.err")"
fi
rc=$(run_rc "$T/fullcol" "$SONDE" collapse -o /dev/full /dev/stdin <<<'x 1 1.0: 1 cpu-clock:
	1 f (/bin/x)
')
if [ "$rc" != 0 ] && grep -q "No space left on device" "$T/fullcol.err"; then
	pass outputs_collapse_write_fails
else
	fail outputs_collapse_write_fails "exit $rc: $(first_lines "$T/fullcol.err")"
fi

mkdir -p "$T/full"
if mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	echo 'old log' >"$T/full/mc.log"
	echo 'old xml' >"$T/full/mc.xml"
	echo 'old svg' >"$T/full/f.svg"
	head -c 65536 /dev/zero >"$T/full/filler" 2>/dev/null
	rc=$(run_rc "$T/tlog" "$SONDE" memcheck --log-file="$T/full/mc.log" "$FIX/heap_basic")
	rc2=$(run_rc "$T/txml" "$SONDE" memcheck -q --xml=yes --xml-file="$T/full/mc.xml" "$FIX/heap_basic")
	if [ "$rc" != 0 ] && [ "$rc2" != 0 ] && grep -q 'No space left on device; free some space or choose another --log-file' "$T/tlog.err" &&
		grep -q 'choose another --xml-file' "$T/txml.err" &&
		[ "$(cat "$T/full/mc.log")" = 'old log' ] && [ "$(cat "$T/full/mc.xml")" = 'old xml' ]; then
		pass outputs_memcheck_full_disk
	else
		fail outputs_memcheck_full_disk "exit $rc/$rc2: $(first_lines "$T/tlog.err") / $(first_lines "$T/txml.err")"
	fi
	seq 1 3000 | sed 's/.*/main;f&;g 1/' >"$T/many.folded"
	rc=$(run_rc "$T/tsvg" "$SONDE" flamegraph --folded "$T/many.folded" -o "$T/full/f.svg")
	if [ "$rc" != 0 ] && grep -q 'No space left on device' "$T/tsvg.err" && [ "$(cat "$T/full/f.svg")" = 'old svg' ] &&
		[ "$(ls -A "$T/full" | wc -l)" = 4 ]; then
		pass outputs_flamegraph_full_disk_keeps_old
	else
		fail outputs_flamegraph_full_disk_keeps_old "exit $rc: $(first_lines "$T/tsvg.err") / $(ls -A "$T/full" | tr '\n' ' ')"
	fi
	umount "$T/full"
else
	skip outputs_memcheck_full_disk "cannot mount a tmpfs here (not root?)"
	skip outputs_flamegraph_full_disk_keeps_old "cannot mount a tmpfs here (not root?)"
fi

# ---- an unwritable output is refused before the command runs ----
t0=$(now_ms)
rc=$(run_rc "$T/ro" "$SONDE" flamegraph -o /proc/sonde-no/x.svg -- sleep 2)
dt=$(( $(now_ms) - t0 ))
rc2=$(run_rc "$T/rom" "$SONDE" memcheck --log-file=/proc/sonde-no/x.log sleep 2)
dt2=$(( $(now_ms) - t0 - dt ))
if [ "$rc" != 0 ] && [ "$rc2" != 0 ] && [ $dt -lt 1500 ] && [ $dt2 -lt 1500 ]; then
	pass outputs_unwritable_refused_first
else
	fail outputs_unwritable_refused_first "exit $rc after ${dt} ms, $rc2 after ${dt2} ms: $(first_lines "$T/ro.err") / $(first_lines "$T/rom.err")"
fi
