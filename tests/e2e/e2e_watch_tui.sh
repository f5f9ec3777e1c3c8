#!/usr/bin/env bash
# e2e_watch_tui: `sonde watch` in a terminal, driven through tmux
# (tests/e2e/lib_tmux.sh):
#  1. the badge line names the project and job and says "pass!" or counts
#     the errors of a gcc job (the cpp analyzer), the help line is built
#     from the bindings;
#  2. keys from the file's [keybindings] switch jobs; Esc goes back to the
#     job before; s toggles summary mode (only the error's title and
#     location are left);
#  3. a change reruns the job (the output changes on screen);
#  4. an edit of bacon.toml reloads it and its keys still work (they were
#     read from the settings the reload replaces);
#  5. q quits and the terminal is restored; a job killed mid-run by a
#     change leaves no process behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tmux.sh"

tmux_available || { skip watch_tui "no tmux (scripts/install-deps installs it)"; exit 0; }
command -v gcc >/dev/null || { skip watch_tui "no gcc"; exit 0; }
marker=$((RANDOM + 40000))
mkdir -p "$T/proj/src" && cd "$T/proj" && git init -q .
cat >src/bad.c <<'C'
int main(void)
{
	int x = undefined_thing;
	return x;
}
C
echo hello >src/msg.txt
cat >bacon.toml <<TOML
default_job = "greet"
[jobs.greet]
command = ["sh", "-c", "echo greeting; cat src/msg.txt"]
need_stdout = true
default_watch = false
watch = ["src"]
[jobs.cc]
command = ["gcc", "-c", "-o", "/dev/null", "src/bad.c"]
analyzer = "cpp"
default_watch = false
watch = ["src"]
[jobs.long]
command = ["sh", "-c", "echo long-start; sleep $marker & sleep $marker"]
need_stdout = true
default_watch = false
watch = ["src"]
on_change_strategy = "kill_then_restart"
[keybindings]
g = "job:cc"
shift-l = "job:long"
TOML

tmux_start w 100 30 "$T/proj"
tmux_run w "'$SONDE' watch"
if tmux_wait w 'proj.*greet.*pass!' && tmux_wait w 'hello' && tmux_wait w 'hit q to quit'; then
	pass watch_tui_badge_pass
else
	fail watch_tui_badge_pass "$(tmux_capture w | head -3 | tr '\n' '|')"
fi
tmux_keys w g
if tmux_wait w 'cc.*1 error' && tmux_wait w 'undefined_thing'; then
	pass watch_tui_key_switches_job
else
	fail watch_tui_key_switches_job "$(tmux_capture w | head -5 | tr '\n' '|')"
fi
tmux_keys w s
sleep 0.3
full=$(tmux_capture w | grep -c 'int x = undefined_thing')
tmux_keys w s
if [ "$full" = 0 ] && tmux_wait w 'int x = undefined_thing'; then
	pass watch_tui_summary_toggle
else
	fail watch_tui_summary_toggle "summary still showed the source line ($full)"
fi
tmux_keys w Escape
if tmux_wait w 'proj.*greet.*pass!'; then pass watch_tui_esc_back; else fail watch_tui_esc_back "$(tmux_capture w | head -2 | tr '\n' '|')"; fi
sleep 0.1
echo changed-text >src/.msg.tmp && mv src/.msg.tmp src/msg.txt
if tmux_wait w 'changed-text'; then pass watch_tui_change_reruns; else fail watch_tui_change_reruns "$(tmux_capture w | head -4 | tr '\n' '|')"; fi
sleep 0.1
echo '# edited' >>bacon.toml
sleep 0.5
tmux_keys w g
if tmux_wait w 'cc.*1 error'; then pass watch_tui_keys_after_reload
else fail watch_tui_keys_after_reload "$(tmux_capture w | head -3 | tr '\n' '|')"; fi
tmux_keys w L
tmux_wait w 'long-start' >/dev/null
sleep 0.1
echo again >src/msg.txt
sleep 0.5
tmux_keys w q
tmux_wait_exit w
status=$(tmux_status w)
if [ "$status" = 0 ] && tmux_restored w; then pass watch_tui_quit_restores; else fail watch_tui_quit_restores "status $status: $(tmux_capture w | grep -v "^\s*$" | tail -40 | tr "\n" "|" | cut -c1-3000)"; fi
sleep 0.3
left=$(pgrep -fc "^sleep $marker\$")
if [ "$left" = 0 ]; then pass watch_tui_no_orphans; else fail watch_tui_no_orphans "$left left"; pkill -f "^sleep $marker\$"; fi
