#!/usr/bin/env bash
# e2e_watch: `sonde watch` headless (docs/watch.md) on a plain project:
#  1. -l lists the file's jobs over bacon's built-in ones, and the default;
#  2. a broken bacon.toml is one line FILE:LINE:COL; an unknown job is
#     bacon's `job not found: "x"`; both exit 1;
#  3. headless: a badge line per run; an editor-style save (write a temp
#     file, rename it over the watched one) runs the job again;
#     on_success chains to the next job;
#  4. a change to bacon.toml reloads it (the next run has the new command);
#  5. kill_then_restart: a change kills the running job and its
#     grandchildren; SIGTERM ends sonde (143) and leaves no process behind;
#  6. --init writes bacon.toml once and refuses to overwrite it.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 0
mkdir -p proj/data && cd proj || exit 0
git init -q . # the suite's tmp dir is gitignored: the project needs its own repository
marker=$((RANDOM + 40000)) # a sleep length no other process uses
cat >bacon.toml <<TOML
default_job = "show"
[jobs.show]
command = ["sh", "-c", "echo show-run; cat data/value.txt"]
need_stdout = true
default_watch = false
watch = ["data"]
on_success = "job:after"
[jobs.after]
command = ["sh", "-c", "echo after-run"]
need_stdout = true
default_watch = false
watch = ["data"]
[jobs.long]
command = ["sh", "-c", "echo long-start; sleep $marker & sleep $marker"]
need_stdout = true
default_watch = false
watch = ["data"]
on_change_strategy = "kill_then_restart"
TOML
echo 1 >data/value.txt

# 1.
out=$("$SONDE" watch -l 2>&1)
if grep -q '^show ' <<<"$out" && grep -q '^clippy ' <<<"$out" && grep -q '^default job: show$' <<<"$out"; then
	pass watch_list_jobs
else
	fail watch_list_jobs "$(head -3 <<<"$out" | tr '\n' '|')"
fi

# 2.
mkdir -p ../broken && printf '[jobs.x]\ncommand = ["a"]\nneed_stdout = 3\n' >../broken/bacon.toml
"$SONDE" watch --project ../broken -l >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'bacon.toml:3:15: jobs.x.need_stdout: expected a boolean' "$T/err"; then
	pass watch_bad_config
else
	fail watch_bad_config "rc $rc: $(first_lines "$T/err")"
fi
"$SONDE" watch --once nope >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'job not found: "nope"' "$T/err"; then pass watch_unknown_job
else fail watch_unknown_job "rc $rc: $(first_lines "$T/err")"; fi

# wait_for FILE PATTERN COUNT : until FILE has COUNT lines matching (10 s)
wait_for() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# 3. and 4.
"$SONDE" watch --headless >"$T/h.out" 2>&1 &
pid=$!
if wait_for "$T/h.out" '^\[proj\] after: pass!' 1; then
	pass watch_headless_chain
else
	fail watch_headless_chain "$(tr '\n' '|' <"$T/h.out" | cut -c1-200)"
fi
sleep 0.1
echo 2 >data/.value.txt.tmp && mv data/.value.txt.tmp data/value.txt # an editor's save
if wait_for "$T/h.out" '^\[proj\] after: pass!' 2; then
	pass watch_rename_save_reruns
else
	fail watch_rename_save_reruns "$(tr '\n' '|' <"$T/h.out" | cut -c1-300)"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" = 143 ]; then pass watch_sigterm_status; else fail watch_sigterm_status "status $rc, want 143"; fi

sed -i 's/echo after-run/echo after-reloaded/' bacon.toml
"$SONDE" watch --headless after >"$T/r.out" 2>&1 &
pid=$!
wait_for "$T/r.out" '^\[proj\] after: pass!' 1
sleep 0.1 # past bacon's grace period after a job starts (changes then are the job's own)
sed -i 's/echo after-reloaded/echo after-again/' bacon.toml
if wait_for "$T/r.out" '^after-again' 1; then pass watch_config_reload
else fail watch_config_reload "$(tr '\n' '|' <"$T/r.out" | cut -c1-300)"; fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# 5.
"$SONDE" watch --headless long >"$T/l.out" 2>&1 &
pid=$!
wait_for "$T/l.out" '^long-start' 1
sleep 0.1
echo 3 >data/value.txt
if wait_for "$T/l.out" '^long-start' 2 && [ "$(pgrep -fc "^sleep $marker\$")" -le 2 ]; then
	pass watch_kill_then_restart
else
	fail watch_kill_then_restart "$(grep -c long-start "$T/l.out") starts, $(pgrep -fc "^sleep $marker\$") sleeps"
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sleep 0.3
left=$(pgrep -fc "^sleep $marker\$")
if [ "$left" = 0 ]; then pass watch_no_orphans; else fail watch_no_orphans "$left sleeps left"; pkill -f "^sleep $marker\$"; fi

# 6.
mkdir -p ../fresh && cd ../fresh || exit 0
if "$SONDE" watch --init >/dev/null 2>&1 && [ -s bacon.toml ] && "$SONDE" watch -l >"$T/init-l" 2>/dev/null &&
	grep -q '^cachegrind ' "$T/init-l" && grep -q '^bloat .*cargo bloat --release -n 20' "$T/init-l" &&
	! "$SONDE" watch --init >/dev/null 2>"$T/err" && grep -q 'already exists' "$T/err"; then
	pass watch_init_once
else
	fail watch_init_once "$(first_lines "$T/err")"
fi
