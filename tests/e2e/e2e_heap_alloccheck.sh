#!/usr/bin/env bash
# e2e_heap_alloccheck: programs whose allocations malloc interposition can't
# see get one clear warning from `sonde heap` and a note in the report:
#   heap_jemalloc_like  C, an allocator compiled in under jemalloc's names
#   heap_rust_bump      Rust, a custom #[global_allocator] (bump arena)
#   heap_static         C, statically linked (LD_PRELOAD does nothing)
#   heap_jemalloc_real  heap_basic with libjemalloc.a, if installed
# and programs that are seen get neither:
#   heap_rust           Rust, the default (System) allocator
#   heap_rust_wrap      Rust, a #[global_allocator] forwarding to System
#   heap_basic          C, plain malloc
. "$(dirname "$0")/lib.sh"

TMO=${HEAP_TIMEOUT:-60}
WARN_RE='uses a statically linked allocator|uses a custom Rust #\[global_allocator\]|is statically linked: LD_PRELOAD'

# run NAME BIN: record + report; sets REC_RC, REP_RC
run() {
	local name=$1 bin=$2
	mkdir -p "$T/run_$name"
	REC_RC=$(cd "$T/run_$name" && run_rc "$T/$name.rec" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/$name.zst" -- "$bin")
	REP_RC=$(run_rc "$T/$name.rep" timeout -k 5 "$TMO" "$SONDE" heap report "$T/$name.zst")
}

# warned NAME WHAT: the recording warned once (stderr) and the report notes it
warned() {
	local name=$1 what=$2 n
	run "$name" "$FIX/$name"
	n=$(grep -cE "$WARN_RE" "$T/$name.rec.err")
	if [ "$REC_RC" = 0 ] && [ "$n" = 1 ] && grep -E "$WARN_RE" "$T/$name.rec.err" | grep -q "^sonde heap: $name .*$what"; then
		pass "${name}_warning ($(grep -E "$WARN_RE" "$T/$name.rec.err" | cut -c1-110)...)"
	else
		fail "${name}_warning" "exit $REC_RC, $n warning lines (want 1 naming '$what'): $(first_lines "$T/$name.rec.err" 4)"
	fi
	if [ "$REP_RC" = 0 ] && grep -E "$WARN_RE" "$T/$name.rep.out" | grep -q "^note: $name .*$what" &&
		grep -A1 '^total memory leaked: ' "$T/$name.rep.out" | grep -q '^note: '; then
		pass "${name}_report_note"
	else
		fail "${name}_report_note" "exit $REP_RC, no 'note: $name ... $what' after the totals: $(tail -3 "$T/$name.rep.out" | tr '\n' '|')"
	fi
}

# silent NAME BIN: neither a warning nor a note
silent() {
	local name=$1 bin=$2
	run "$name" "$bin"
	if [ "$REC_RC" = 0 ] && [ "$REP_RC" = 0 ] && ! grep -qE "$WARN_RE" "$T/$name.rec.err" "$T/$name.rep.out" &&
		grep -q '^calls to allocation functions: ' "$T/$name.rep.out"; then
		pass "${name}_no_warning ($(grep '^calls to allocation functions: ' "$T/$name.rep.out"))"
	else
		fail "${name}_no_warning" "exit $REC_RC/$REP_RC: $(grep -hE "$WARN_RE" "$T/$name.rec.err" "$T/$name.rep.out" | head -2 | tr '\n' '|')$(first_lines "$T/$name.rec.err")"
	fi
}

if build_fx heap_jemalloc_like heap_jemalloc_like.c; then
	warned heap_jemalloc_like 'allocator (jemalloc)'
else
	fail heap_jemalloc_like_build "$(first_lines "$T/build.log")"
fi
if build_fx heap_basic heap_basic.c; then silent heap_basic "$FIX/heap_basic"; fi
if build_c heap_static heap_jemalloc_like.c -O2 -static 2>/dev/null; then
	warned heap_static 'is statically linked'
else
	skip heap_static "no static libc to link with"
fi

# the real jemalloc, linked statically (unprefixed: the executable's malloc
# wins over the preloaded one), when Debian's libjemalloc-dev is installed
jemalloc_a=$(ls /usr/lib/*/libjemalloc.a /usr/lib/libjemalloc.a 2>/dev/null | head -1)
if [ -n "$jemalloc_a" ] && build_c heap_jemalloc_real heap_basic.c -O2 -g "$jemalloc_a" -lpthread -ldl -lm -lstdc++; then
	warned heap_jemalloc_real 'allocator (jemalloc)'
else
	skip heap_jemalloc_real "no libjemalloc.a (Debian: libjemalloc-dev)"
fi

if command -v rustc >/dev/null; then
	rflags=(-C opt-level=2 -g -C force-frame-pointers=yes)
	for f in heap_rust_bump heap_rust_wrap heap_rust; do
		if ! { [ -x "$FIX/$f" ] && [ "$FIX/$f" -nt "$FIXSRC/$f.rs" ]; } && ! build_rust "$f" "$f.rs" "${rflags[@]}"; then
			fail "${f}_build" "$(first_lines "$T/build.log")"
		fi
	done
	[ -x "$FIX/heap_rust_bump" ] && warned heap_rust_bump 'custom Rust #\[global_allocator\]'
	[ -x "$FIX/heap_rust_wrap" ] && silent heap_rust_wrap "$FIX/heap_rust_wrap"
	[ -x "$FIX/heap_rust" ] && silent heap_rust "$FIX/heap_rust"
else
	skip heap_rust_alloccheck "no rustc"
fi

# the heaptrack shim says it under its own name; heaptrack_print on stderr
if [ -x "$FIX/heap_jemalloc_like" ] && "$SONDE" shims "$T/bin" >/dev/null 2>&1 && [ -e "$T/bin/heaptrack" ]; then
	mkdir -p "$T/ht"
	(cd "$T/ht" && PATH="$T/bin:$PATH" timeout -k 5 "$TMO" heaptrack "$FIX/heap_jemalloc_like" >"$T/ht.out" 2>"$T/ht.err")
	if grep -q '^heaptrack: heap_jemalloc_like uses a statically linked allocator (jemalloc)' "$T/ht.err"; then
		pass heap_alloccheck_heaptrack_shim
	else
		fail heap_alloccheck_heaptrack_shim "$(first_lines "$T/ht.err")"
	fi
	f=$(ls "$T/ht"/heaptrack.*.zst 2>/dev/null | head -1)
	PATH="$T/bin:$PATH" heaptrack_print "$f" >"$T/htp.out" 2>"$T/htp.err"
	if grep -q '^heaptrack_print: heap_jemalloc_like uses a statically linked allocator' "$T/htp.err" &&
		! grep -qE "$WARN_RE" "$T/htp.out"; then
		pass heap_alloccheck_heaptrack_print
	else
		fail heap_alloccheck_heaptrack_print "stderr: $(first_lines "$T/htp.err"); stdout note: $(grep -E "$WARN_RE" "$T/htp.out" | head -1)"
	fi
fi
exit 0
