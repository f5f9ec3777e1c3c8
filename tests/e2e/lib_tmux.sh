# Driving full-screen programs in tmux, for end-to-end tests of terminal
# views (sonde watch, tests/tools/tui_demo). Source it after lib.sh.
# Each test file gets a tmux server of its own (its socket named after the
# test's pid), killed when the test ends. A session runs a plain sh (dash:
# no line editor to hide a tty left in raw mode) with the prompt "$ ".
#
#   tmux_available                    true when tmux can run here
#   tmux_start NAME COLS ROWS [DIR]   a detached session NAME of that size,
#                                     its shell in DIR (default: a temp dir
#                                     of the test's, where crashes' core
#                                     files go)
#   tmux_run NAME CMD                 types CMD in NAME's shell; the program's
#                                     pid goes to $(tmux_pid NAME)
#   tmux_keys NAME KEY...             tmux send-keys (q, Down, PageDown, C-c,
#                                     Escape, M-w, ...)
#   tmux_bytes NAME HEX...            sends raw bytes (send-keys -H: 1b 5b 41)
#   tmux_capture NAME                 the pane's text now (lines the terminal
#                                     wrapped joined again)
#   tmux_wait NAME REGEX [SECONDS]    waits (default 10 s) until the pane
#                                     matches (grep -E); on timeout prints
#                                     the pane to stderr and fails
#   tmux_wait_exit NAME [SECONDS]     waits until the program tmux_run started
#                                     has ended
#   tmux_status NAME                  prints the exit status of the program
#                                     tmux_run started (128 + N: killed by
#                                     signal N); call it before tmux_restored
#   tmux_restored NAME                true when the terminal is as the program
#                                     found it: alternate screen left, cursor
#                                     shown, the tty in cooked mode with echo
#                                     (stty -a in the shell), prompt back;
#                                     else prints why to stderr
#   tmux_format NAME FORMAT           tmux display -p FORMAT (#{alternate_on},
#                                     #{cursor_flag}, #{pane_title}, ...)
#   tmux_resize NAME COLS ROWS        resizes the window (the program gets
#                                     SIGWINCH)
unset TMUX TMUX_PANE
TMUX_SOCKET=sonde-test-$$
TMUX_DIR=$T/tmux
mkdir -p "$TMUX_DIR"

tmux_cmd() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }

tmux_available() {
	command -v tmux >/dev/null 2>&1 || return 1
	tmux_cmd new-session -d -s probe -x 20 -y 5 "sleep 5" 2>/dev/null || return 1
	tmux_cmd kill-session -t probe 2>/dev/null
	return 0
}

tmux_cleanup() { tmux_cmd kill-server 2>/dev/null; }
trap 'tmux_cleanup; rm -rf "$T"' EXIT

tmux_start() {
	local name=$1 cols=$2 rows=$3 dir=${4:-$TMUX_DIR}
	# The status bar off: the pane is the whole window, ROWS high.
	tmux_cmd new-session -d -s "$name" -x "$cols" -y "$rows" -c "$dir" \
		"env -i PATH=$PATH HOME=$TMUX_DIR TERM=screen LANG=C.UTF-8 PS1='$ ' ENV= sh -i" || return 1
	tmux_cmd set-option -t "$name" status off >/dev/null
	tmux_cmd set-option -t "$name" remain-on-exit on >/dev/null
	tmux_wait "$name" '^\$' 5
}

tmux_run() {
	local name=$1 cmd=$2
	rm -f "$TMUX_DIR/$name.pid"
	tmux_cmd send-keys -t "$name" -l "sh -c 'echo \$\$ >$TMUX_DIR/$name.pid; exec $cmd'"
	tmux_cmd send-keys -t "$name" Enter
	local i
	for i in $(seq 50); do
		[ -s "$TMUX_DIR/$name.pid" ] && return 0
		sleep 0.1
	done
	echo "tmux_run: $cmd did not start" >&2
	return 1
}

tmux_pid() { cat "$TMUX_DIR/$1.pid" 2>/dev/null; }
tmux_keys() { local name=$1; shift; tmux_cmd send-keys -t "$name" "$@"; }
tmux_bytes() { local name=$1; shift; tmux_cmd send-keys -t "$name" -H "$@"; }
tmux_capture() { tmux_cmd capture-pane -p -J -t "$1"; }
tmux_format() { tmux_cmd display-message -p -t "$1" "$2"; }
tmux_resize() { tmux_cmd resize-window -t "$1" -x "$2" -y "$3"; }

tmux_wait() {
	local name=$1 re=$2 secs=${3:-10}
	local end=$((SECONDS + secs))
	while :; do
		tmux_capture "$name" | grep -Eq -- "$re" && return 0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.1
	done
	{
		echo "tmux_wait: no /$re/ in $secs s; the pane:"
		tmux_capture "$name" | sed 's/^/  | /'
	} >&2
	return 1
}

tmux_wait_exit() {
	local name=$1 secs=${2:-10}
	local pid end=$((SECONDS + ${2:-10}))
	pid=$(tmux_pid "$name") || return 1
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "tmux_wait_exit: pid $pid still runs after $secs s" >&2
			return 1
		fi
		sleep 0.1
	done
}

tmux_status() {
	local name=$1
	tmux_cmd send-keys -t "$name" -l 'echo "exit""-status=$?"'
	tmux_cmd send-keys -t "$name" Enter
	tmux_wait "$name" '^exit-status=[0-9]+' 5 || return 1
	tmux_capture "$name" | sed -n 's/^exit-status=\([0-9]*\).*/\1/p' | tail -1
}

tmux_restored() {
	local name=$1 v
	v=$(tmux_format "$name" '#{alternate_on} #{cursor_flag}')
	if [ "$v" != "0 1" ]; then
		echo "tmux_restored: alternate screen / cursor shown: '$v', expected '0 1'" >&2
		return 1
	fi
	# Typed into the shell: with echo off the command would not show, in
	# raw mode Enter would not end the line; the output says the modes.
	tmux_cmd send-keys -t "$name" -l 'stty -a | tr " " "\n" | grep -x -e icanon -e echo | tr "\n" " "; echo "tty""-mode-end"'
	tmux_cmd send-keys -t "$name" Enter
	tmux_wait "$name" '^icanon echo tty-mode-end' 5 || return 1
	tmux_capture "$name" | grep -q 'echo "tty""-mode-end"' || {
		echo "tmux_restored: the typed command was not echoed" >&2
		return 1
	}
	# and the prompt again, on the last line written
	local end=$((SECONDS + 5))
	until [ "$(tmux_capture "$name" | sed 's/ *$//' | grep -v '^$' | tail -1)" = '$' ]; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "tmux_restored: no prompt after the program" >&2
			return 1
		fi
		sleep 0.1
	done
}
