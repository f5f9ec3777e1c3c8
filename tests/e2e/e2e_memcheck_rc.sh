#!/usr/bin/env bash
# e2e_memcheck_rc: valgrind's other option sources under sonde memcheck:
# ~/.valgrindrc, $VALGRIND_OPTS and ./.valgrindrc, before the command line
# (which wins), skipped with --command-line-only=yes; an rc file others
# can write is refused with valgrind's message. Compared with the real
# valgrind where installed: same status, same lines after masking.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

build_fx heap_basic heap_basic.c || { fail mc_rc_build "$(first_lines "$T/build.log")"; exit 0; }
P=$FIX/heap_basic
mask() { sed -E 's/^(==|--)[0-9]+(==|--)/\1P\2/; s/0x[0-9A-Fa-f]+/ADDR/g; s/\(in [^)]*\)/(in OBJ)/' "$1"; }

mkdir -p "$T/home" "$T/work"
cd "$T/work" || exit 1
printf -- '--leak-check=full\n--error-exitcode=3\n' >"$T/home/.valgrindrc"
printf -- "--errors-for-leak-kinds='definite,possible'  --show-leak-kinds=definite\n" >.valgrindrc
chmod 644 "$T/home/.valgrindrc" .valgrindrc

# each case: NAME, environment words, options
cases=(
	"home_and_cwd|HOME=$T/home|-q"
	"env_between|HOME=$T/home VALGRIND_OPTS=--error-exitcode=5|-q"
	"cmdline_wins|HOME=$T/home VALGRIND_OPTS=--error-exitcode=5|-q --error-exitcode=9"
	"cmdline_only|HOME=$T/home VALGRIND_OPTS=--error-exitcode=5|-q --command-line-only=yes"
	"env_bad_option|HOME=$T/home VALGRIND_OPTS=--no-such-option|-q"
	"listed_with_v|HOME=$T/home VALGRIND_OPTS=--num-callers=4|-v"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name envw opts <<<"$c"
	# shellcheck disable=SC2086
	rc=$(env $envw "$SONDE" memcheck $opts "$P" >/dev/null 2>"$T/$name.s"; echo $?)
	if [ $have_vg = 1 ]; then
		# shellcheck disable=SC2086
		vrc=$(env $envw "$VG" $opts "$P" >/dev/null 2>"$T/$name.v"; echo $?)
		if [ "$name" = listed_with_v ]; then # only the options list: the rest is each tool's own
			mask "$T/$name.s" | sed -n '/Valgrind options:/,/^--P-- [A-Z]/p' | grep -E '^--P--    ' >"$T/$name.sm"
			mask "$T/$name.v" | sed -n '/Valgrind options:/,/^--P-- [A-Z]/p' | grep -E '^--P--    ' >"$T/$name.vm"
		else
			mask "$T/$name.s" >"$T/$name.sm"
			mask "$T/$name.v" >"$T/$name.vm"
		fi
		if [ "$rc" = "$vrc" ] && cmp -s "$T/$name.sm" "$T/$name.vm" && { [ -s "$T/$name.sm" ] || [ "$name" = cmdline_only ]; }; then
			pass "mc_rc_$name"
		else
			fail "mc_rc_$name" "exit $rc (valgrind $vrc): $(diff "$T/$name.sm" "$T/$name.vm" | head -6 | tr '\n' '|')"
		fi
	else
		case $name in
		home_and_cwd) want=3 ;; env_between) want=5 ;; cmdline_wins) want=9 ;; cmdline_only) want=0 ;;
		env_bad_option) want=1 ;; *) want=3 ;;
		esac
		[ "$rc" = "$want" ] && pass "mc_rc_$name" || fail "mc_rc_$name" "exit $rc, want $want: $(first_lines "$T/$name.s")"
	fi
done

# an rc file others can write is not read, with valgrind's message
chmod 666 .valgrindrc
rc=$(HOME=$T/home "$SONDE" memcheck -q "$P" 2>"$T/ww.s" >/dev/null; echo $?)
if grep -q "^==[0-9]*== ./.valgrindrc was not read as it is either not a regular file,$" "$T/ww.s" &&
	grep -q "or is world writeable, or is not owned by the current user.$" "$T/ww.s" && [ "$rc" = 3 ]; then
	pass mc_rc_world_writable_refused
else
	fail mc_rc_world_writable_refused "exit $rc: $(first_lines "$T/ww.s")"
fi
