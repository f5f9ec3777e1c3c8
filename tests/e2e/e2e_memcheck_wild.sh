#!/usr/bin/env bash
# e2e_memcheck_wild: pointers that are no heap block (tests/fixtures/mc_wild.cpp:
# a wild address, a kernel one, an unmapped page, a mapping that is no heap,
# the middle, the start + 1 and the header of a live block, a freed block,
# the allocator's own code, the stack) passed to free, realloc,
# reallocarray, malloc_usable_size and the operator delete forms:
#  1. sonde memcheck, with and without --precise: every call returns
#     (malloc_usable_size 0, realloc NULL), the program's output and the
#     ERROR SUMMARY equal valgrind's (or, without valgrind, what it says);
#  2. free() of each kind: the Address line as valgrind's, except where
#     valgrind names the mapping of an address in no block ("is in a rw-
#     anonymous segment"), which sonde does not;
#  3. sonde heap (which passes every call to the C library, as heaptrack
#     does): the program ends as it does without sonde (the C library
#     crashes or aborts on most of these; which signal depends on what lies
#     around the address, so only crashed or not is compared) and its trace
#     reads. Not for the kinds whose fate depends on the heap's contents
#     (the middle or header of a block, an unmapped page sonde may reuse).
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

command -v g++ >/dev/null || { skip memcheck_wild "no g++"; exit 0; }
g++ -O1 -g -o "$FIX/mc_wild" "$FIXSRC/mc_wild.cpp" 2>>"$T/build.log" ||
	{ fail memcheck_wild_build "$(first_lines "$T/build.log")"; exit 0; }

entries="free realloc reallocarray usable delete delete_array delete_sized delete_aligned delete_array_sized_aligned delete_nothrow"
kinds="deadbeef kernel unmapped mmap interior misaligned header freed code stack"
summary() { sed -n 's/^==[0-9]*== \(ERROR SUMMARY: .*\)/\1/p' "$1" | tail -1; }

# what valgrind prints when it is not installed
want_out() {
	for k in $kinds; do
		case $1 in
		realloc | reallocarray) printf '%s: %s NULL\nok\n' "$k" "$1" ;;
		usable) printf '%s: usable 0\nok\n' "$k" ;;
		*) printf '%s: ok\n' "$k" ;;
		esac
	done
}

for e in $entries; do
	if [ $have_vg = 1 ]; then
		timeout -k 5 120 "$VG" "$FIX/mc_wild" "$e" all >"$T/$e.vg.out" 2>"$T/$e.vg"
		want_sum=$(summary "$T/$e.vg")
	else
		want_out "$e" >"$T/$e.vg.out"
		[ "$e" = usable ] && n=0 c=0 || n=10 c=1
		want_sum="ERROR SUMMARY: $n errors from $c contexts (suppressed: 0 from 0)"
	fi
	for opts in "" --precise; do
		name="memcheck_wild_${e}${opts:+_precise}"
		rc=$(run_rc "$T/$name" timeout -k 5 60 "$SONDE" memcheck $opts "$FIX/mc_wild" "$e" all)
		got_sum=$(summary "$T/$name.err")
		if [ "$rc" != 0 ]; then
			fail "$name" "exit $rc: $(grep -m3 -E 'Process terminating|Invalid|Address' "$T/$name.err" | tr '\n' '|')"
		elif ! cmp -s "$T/$name.out" "$T/$e.vg.out"; then
			fail "$name" "output '$(tr '\n' ' ' <"$T/$name.out")', want '$(tr '\n' ' ' <"$T/$e.vg.out")'"
		elif [ "$got_sum" != "$want_sum" ]; then
			fail "$name" "'$got_sum', want '$want_sum'"
		else
			pass "$name (10 kinds: $got_sum)"
		fi
	done
done

# the Address line of each kind, one process each (valgrind reports a
# context once)
addr_line() { grep -m1 '^==[0-9]*==  Address ' "$1" | sed -E 's/^==[0-9]+== +//; s/0x[0-9a-fA-F]+/ADDR/g'; }
declare -A WANT_ADDR=(
	[deadbeef]="Address ADDR is not stack'd, malloc'd or (recently) free'd"
	[kernel]="Address ADDR is not stack'd, malloc'd or (recently) free'd"
	[unmapped]="Address ADDR is not stack'd, malloc'd or (recently) free'd"
	[interior]="Address ADDR is 48 bytes inside a block of size 100 alloc'd"
	[misaligned]="Address ADDR is 1 bytes inside a block of size 100 alloc'd"
	[header]="Address ADDR is 16 bytes before a block of size 100 alloc'd"
	[freed]="Address ADDR is 0 bytes inside a block of size 40 free'd"
	[stack]="Address ADDR is on thread 1's stack"
)
for k in $kinds; do
	"$SONDE" memcheck "$FIX/mc_wild" free "$k" >/dev/null 2>"$T/free_$k.sonde"
	got=$(addr_line "$T/free_$k.sonde")
	if [ $have_vg = 1 ]; then
		"$VG" "$FIX/mc_wild" free "$k" >/dev/null 2>"$T/free_$k.vg"
		want=$(addr_line "$T/free_$k.vg")
	else
		want=${WANT_ADDR[$k]:-}
	fi
	case $want in
	"" | "Address ADDR is in "*) # valgrind's description of the mapping
		[ "$got" = "Address ADDR is not stack'd, malloc'd or (recently) free'd" ] &&
			pass "memcheck_wild_address_$k ($got; valgrind: ${want:-none})" ||
			fail "memcheck_wild_address_$k" "'$got'" ;;
	*)
		[ "$got" = "$want" ] && pass "memcheck_wild_address_$k (as valgrind: $got)" ||
			fail "memcheck_wild_address_$k" "sonde '$got', valgrind '$want'" ;;
	esac
done

# sonde heap: the same end as without sonde, a trace that reads
mask() { sed -E 's/usable [0-9]+/usable N/' "$1"; }
bad=0 n=0
for e in free realloc usable delete_sized delete_aligned; do
	for k in deadbeef kernel mmap freed code stack; do
		n=$((n + 1))
		nrc=$(run_rc "$T/native" "$FIX/mc_wild" "$e" "$k")
		hrc=$(run_rc "$T/heap" "$SONDE" heap -o "$T/h.zst" --no-buildid-cache "$FIX/mc_wild" "$e" "$k")
		crashed "$nrc" && nc=1 || nc=0
		crashed "$hrc" && hc=1 || hc=0
		if [ "$nc" != "$hc" ] || [ "$(mask "$T/native.out")" != "$(mask "$T/heap.out")" ] ||
			! "$SONDE" heap report "$T/h.zst" >/dev/null 2>"$T/report.err"; then
			bad=$((bad + 1))
			[ $bad -le 3 ] && echo "# heap $e $k: native exit $nrc, sonde heap exit $hrc: $(first_lines "$T/heap.err")"
		fi
		rm -f "$T/h.zst"
	done
done
[ $bad = 0 ] && pass "heap_wild ($n calls end as without sonde, traces read)" || fail heap_wild "$bad of $n calls differ"
exit 0
