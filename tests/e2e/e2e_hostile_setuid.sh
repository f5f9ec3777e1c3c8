#!/usr/bin/env bash
# e2e_hostile_setuid: a target that gains privileges at exec (set-user-ID
# or set-group-ID to someone else). The loader drops LD_PRELOAD for it and
# the kernel detaches perf events from it, so heap, memcheck, record and
# stat would report an empty run that looks clean: each refuses before
# starting, in one line, exit 126 (issue 15, point 4). A set-user-ID
# program that changes nothing (root's, run by root) is measured.
. "$(dirname "$0")/lib.sh"

build_fx heap_basic heap_basic.c || { fail setuid_build "heap_basic.c: $(first_lines "$T/build.log")"; exit 0; }
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1 || ! getent group nogroup >/dev/null ||
	findmnt -no OPTIONS -T "$T" | grep -qw nosuid; then
	skip setuid_refused "needs root, user nobody, group nogroup and a file system without nosuid"
	exit 0
fi
cd "$T" || exit 1
cp "$FIX/heap_basic" suid && chown nobody suid && chmod u+s suid
cp "$FIX/heap_basic" sgid && chgrp nogroup sgid && chmod g+s sgid
cp "$FIX/heap_basic" rootsuid && chmod u+s rootsuid

refused() { # NAME WANT FILE-THAT-MUST-NOT-APPEAR CMD...
	local name=$1 want=$2 file=$3 rc; shift 3
	rc=$(run_rc "$T/$name" "$@")
	if [ "$rc" = 126 ] && [ "$(wc -l <"$T/$name.err")" = 1 ] && grep -q "$want" "$T/$name.err" &&
		! grep -q '==[0-9]*==' "$T/$name.err" && { [ -z "$file" ] || [ ! -e "$file" ]; }; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(first_lines "$T/$name.err")"
	fi
}
refused setuid_memcheck "cannot check './suid': it is set-user-ID nobody, and the dynamic loader ignores LD_PRELOAD" "" \
	"$SONDE" memcheck --leak-check=full ./suid
refused setuid_heap "cannot check './suid': it is set-user-ID nobody" "h.zst" "$SONDE" heap -o h.zst ./suid
refused setgid_heap "cannot check './sgid': it is set-group-ID nogroup" "g.zst" "$SONDE" heap -o g.zst ./sgid
refused setuid_record "cannot measure './suid': it is set-user-ID nobody, and the kernel detaches perf events" \
	"r.data" "$SONDE" record -o r.data -- ./suid
refused setuid_stat "cannot measure './suid'" "" "$SONDE" stat ./suid

# under valgrind's name: valgrind's own refusal, word for word
mkdir -p shims && "$SONDE" shims shims >/dev/null 2>&1
rc=$(run_rc "$T/vgname" shims/valgrind -q ./suid)
if command -v valgrind >/dev/null; then
	vrc=$(run_rc "$T/vgreal" valgrind -q ./suid)
	sed -E 's/==[0-9]+==/==PID==/' "$T/vgname.err" >"$T/a"
	sed -E 's/==[0-9]+==/==PID==/' "$T/vgreal.err" >"$T/b"
	if [ "$rc" = "$vrc" ] && cmp -s "$T/a" "$T/b"; then
		pass setuid_valgrind_name_as_valgrind
	else
		fail setuid_valgrind_name_as_valgrind "exit $rc (valgrind $vrc): $(first_lines "$T/a") / $(first_lines "$T/b")"
	fi
elif [ "$rc" = 126 ] && grep -q "Can't execute setuid/setgid/setcap executable: ./suid" "$T/vgname.err"; then
	pass setuid_valgrind_name_as_valgrind
else
	fail setuid_valgrind_name_as_valgrind "exit $rc: $(first_lines "$T/vgname.err")"
fi

# root's set-user-ID program run by root gains nothing: measured as usual
rc=$(run_rc "$T/rootmc" "$SONDE" memcheck --leak-check=full ./rootsuid)
rc2=$(run_rc "$T/rooth" "$SONDE" heap -o root.zst ./rootsuid)
calls=$("$SONDE" heap report root.zst 2>/dev/null | awk '/^calls to allocation functions: / { print $5 }')
if [ "$rc" = 0 ] && grep -q 'total heap usage: [1-9]' "$T/rootmc.err" && [ "$rc2" = 0 ] && [ "${calls:-0}" -gt 0 ]; then
	pass setuid_root_by_root_measured
else
	fail setuid_root_by_root_measured "exit $rc/$rc2, ${calls:-no} calls: $(grep 'heap usage' "$T/rootmc.err")"
fi
