#!/usr/bin/env bash
# e2e_dwarf: `sonde record -g` unwinds with .eh_frame CFI (DWARF), so stacks of
# code built without frame pointers reach main: optimized Rust using std
# collections, a plain C call chain, a signal handler (through the signal
# frame), a call into a shared library (through the PLT); a recursion deeper
# than the stack copy is either unwound completely or counted in the report's
# "# Truncated stacks: N", and the recorder says in a sentence how much
# stack copy the samples needed. The measure everywhere is the share of samples
# whose folded stack (`sonde script --folded --counts`) contains main.
. "$(dirname "$0")/lib.sh"

# PASS with the measured numbers (tests/run counts lines starting with PASS)
ok() { echo "PASS $1: $2"; }
info() { echo "INFO $1: $2"; }

# ---- fixtures (cached in $FIX, rebuilt when the source is newer) ----
fresh() { [ -x "$FIX/$1" ] && [ "$FIX/$1" -nt "$FIXSRC/$2" ] && [ "$FIX/$1" -nt "$FIXSRC/burn.h" ]; }
rust_nofp() { # OUT SRC : rustc -C opt-level=3 -g, no frame pointers
	fresh "$1" "$2" || build_rust "$1" "$2" -C opt-level=3 -g -C force-frame-pointers=no
}
c_nofp() { # OUT SRC [FLAGS...] : gcc -O2 -g -fomit-frame-pointer
	local out=$1 src=$2; shift 2
	fresh "$out" "$src" || build_c "$out" "$src" -O2 -g -fomit-frame-pointer "$@"
}
have_rust=1
command -v rustc >/dev/null || have_rust=0

# ---- helpers ----
# rec NAME CMD... : sonde record -g into $T/NAME.data, folded counts into
# $T/NAME.folded; FAIL NAME_record and return 1 when that does not work
rec() {
	local name=$1; shift
	rec_opts "$name" -g -- "$@"
}
# rec_opts NAME RECORD-OPTIONS... -- CMD... : the same with other options
rec_opts() {
	local name=$1; shift
	local rc
	rc=$(run_rc "$T/$name.rec" "$SONDE" record -q -o "$T/$name.data" "$@")
	if [ "$rc" != 0 ] || [ ! -s "$T/$name.data" ]; then
		fail "${name}_record" "sonde record $* : exit $rc: $(first_lines "$T/$name.rec.err")"
		return 1
	fi
	"$SONDE" script -i "$T/$name.data" --folded --counts >"$T/$name.folded" 2>"$T/$name.script.err"
	if [ ! -s "$T/$name.folded" ]; then
		fail "${name}_record" "sonde script --folded --counts printed nothing: $(first_lines "$T/$name.script.err")"
		return 1
	fi
	return 0
}

# share FOLDED SEL_RE HIT_RE : "HIT TOTAL PCT" over the folded lines whose
# stack matches SEL_RE (all: ''), HIT = those that also match HIT_RE. The
# weight is the last field; the stack is everything before it (Rust names
# may contain spaces).
share() {
	awk -v sel="$2" -v hit="$3" '
		{ w = $NF; s = substr($0, 1, length($0) - length($NF) - 1) }
		sel != "" && s !~ sel { next }
		{ t += w; if (s ~ hit) h += w }
		END { printf "%d %d %.1f\n", h, t, t ? 100 * h / t : 0 }' "$1"
}
# fmt "HIT TOTAL PCT" -> "PCT% (HIT of TOTAL samples)"
fmt() { set -- $1; echo "$3% ($1 of $2 samples)"; }
pct_of() { set -- $1; echo "$3"; }
tot_of() { set -- $1; echo "$2"; }
# heaviest FOLDED [N] : the N heaviest stacks on one line, for FAIL reasons
heaviest() { awk '{ print $NF "\t" $0 }' "$1" | sort -n -r | head -n "${2:-2}" | cut -f2- | cut -c1-260 | tr '\n' '|'; }
# truncated DATA : N from the report header's "# Truncated stacks: N" (K/M
# expanded), 0 when the line is absent
truncated() {
	"$SONDE" report -i "$1" -g none 2>/dev/null | awk '
		/^# Truncated stacks: / { v = $4; m = 1; sub(/[,(].*/, "", v)
			if (v ~ /K$/) { m = 1000; sub(/K$/, "", v) } else if (v ~ /M$/) { m = 1000000; sub(/M$/, "", v) }
			n = v * m }
		END { printf "%d\n", n }'
}

# the real Linux perf (not a sonde shim), for information only
PERF=""
if perf_usable; then
	for p in $(type -aP perf); do
		[ "$(readlink -f "$p")" = "$(readlink -f "$SONDE")" ] && continue
		PERF=$p; break
	done
fi
# perf_fold PERF.DATA : perf script's samples folded like sonde's --folded --counts
perf_fold() {
	"$PERF" script -i "$1" 2>/dev/null | awk '
		function emit(   i, l) { l = comm; for (i = n - 1; i >= 0; i--) l = l ";" fr[i]; cnt[l]++; have = 0 }
		/^[^\t ]/ && / [0-9]+\.[0-9]+: / { if (have) emit(); comm = $1; n = 0; have = 1; next }
		/^\t/ { s = $0; sub(/^\t *[0-9a-f]+ /, "", s); sub(/ \([^()]*\)$/, "", s); sub(/\+0x[0-9a-f]+$/, "", s); fr[n++] = s; next }
		/^$/ { if (have) emit() }
		END { if (have) emit(); for (l in cnt) print l, cnt[l] }'
}

START_RE=';(_start|__libc_start_main[A-Za-z_]*|__libc_start_call_main);'

# ==== 1. Rust: std collections, opt-level=3, no frame pointers ====
if [ $have_rust = 0 ]; then
	skip dwarf_rust "rustc not installed"
elif ! rust_nofp dw_collections dw_collections.rs; then
	fail dwarf_rust_build "rustc failed: $(first_lines "$T/build.log")"
elif rec dwarf_rust "$FIX/dw_collections" 1.2; then
	sel='^dw_collections;'
	m=$(share "$T/dwarf_rust.folded" "$sel" ';dw_collections::main(;|$)')
	r=$(share "$T/dwarf_rust.folded" "$sel" "$START_RE(.*;)?dw_collections::main(;|$)")
	w=$(share "$T/dwarf_rust.folded" "$sel" ';dw_collections::main;(.*;)?dw_collections::round;dw_collections::(hash|btree|sort)_work(;|$)')
	perf_m="perf not usable"
	if [ -n "$PERF" ]; then
		if "$PERF" record -q --call-graph dwarf -F 999 -e cpu-clock -o "$T/rust.perf" -- "$FIX/dw_collections" 1.2 >/dev/null 2>&1; then
			perf_fold "$T/rust.perf" >"$T/rust.pfold"
			perf_m="perf --call-graph dwarf: $(fmt "$(share "$T/rust.pfold" "$sel" ';dw_collections::main(;|$)')")"
		else
			perf_m="perf record --call-graph dwarf failed"
		fi
	fi
	info dwarf_rust_perf "samples reaching dw_collections::main: sonde $(fmt "$m"), $perf_m"
	if fgt "$(pct_of "$m")" 94.999; then
		ok dwarf_rust_main "$(fmt "$m") reach dw_collections::main (want >= 95%; $perf_m)"
	else
		fail dwarf_rust_main "$(fmt "$m") reach dw_collections::main (want >= 95%; $perf_m); heaviest: $(heaviest "$T/dwarf_rust.folded")"
	fi
	if fgt "$(pct_of "$r")" 94.999; then
		ok dwarf_rust_root "$(fmt "$r") go on from main to _start/__libc_start_* (want >= 95%)"
	else
		fail dwarf_rust_root "$(fmt "$r") go on from main to _start/__libc_start_* (want >= 95%); heaviest: $(heaviest "$T/dwarf_rust.folded")"
	fi
	# the frames in between are right too: main -> round -> one of the workers
	if fgt "$(pct_of "$w")" 80; then
		ok dwarf_rust_workers "$(fmt "$w") under main;...;round;{hash,btree,sort}_work (want > 80%)"
	else
		fail dwarf_rust_workers "$(fmt "$w") under main;...;round;{hash,btree,sort}_work (want > 80%); heaviest: $(heaviest "$T/dwarf_rust.folded")"
	fi
fi

# ==== 2. deep recursion: 2000 frames of ~96 bytes, more than a stack copy ====
# recursion depth of the samples in burn: "FULL SHORT MINDEPTH MAXDEPTH", FULL =
# samples with >= 2000 recurse frames that reach main
deep_stats() {
	awk '
		{ w = $NF; s = substr($0, 1, length($0) - length($NF) - 1) }
		s !~ /;dw_deep::burn(;|$)/ { next }
		{ d = gsub(/;dw_deep::recurse/, "&", s)
		  if (d >= 2000 && s ~ /;dw_deep::main;/) full += w; else short += w
		  if (min == "" || d < min) min = d; if (d > max) max = d }
		END { printf "%d %d %d %d\n", full, short, min, max }' "$1"
}
if [ $have_rust = 0 ]; then
	skip dwarf_deep "rustc not installed"
elif ! rust_nofp dw_deep dw_deep.rs; then
	fail dwarf_deep_build "rustc failed: $(first_lines "$T/build.log")"
elif rec dwarf_deep "$FIX/dw_deep" 1.0; then
	read -r full short dmin dmax < <(deep_stats "$T/dwarf_deep.folded")
	tr_n=$(truncated "$T/dwarf_deep.data")
	what="$full samples in burn fully unwound (>= 2000 recurse frames and main), $short short (recurse frames ${dmin:-?}..${dmax:-?}), '# Truncated stacks: $tr_n'"
	if [ $((full + short)) -lt 100 ]; then
		fail dwarf_deep_truncation "only $((full + short)) samples in dw_deep::burn (want ~1000); heaviest: $(heaviest "$T/dwarf_deep.folded" 1)"
	elif [ "$short" = 0 ]; then
		ok dwarf_deep_truncation "$what"
	elif [ "$tr_n" -gt 0 ] && [ "$tr_n" -ge $((short * 9 / 10)) ]; then
		ok dwarf_deep_truncation "$what"
	else
		fail dwarf_deep_truncation "$what: short stacks must be counted as truncated (want N >= 90% of the short ones)"
	fi
	# a truncated stack still has its innermost frames: burn under many recurse frames
	if [ "$short" = 0 ] || [ "${dmin:-0}" -ge 100 ]; then
		ok dwarf_deep_inner_frames "every sample in burn has >= ${dmin:-?} recurse frames (want >= 100)"
	else
		fail dwarf_deep_inner_frames "a sample in burn has only $dmin recurse frames (want >= 100 from the stack copy): $(awk '/dw_deep::burn/ { s = $0; if (gsub(/;dw_deep::recurse/, "&", s) == '"$dmin"') { print substr($0, 1, 200); exit } }' "$T/dwarf_deep.folded")"
	fi
	# --call-graph dwarf,SIZE sets the stack copy: 8 KB holds at most ~85 of these frames
	if rec_opts dwarf_deep8k --call-graph dwarf,8192 -- "$FIX/dw_deep" 0.5; then
		read -r f8 s8 min8 max8 < <(deep_stats "$T/dwarf_deep8k.folded")
		t8=$(truncated "$T/dwarf_deep8k.data")
		if [ $((f8 + s8)) -gt 50 ] && [ "${max8:-0}" -le 90 ] && [ "${min8:-0}" -ge 20 ] && [ "$t8" -ge $((s8 * 9 / 10)) ] && [ "$t8" -gt 0 ]; then
			ok dwarf_deep_size_8k "--call-graph dwarf,8192: recurse frames $min8..$max8 (want 20..90), truncated $t8 of $((f8 + s8)) samples in burn"
		else
			fail dwarf_deep_size_8k "--call-graph dwarf,8192: recurse frames ${min8:-?}..${max8:-?} (want 20..90 for 8 KB of 96-byte frames), '# Truncated stacks: $t8' for $s8 short of $((f8 + s8)) samples in burn"
		fi
	fi
fi

# ==== 3. C, -O2 -fomit-frame-pointer: main -> level1 -> level2 -> hot ====
if ! c_nofp dw_nofp dw_nofp.c; then
	fail dwarf_c_build "cannot compile dw_nofp.c: $(first_lines "$T/build.log")"
elif rec dwarf_c "$FIX/dw_nofp" 1.2; then
	m=$(share "$T/dwarf_c.folded" '^dw_nofp;' ';main(;|$)')
	c=$(share "$T/dwarf_c.folded" '^dw_nofp;' ';main;level1;level2;hot(;|$)')
	if fgt "$(pct_of "$m")" 94.999; then
		ok dwarf_c_main "$(fmt "$m") reach main (want >= 95%)"
	else
		fail dwarf_c_main "$(fmt "$m") reach main (want >= 95%); heaviest: $(heaviest "$T/dwarf_c.folded")"
	fi
	if fgt "$(pct_of "$c")" 90; then
		ok dwarf_c_chain "$(fmt "$c") have main;level1;level2;hot (want > 90%)"
	else
		fail dwarf_c_chain "$(fmt "$c") have main;level1;level2;hot (want > 90%); heaviest: $(heaviest "$T/dwarf_c.folded")"
	fi
	# perf command lines: -g unwinds with CFI as sonde's does (perf's own -g
	# walks frame pointers and loses main here); --call-graph fp still
	# asks for frame pointers and does not get from hot to main
	if "$SONDE" shims "$T/bin" >/dev/null 2>"$T/shims.err" && [ -x "$T/bin/perf" ]; then
		if "$T/bin/perf" record -q -g -o "$T/compat_g.data" -- "$FIX/dw_nofp" 0.4 >/dev/null 2>"$T/compat_g.err" &&
			"$T/bin/perf" record -q --call-graph fp -o "$T/compat_fp.data" -- "$FIX/dw_nofp" 0.4 >/dev/null 2>"$T/compat_fp.err"; then
			"$SONDE" script -i "$T/compat_g.data" --folded --counts >"$T/compat_g.folded" 2>/dev/null
			"$SONDE" script -i "$T/compat_fp.data" --folded --counts >"$T/compat_fp.folded" 2>/dev/null
			pg=$(share "$T/compat_g.folded" '^dw_nofp;' ';main(;|$)')
			pf=$(share "$T/compat_fp.folded" '^dw_nofp;' ';main(;|$)')
			if [ "$(tot_of "$pf")" -gt 50 ] && [ "$(tot_of "$pg")" -gt 50 ] && ! fgt "$(pct_of "$pf")" 50 && fgt "$(pct_of "$pg")" 94.999; then
				ok dwarf_perf_compat "shim 'perf record -g' (CFI): $(fmt "$pg") reach main; 'perf record --call-graph fp': $(fmt "$pf")"
			else
				fail dwarf_perf_compat "shim 'perf record -g' should unwind with CFI (want >= 95% reaching main in this -fomit-frame-pointer binary): $(fmt "$pg"); 'perf record --call-graph fp' (want <= 50%): $(fmt "$pf")"
			fi
		else
			fail dwarf_perf_compat "shim perf record failed: $(first_lines "$T/compat_g.err") $(first_lines "$T/compat_fp.err")"
		fi
	else
		skip dwarf_perf_compat "sonde shims failed: $(first_lines "$T/shims.err")"
	fi
	if rec_opts dwarf_c_fp --call-graph fp -- "$FIX/dw_nofp" 0.4; then
		f=$(share "$T/dwarf_c_fp.folded" '^dw_nofp;' ';main(;|$)')
		if [ "$(tot_of "$f")" -gt 50 ] && ! fgt "$(pct_of "$f")" 50; then
			ok dwarf_fp_mode "--call-graph fp: $(fmt "$f") reach main (frame pointers; want <= 50% in this binary)"
		else
			fail dwarf_fp_mode "--call-graph fp: $(fmt "$f") reach main (want <= 50%: frame pointers cannot walk -fomit-frame-pointer code, so fp mode is not unwinding with DWARF)"
		fi
	fi
fi

# ==== 3b. how much stack copy the samples needed, said in a sentence ====
if [ -x "$FIX/dw_nofp" ]; then
	SONDE_STACK_STATS=1 "$SONDE" record -g -o "$T/need.data" -- "$FIX/dw_nofp" 0.3 >/dev/null 2>"$T/need.err"
	"$SONDE" record --call-graph dwarf,64 -o "$T/need64.data" -- "$FIX/dw_nofp" 0.3 >/dev/null 2>"$T/need64.err"
	if grep -qE '^sonde: 95% of the samples needed at most [0-9]+ KB of stack copy, and 99% at most [0-9]+ KB$' "$T/need.err" &&
		grep -qE '^sonde: more than 5% of the samples needed more than the 64 bytes of stack copy$' "$T/need64.err" &&
		grep -qE '^sonde: [0-9,]+ stacks did not fit in the 64-byte stack copy and were cut short; raise it with --call-graph dwarf,SIZE' "$T/need64.err"; then
		ok dwarf_stack_need_sentence "$(grep -E 'needed' "$T/need.err" | head -1)"
	else
		fail dwarf_stack_need_sentence "$(grep -iE 'need|fit' "$T/need.err" "$T/need64.err" | tr '\n' '|')"
	fi
fi

# ==== 4. signal handler: unwinding through the signal frame ====
if ! c_nofp dw_signal dw_signal.c; then
	fail dwarf_signal_build "cannot compile dw_signal.c: $(first_lines "$T/build.log")"
elif rec dwarf_signal "$FIX/dw_signal" 1.2; then
	hsel='^dw_signal;(.*;)?(on_prof|handler_work)(;|$)'
	h=$(share "$T/dwarf_signal.folded" '^dw_signal;' ';(on_prof|handler_work)(;|$)')
	hm=$(share "$T/dwarf_signal.folded" "$hsel" ';main;')
	hi=$(share "$T/dwarf_signal.folded" "$hsel" ';main;main_loop;(.*;)?on_prof(;|$)')
	rt=$(share "$T/dwarf_signal.folded" "$hsel" ';__restore_rt;')
	if fgt "$(pct_of "$h")" 40; then
		ok dwarf_signal_handler_share "$(fmt "$h") in the handler (on_prof/handler_work; designed ~70%)"
	else
		fail dwarf_signal_handler_share "$(fmt "$h") in the handler (on_prof/handler_work; designed ~70%, want > 40%); heaviest: $(heaviest "$T/dwarf_signal.folded")"
	fi
	if [ "$(tot_of "$hm")" -gt 0 ] && fgt "$(pct_of "$hm")" 89.999; then
		ok dwarf_signal_main "$(fmt "$hm") of the handler samples reach main (want >= 90%; __restore_rt in $(pct_of "$rt")%)"
	else
		fail dwarf_signal_main "$(fmt "$hm") of the handler samples reach main (want >= 90%; __restore_rt in $(pct_of "$rt")%); heaviest: $(heaviest "$T/dwarf_signal.folded")"
	fi
	if [ "$(tot_of "$hi")" -gt 0 ] && fgt "$(pct_of "$hi")" 89.999; then
		ok dwarf_signal_interrupted "$(fmt "$hi") of the handler samples have main;main_loop;...;on_prof (want >= 90%)"
	else
		fail dwarf_signal_interrupted "$(fmt "$hi") of the handler samples have main;main_loop;...;on_prof (the interrupted function between main and the handler; want >= 90%); heaviest: $(heaviest "$T/dwarf_signal.folded")"
	fi
fi

# ==== 5. shared library through the PLT ====
if ! c_nofp libdwlib.so dw_lib.c -fPIC -shared; then
	fail dwarf_plt_build "cannot build libdwlib.so: $(first_lines "$T/build.log")"
elif ! { { fresh dw_plt_main dw_plt_main.c && [ "$FIX/dw_plt_main" -nt "$FIX/libdwlib.so" ]; } ||
	build_c dw_plt_main dw_plt_main.c -O2 -g -fomit-frame-pointer -L"$FIX" -ldwlib -Wl,-rpath,"$FIX"; }; then
	fail dwarf_plt_build "cannot build dw_plt_main: $(first_lines "$T/build.log")"
elif rec dwarf_plt "$FIX/dw_plt_main" 1.2; then
	m=$(share "$T/dwarf_plt.folded" '^dw_plt_main;' ';main(;|$)')
	l=$(share "$T/dwarf_plt.folded" '^dw_plt_main;' ';main;run;dwlib_step(;|$)')
	if fgt "$(pct_of "$m")" 94.999; then
		ok dwarf_plt_main "$(fmt "$m") reach main (want >= 95%)"
	else
		fail dwarf_plt_main "$(fmt "$m") reach main (want >= 95%; several % of the samples are in PLT stubs); heaviest: $(heaviest "$T/dwarf_plt.folded" 4)"
	fi
	if fgt "$(pct_of "$l")" 50 && grep -q ';dwlib_step;dwlib_mix[ ;]' "$T/dwarf_plt.folded"; then
		ok dwarf_plt_library "$(fmt "$l") under main;run;dwlib_step, and dwlib_step;dwlib_mix appears (want > 50%)"
	else
		fail dwarf_plt_library "$(fmt "$l") under main;run;dwlib_step (want > 50%, and a dwlib_step;dwlib_mix stack); heaviest: $(heaviest "$T/dwarf_plt.folded" 3)"
	fi
fi

# ==== 6. a small static non-PIE program (no libc): its text is shorter
# than half its map, and its addresses are not file offsets ====
if ! c_nofp dw_static_small model_cpu.c -static -nostdlib -fno-stack-protector -no-pie; then
	fail dwarf_static_small_build "cannot compile model_cpu.c: $(first_lines "$T/build.log")"
elif rec dwarf_static_small "$FIX/dw_static_small"; then
	m=$(share "$T/dwarf_static_small.folded" '' '^dw_static_small;_start;main;run;phase_[ab];')
	if fgt "$(pct_of "$m")" 94.999; then
		ok dwarf_static_small "$(fmt "$m") unwound to _start;main;run (want >= 95%)"
	else
		fail dwarf_static_small "$(fmt "$m") unwound to _start;main;run (want >= 95%; was the leaf alone); heaviest: $(heaviest "$T/dwarf_static_small.folded")"
	fi
fi
exit 0
