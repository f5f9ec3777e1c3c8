#!/usr/bin/env bash
# e2e_memcheck_errors: the heap errors `sonde memcheck` catches, one
# fixture mode each (tests/fixtures/mc_errors.c): the kind, the size, the
# block ("4 bytes after a block of size 10 alloc'd") and the program's
# frames of the stacks, compared with the real valgrind where valgrind
# reports the same error; checked on their own where it does not
# (overlapping memcpy through glibc's memcpy, bad alignments).
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

build_c mc_errors mc_errors.c -O1 -g -fno-builtin || { fail mc_errors_build "$(first_lines "$T/build.log")"; exit 0; }

# shape FILE -> the first error: its heading and Address line with the
# addresses masked, then every frame in mc_errors.c ("fn file:line"), one per line
shape() {
	awk '
	/^==[0-9]+== (Invalid|Argument|Source|Mismatched)/ && !seen { seen = 1; on = 1 }
	on && /^==[0-9]+== *$/ { exit }
	on {
		sub(/^==[0-9]+== +/, "")
		if ($0 ~ /^(at|by) /) { if ($0 ~ /mc_errors\.c:/) { sub(/^(at|by) 0x[0-9A-Fa-f]+: /, ""); print } }
		else if ($0 !~ /^Found /) { gsub(/0x[0-9a-fA-F]+/, "ADDR"); print }
	}' "$1"
}
errors() { sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$1" | tail -1; }

# mode|what sonde must say (two grep -E patterns on the shape)|compare with valgrind|sonde's options
cases=(
	"overrun|^Invalid write of size 1\$|^Address ADDR is 4 bytes after a block of size 10 alloc'd|vg"
	"underrun|^Invalid write of size 1\$|^Address ADDR is 1 bytes before a block of size 10 alloc'd|vg"
	"overrun_realloc|^Invalid write of size 1\$|^Address ADDR is 0 bytes after a block of size 10 alloc'd|vg"
	"overrun_exit|^Invalid write of size 1\$|^Address ADDR is 2 bytes after a block of size 10 alloc'd|vg"
	"uaf|^Invalid write of size 1\$|^Address ADDR is 8 bytes inside a block of size 32 free'd|vg"
	"realloc_freed|^Invalid free\\(\\) / delete / delete\\[\\] / realloc\\(\\)|^Address ADDR is 0 bytes inside a block of size 16 free'd|vg"
	"fishy|^Argument 'size' of function malloc has a fishy \\(possibly negative\\) value: -3|main \\(mc_errors.c|vg"
	"overlap_strcpy|^Source and destination overlap in strcpy\\(ADDR, ADDR\\)|main \\(mc_errors.c|vg"
	"overlap_strncpy|^Source and destination overlap in strncpy\\(ADDR, ADDR, 10\\)|main \\(mc_errors.c|vg"
	"overlap_strcat|^Source and destination overlap in strcat\\(ADDR, ADDR\\)|main \\(mc_errors.c|vg"
	"overlap_memcpy|^Source and destination overlap in memcpy\\(ADDR, ADDR, 20\\)|main \\(mc_errors.c|-"
	"badalign|^Invalid alignment value: 3 \\(should be non-zero, a power of 2 and a multiple of sizeof\\(void\\*\\)\\)|main \\(mc_errors.c|-"
	"badalign_memalign|^Invalid alignment value: 24 \\(should be power of 2\\)|main \\(mc_errors.c|-"
	# --precise: guard pages stop the program at the access itself
	"read_overrun|^Invalid read of size 1\$|^Address ADDR is 0 bytes after a block of size 10 alloc'd|vg|--precise"
	"uaf_read|^Invalid read of size 4\$|^Address ADDR is 8 bytes inside a block of size 40 free'd|vg|--precise"
	"overrun|^Invalid write of size 1\$|^Address ADDR is 4 bytes after a block of size 10 alloc'd|vg|--precise"
	"uaf|^Invalid write of size 1\$|^Address ADDR is 8 bytes inside a block of size 32 free'd|vg|--precise"
)
for c in "${cases[@]}"; do
	IFS='|' read -r mode head second cmp opts <<<"$c"
	name=$mode
	[ -n "$opts" ] && name=${mode}_precise
	"$SONDE" memcheck $opts "$FIX/mc_errors" "$mode" >/dev/null 2>"$T/$name.sonde"
	shape "$T/$name.sonde" >"$T/$name.shape"
	if ! grep -qE "$head" "$T/$name.shape" || ! grep -qE "$second" "$T/$name.shape"; then
		fail "memcheck_err_$name" "$(tr '\n' '|' <"$T/$name.shape") (want /$head/ and /$second/)"
		continue
	fi
	# precise mode names the faulting instruction: its first frame is the program's
	if [ -n "$opts" ] && ! sed -n 2p "$T/$name.shape" | grep -qE "^(poke|peek|peek_int|main) \\(mc_errors\\.c:"; then
		fail "memcheck_err_$name" "the first frame is not the access: $(tr '\n' '|' <"$T/$name.shape")"
		continue
	fi
	# the allocation stack (or the call's stack) reaches the program's frames with lines
	grep -qE "^(make|main) \\(mc_errors\\.c:[0-9]+\\)" "$T/$name.shape" ||
		{ fail "memcheck_err_$name" "no mc_errors.c frames: $(tr '\n' '|' <"$T/$name.shape")"; continue; }
	if [ "$cmp" = vg ] && [ $have_vg = 1 ]; then
		timeout -k 5 120 "$VG" "$FIX/mc_errors" "$mode" >/dev/null 2>"$T/$name.vg"
		shape "$T/$name.vg" >"$T/$name.vgshape"
		# sonde finds redzone and freed-block damage at the free or at exit,
		# valgrind at the write: the call's own frames differ there, the
		# block and its stacks must not
		if grep -q "^Address" "$T/$name.vgshape"; then
			sed -n '/^Address/,$p' "$T/$name.shape" >"$T/$name.a"
			sed -n '/^Address/,$p' "$T/$name.vgshape" >"$T/$name.b"
			head -1 "$T/$name.shape" >>"$T/$name.a"
			head -1 "$T/$name.vgshape" >>"$T/$name.b"
		else
			cp "$T/$name.shape" "$T/$name.a"
			cp "$T/$name.vgshape" "$T/$name.b"
		fi
		se=$(errors "$T/$name.sonde") ve=$(errors "$T/$name.vg")
		if cmp -s "$T/$name.a" "$T/$name.b" && [ "$se" = "$ve" ]; then
			pass "memcheck_err_$name (as valgrind: $(head -1 "$T/$name.shape"); $se errors)"
		else
			fail "memcheck_err_$name" "sonde $se errors: $(tr '\n' '|' <"$T/$name.a") valgrind $ve errors: $(tr '\n' '|' <"$T/$name.b")"
		fi
	else
		pass "memcheck_err_$name ($(head -1 "$T/$name.shape"))"
	fi
done

# C++: the exact operator delete (sized, as g++ calls it) in the call's
# and in the free's stack, function by function as valgrind prints them
cat >"$T/dd.cpp" <<'EOC'
#include <cstdlib>
struct S { int a[4]; };
int main() { S *s = new S; delete s; delete s; int *a = new int[8]; free(a); return 0; }
EOC
funcs() { sed -n 's/^==[0-9]*==    \(at\|by\) 0x[0-9A-Fa-f]*: \(.*\) (.*/\2/p' "$1" | tr '\n' '|'; }
if g++ -O0 -g -o "$T/dd" "$T/dd.cpp" 2>>"$T/build.log"; then
	"$SONDE" memcheck -q "$T/dd" >/dev/null 2>"$T/dd.sonde"
	got=$(funcs "$T/dd.sonde")
	if [ $have_vg = 1 ]; then
		"$VG" -q "$T/dd" >/dev/null 2>"$T/dd.vg"
		want=$(funcs "$T/dd.vg")
	else
		want="operator delete(void*, unsigned long)|main|operator delete(void*, unsigned long)|main|operator new(unsigned long)|main|free|main|operator new[](unsigned long)|main|"
	fi
	[ "$got" = "$want" ] && pass "memcheck_err_cxx_delete_frames ($(echo "$got" | cut -d'|' -f1))" ||
		fail memcheck_err_cxx_delete_frames "sonde '$got', want '$want'"
fi

# --error-exitcode counts heap errors as valgrind does
rc=$(run_rc "$T/ec" "$SONDE" memcheck --error-exitcode=9 "$FIX/mc_errors" overrun)
[ "$rc" = 9 ] && pass memcheck_err_exitcode || fail memcheck_err_exitcode "exit $rc, want 9"
# a program's own SIGSEGV handler still runs under --precise (sonde keeps
# the signal and hands on faults that are not a guarded block's)
cat >"$T/segh.c" <<'EOC'
#include <signal.h>
#include <string.h>
#include <unistd.h>
static void h(int s) { (void)s; write(1, "caught\n", 7); _exit(3); }
int main(int argc, char **argv) {
	(void)argv;
	struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = h; sigaction(SIGSEGV, &sa, NULL);
	volatile int *z = (int *)(long)(argc - 1); *z = 1;
	return 0;
}
EOC
if gcc -O1 -o "$T/segh" "$T/segh.c" 2>>"$T/build.log"; then
	out=$("$SONDE" memcheck --precise "$T/segh" 2>"$T/segh.err"); rc=$?
	[ "$rc" = 3 ] && [ "$out" = caught ] && pass memcheck_precise_program_handler ||
		fail memcheck_precise_program_handler "exit $rc, output '$out': $(first_lines "$T/segh.err")"
fi

# no false positives on the clean mode (realloc, memmove of overlapping ranges)
"$SONDE" memcheck --error-exitcode=9 "$FIX/mc_errors" clean >/dev/null 2>"$T/clean.sonde"
[ "$(errors "$T/clean.sonde")" = 0 ] && pass memcheck_err_clean ||
	fail memcheck_err_clean "$(grep -m3 -E 'Invalid|overlap|fishy' "$T/clean.sonde" | tr '\n' '|')"

# XML names the kinds valgrind's protocol uses
"$SONDE" memcheck --xml=yes --xml-file="$T/e.xml" "$FIX/mc_errors" uaf >/dev/null 2>&1
if xmllint --noout "$T/e.xml" 2>/dev/null && grep -q "<kind>InvalidWrite</kind>" "$T/e.xml" &&
	grep -q "8 bytes inside a block of size 32 free" "$T/e.xml"; then
	pass memcheck_err_xml
else
	fail memcheck_err_xml "$(grep -m3 '<kind>\|auxwhat' "$T/e.xml" | tr '\n' ' ')"
fi
exit 0
