#!/usr/bin/env bash
# The watch modules end to end, through tests/tools/watch_probe (what
# `sonde watch` will drive): a job killed mid-run by a change leaves no
# process of its group behind, and editor-style rename-saves each start
# the job again.
. "$(dirname "$0")/lib.sh"
PROBE=$(dirname "$SONDE")/tests/tools/watch_probe
if [ ! -x "$PROBE" ]; then
	skip watch_modules "no $PROBE (make unit builds it)"
	exit 0
fi
P=$T/proj
mkdir -p "$P/src"
# its own repository, as cargo new makes: the suite's temp dir is git-ignored
git init -q "$P"
: >"$P/Cargo.toml"
: >"$P/src/main.rs"

# lines: wait until FILE has at least N lines (up to 5 s)
wait_lines() {
	local file=$1 n=$2 i
	for i in $(seq 100); do
		[ "$(grep -c . "$file" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# 1. kill_then_restart with a job that has grandchildren
"$PROBE" -k "$P" -- sh -c 'echo "pgid $$"; sleep 100 & sleep 100' >"$T/kill.out" 2>"$T/kill.err" &
probe=$!
sleep 0.3
echo 1 >"$P/src/main.rs"
if wait_lines "$T/kill.out" 2; then
	first=$(awk '/^pgid/ {print $2; exit}' "$T/kill.out")
	sleep 0.2
	alive_before=$(pgrep -g "$first" | wc -l)
	echo 2 >"$P/src/main.rs"
	wait_lines "$T/kill.out" 4
	second=$(awk '/^pgid/ {p=$2} END {print p}' "$T/kill.out")
	left=$(pgrep -g "$first" | wc -l)
	if [ "$alive_before" -ge 2 ] && [ "$left" -eq 0 ] && [ "$second" != "$first" ]; then
		pass watch_kill_no_orphans
	else
		fail watch_kill_no_orphans "group $first: $alive_before processes before the change, $left after"
	fi
	kill -TERM "$probe"
	wait "$probe"
	left=$(pgrep -g "$second" | wc -l)
	if [ "$left" -eq 0 ]; then pass watch_stop_kills_job; else fail watch_stop_kills_job "$left left in group $second"; fi
else
	kill "$probe"
	fail watch_kill_no_orphans "the job never started: $(tail -1 "$T/kill.err")"
fi

# 2. rename-saves, each waited for
"$PROBE" "$P" >"$T/save.out" 2>"$T/save.err" &
probe=$!
sleep 0.3
lost=0
for i in $(seq 40); do
	echo "save $i" >"$P/src/.main.rs.swp"
	mv "$P/src/.main.rs.swp" "$P/src/main.rs"
	wait_lines "$T/save.out" "$i" || lost=$((lost + 1))
	sleep 0.03
done
kill -TERM "$probe"
wait "$probe"
if [ "$lost" -eq 0 ]; then pass watch_rename_save; else fail watch_rename_save "$lost of 40 saves not seen"; fi

# 3. bad input: nothing to watch is a one-line error and a non-zero exit
if "$PROBE" "$T/nowhere" >/dev/null 2>"$T/bad.err"; then
	fail watch_nothing_to_watch "exit status 0"
elif [ "$(wc -l <"$T/bad.err")" -eq 1 ]; then
	pass watch_nothing_to_watch
else
	fail watch_nothing_to_watch "$(cat "$T/bad.err")"
fi
