#!/usr/bin/env bash
# The terminal layer (src/tui) in a real terminal, tmux's: keys decoded,
# the list scrolled and redrawn, and the terminal restored however
# tests/tools/tui_demo ends (q, SIGTERM, SIGINT, SIGHUP, a crash, abort),
# suspended with ctrl-z and taken over again on fg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_tmux.sh"

DEMO=$(dirname "$SONDE")/tests/tools/tui_demo
if [ ! -x "$DEMO" ]; then
	skip tui_demo "no $DEMO (make unit builds it)"
	exit 0
fi
if ! tmux_available; then
	skip tui_tmux "tmux cannot run here (scripts/install-deps installs it)"
	exit 0
fi

# start_demo NAME [LINES]: tui_demo in an 60x15 terminal, drawn
start_demo() {
	tmux_start "$1" 60 15 && tmux_run "$1" "$DEMO ${2:-100}" && tmux_wait "$1" 'top line 1 ' 5
}

# Scrolling by lines, pages, to the end and back; keys named as bacon
# names them; q quits and leaves the terminal as it was.
if start_demo q &&
	tmux_keys q Down Down Down && tmux_wait q 'top line 4 .*last key down' &&
	tmux_keys q k && tmux_wait q 'top line 3 .*last key k' &&
	tmux_keys q PageDown && tmux_wait q 'top line 1[0-9] .*last key pagedown' &&
	tmux_keys q End && tmux_wait q 'last key end' && tmux_wait q '^line 100 *$' &&
	tmux_keys q Home && tmux_wait q 'top line 1 .*last key home' &&
	tmux_keys q F5 && tmux_wait q 'last key f5' &&
	tmux_keys q M-w && tmux_wait q 'last key alt-w' &&
	tmux_keys q G && tmux_wait q 'last key G' &&
	tmux_keys q Escape && tmux_wait q 'last key esc' &&
	tmux_keys q q && tmux_wait_exit q && [ "$(tmux_status q)" = 0 ] && tmux_restored q; then
	pass tui_quit_restores
else
	fail tui_quit_restores "see the log"
fi
if tmux_capture q | grep -q 'keys: down down down k pagedown end home f5 alt-w G esc q'; then
	pass tui_keys_decoded
else
	fail tui_keys_decoded "$(tmux_capture q | grep keys:)"
fi

# A sequence cut in two by the terminal (here: two writes 0.3 s apart, a
# lone Esc waiting 2 s) is one key.
if tmux_start split 60 15 && tmux_run split "$DEMO 100 2000" && tmux_wait split 'top line 1 ' 5 &&
	tmux_bytes split 1b 5b && sleep 0.3 && tmux_bytes split 42 &&
	tmux_wait split 'top line 2 .*last key down'; then
	pass tui_split_sequence
else
	fail tui_split_sequence "ESC [ then B was not one down key"
fi
tmux_keys split q

# Wrapping: a long line takes two rows at width 60; w cuts it.
if start_demo wrap && tmux_wait wrap '^line 7 which is long' && tmux_wait wrap 'often are' &&
	tmux_keys wrap w && tmux_wait wrap 'tui_demo +100 lines +cut' && ! tmux_capture wrap | grep -q 'often are'; then
	pass tui_wrap_toggle
else
	fail tui_wrap_toggle "w did not cut the long line"
fi
tmux_keys wrap q

# Output's escape sequences other than colors do not reach the terminal.
if start_demo title && [ "$(tmux_format title '#{pane_title}')" != pwned ]; then
	pass tui_output_sanitized
else
	fail tui_output_sanitized "the job output set the title"
fi
tmux_keys title q

# A resize redraws at the new size: the status line moves up.
if start_demo resize && tmux_resize resize 40 10 && tmux_wait resize 'top line' &&
	[ "$(tmux_capture resize | grep -n 'top line' | cut -d: -f1)" = 9 ]; then
	pass tui_resize
else
	fail tui_resize "no redraw at 40x10"
fi
tmux_keys resize q

# Killed by a signal: restored, then dead of that signal.
for sig in TERM INT HUP QUIT; do
	if start_demo "sig$sig" && kill -"$sig" "$(tmux_pid "sig$sig")" && tmux_wait_exit "sig$sig" &&
		[ "$(tmux_status "sig$sig")" = $((128 + $(kill -l "$sig"))) ] && tmux_restored "sig$sig"; then
		pass "tui_sig${sig}_restores"
	else
		fail "tui_sig${sig}_restores" "see the log"
	fi
done

# Crashes: restored from the signal handler, then the crash goes on.
for key in x a; do
	sig=SEGV
	[ "$key" = a ] && sig=ABRT
	if start_demo "crash$key" && tmux_keys "crash$key" "$key" && tmux_wait_exit "crash$key" &&
		[ "$(tmux_status "crash$key")" = $((128 + $(kill -l "$sig"))) ] && tmux_restored "crash$key"; then
		pass "tui_crash_${key}_restores"
	else
		fail "tui_crash_${key}_restores" "see the log"
	fi
done

# ctrl-z: the terminal given back while stopped, taken again on fg.
if start_demo stop && tmux_keys stop C-z && tmux_wait stop 'Stopped|^\$ ' &&
	[ "$(tmux_format stop '#{alternate_on}')" = 0 ] &&
	tmux_keys stop fg Enter && tmux_wait stop 'top line 1 ' &&
	[ "$(tmux_format stop '#{alternate_on}')" = 1 ] &&
	tmux_keys stop q && tmux_wait_exit stop && tmux_restored stop; then
	pass tui_suspend_resume
else
	fail tui_suspend_resume "see the log"
fi
