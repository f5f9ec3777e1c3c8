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
	"read_overrun|^Invalid read of size 1\$|^Address ADDR is 0 bytes after a block of size 16 alloc'd|vg|--precise"
	"uaf_read|^Invalid read of size 4\$|^Address ADDR is 8 bytes inside a block of size 40 free'd|vg|--precise"
	"overrun|^Invalid write of size 1\$|^Address ADDR is 4 bytes after a block of size 10 alloc'd|vg|--precise"
	"uaf|^Invalid write of size 1\$|^Address ADDR is 8 bytes inside a block of size 32 free'd|vg|--precise"
	# --precise guards big blocks too
	"read_overrun_big|^Invalid read of size 1\$|^Address ADDR is 0 bytes after a block of size 1,048,576 alloc'd|vg|--precise"
	"uaf_read_big|^Invalid read of size 4\$|^Address ADDR is 4,194,304 bytes inside a block of size 10,485,760 free'd|vg|--precise"
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

# Damage found after the fact (in a redzone or a freed block, when the
# block is freed, reallocated, pushed out of the quarantine, or at exit)
# is reported with the stack of the call that found it, then the block's
# stacks, then a line saying so: valgrind's three parts. mode|the first
# frame's function|the next one (main's line where the call was)
late_cases=(
	"overrun|free|main (mc_errors.c:39)"
	"overrun_realloc|realloc|main (mc_errors.c:47)"
	"uaf_pushed|free|main (mc_errors.c:61)"
	"overrun_exit|exit|(below main)"
	"uaf|exit|(below main)"
	"overrun_uexit|_exit|main (mc_errors.c:65)"
)
for c in "${late_cases[@]}"; do
	IFS='|' read -r mode top next <<<"$c"
	"$SONDE" memcheck "$FIX/mc_errors" "$mode" >/dev/null 2>"$T/late_$mode.err"
	# the first frame's function (the runtime's or libc's), the next frame
	got=$(sed -n '/^==[0-9]*== Invalid write/,/^==[0-9]*==  Address/p' "$T/late_$mode.err" |
		sed -n 's/^==[0-9]*==    \(at\|by\) 0x[0-9A-Fa-f]*: //p' | head -2 |
		sed '1s/ (.*//; s/^(below main) .*/(below main)/' | tr '\n' '|')
	want="$top|$next|"
	"$SONDE" memcheck --xml=yes --xml-file="$T/late_$mode.xml" "$FIX/mc_errors" "$mode" >/dev/null 2>&1
	empty=$(awk '/<what>/ { w = 1 } w && /<stack>/ { getline; if ($0 ~ /<\/stack>/) e++; w = 0 } END { print e + 0 }' "$T/late_$mode.xml")
	if [ "$got" = "$want" ] && [ "$empty" = 0 ] && grep -q '^==[0-9]*==  Found ' "$T/late_$mode.err"; then
		pass "memcheck_err_found_late_$mode (at $top, then $next; XML stacks filled)"
	else
		fail "memcheck_err_found_late_$mode" "frames '$got', want '$want'; $empty empty XML stacks"
	fi
done

# without --precise, one line near the ERROR SUMMARY says invalid reads
# were not checked; not with --precise, not with -q
n_default=$(grep -c 'Invalid reads of heap memory are checked only with --precise' "$T/late_overrun.err")
"$SONDE" memcheck --precise "$FIX/mc_errors" overrun >/dev/null 2>"$T/note_precise.err"
"$SONDE" memcheck -q "$FIX/mc_errors" overrun >/dev/null 2>"$T/note_q.err"
n_precise=$(grep -c 'checked only with --precise' "$T/note_precise.err")
n_q=$(grep -c 'checked only with --precise' "$T/note_q.err")
before=$(grep -A1 'checked only with --precise' "$T/late_overrun.err" | tail -1 | sed 's/^==[0-9]*== //')
[ "$n_default/$n_precise/$n_q" = 1/0/0 ] && [ "$before" = "For lists of detected and suppressed errors, rerun with: -s" ] &&
	pass "memcheck_err_reads_note (once, before the ERROR SUMMARY's hint)" ||
	fail memcheck_err_reads_note "default $n_default, --precise $n_precise, -q $n_q; followed by '$before'"

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

# threads: valgrind's "Thread N:" lines (N: 1 for main, then the lowest
# number free when the thread was made; a named thread's name after it)
# and "on thread N's stack", a number going to the next thread once its
# thread exited; the threads take turns, so the order is fixed
cat >"$T/thr.c" <<'EOC'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
static int go[2];
__attribute__((noinline)) static void drop(char *p) { free(p); }
static void *first(void *a) {
	char c; (void)a; (void)!read(go[0], &c, 1);
	int local = 0; drop((char *)&local);
	char *p = malloc(8); drop(p); drop(p);
	return NULL;
}
static void *second(void *a) {
	(void)a; pthread_setname_np(pthread_self(), "worker-b");
	char *p = malloc(24); p[24] = 1; drop(p);
	return NULL;
}
static void *third(void *a) { char *p = malloc(16); (void)a; p[-1] = 1; drop(p); return NULL; }
int main(void) {
	pthread_t a, b, c;
	if (pipe(go)) return 1;
	pthread_create(&a, NULL, first, NULL);
	pthread_create(&b, NULL, second, NULL);
	pthread_join(b, NULL);
	(void)!write(go[1], "x", 1);
	pthread_join(a, NULL);
	char *q = malloc(5); drop(q); drop(q);
	pthread_create(&c, NULL, third, NULL); /* gets 2 again: a has exited */
	pthread_join(c, NULL);
	void *volatile lost = malloc(40); lost = 0;
	return 0;
}
EOC
thr_shape() { grep -E '^==[0-9]+== (Thread [0-9]|Invalid| Address|[0-9,]+ bytes in)' "$1" | sed -E 's/^==[0-9]+== //; s/0x[0-9A-Fa-f]+/ADDR/g'; }
if gcc -O0 -g -pthread -o "$T/thr" "$T/thr.c" 2>>"$T/build.log"; then
	"$SONDE" memcheck -q --leak-check=full "$T/thr" >/dev/null 2>"$T/thr.sonde"
	thr_shape "$T/thr.sonde" >"$T/thr.s"
	if [ $have_vg = 1 ]; then
		"$VG" -q --leak-check=full "$T/thr" >/dev/null 2>"$T/thr.vg"
		thr_shape "$T/thr.vg" >"$T/thr.v"
	else
		printf '%s\n' "Thread 3 worker-b:" "Invalid write of size 1" " Address ADDR is 0 bytes after a block of size 24 alloc'd" \
			"Thread 2:" "Invalid free() / delete / delete[] / realloc()" " Address ADDR is on thread 2's stack" \
			"Invalid free() / delete / delete[] / realloc()" " Address ADDR is 0 bytes inside a block of size 8 free'd" \
			"Thread 1:" "Invalid free() / delete / delete[] / realloc()" " Address ADDR is 0 bytes inside a block of size 5 free'd" \
			"Thread 2:" "Invalid write of size 1" " Address ADDR is 1 bytes before a block of size 16 alloc'd" \
			"Thread 1:" "40 bytes in 1 blocks are definitely lost in loss record 1 of 1" >"$T/thr.v"
	fi
	cmp -s "$T/thr.s" "$T/thr.v" && grep -q '^Thread 3 worker-b:' "$T/thr.s" &&
		pass "memcheck_err_thread_lines ($(grep -c '^Thread' "$T/thr.s") thread lines as valgrind's)" ||
		fail memcheck_err_thread_lines "sonde: $(tr '\n' '|' <"$T/thr.s") want: $(tr '\n' '|' <"$T/thr.v")"
	"$SONDE" memcheck -q --xml=yes --xml-file="$T/thr.xml" "$T/thr" >/dev/null 2>&1
	xmllint --noout "$T/thr.xml" 2>/dev/null && grep -q '<threadname>worker-b</threadname>' "$T/thr.xml" &&
		[ "$(grep -c '<tid>2</tid>' "$T/thr.xml")" = 3 ] && pass memcheck_err_thread_xml ||
		fail memcheck_err_thread_xml "$(grep -E '<tid>|<threadname>' "$T/thr.xml" | tr '\n' ' ')"
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
