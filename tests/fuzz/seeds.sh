#!/usr/bin/env bash
# Writes seed inputs for every libFuzzer target into OUT/<target>/, made from
# real inputs of each format: small programs built here, recorded by sonde
# and by perf, traced by `sonde heap`, cut into sections and records.
# tests/fuzz/refresh-corpus feeds them to the fuzzers; run that, not this.
# Usage: tests/fuzz/seeds.sh OUT   (needs build/sonde, gcc, g++, objcopy,
# readelf, objdump, as, zstd, python3; perf for the perf.data and perf script seeds)
set -euo pipefail
out=${1:?usage: seeds.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
sonde=${SONDE:-$root/build/sonde}
[ -x "$sonde" ] || { echo "seeds.sh: build sonde first (make)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
w=$out/.work
rm -rf "$w"
mkdir -p "$w"
export SONDE_BUILDID_DIR=$w/buildid
targets="bloat_sections cfi cg_read coz_profile elf folded format heap_supp heap_trace json toml kparse watch_analysis mc_insn mc_opts mc_supp perf_data perf_script perfmap profile"
for t in $targets; do mkdir -p "$out/fuzz_$t"; done
seed() { # target name: stdin into OUT/fuzz_<target>/<name>
	cat >"$out/fuzz_$1/$2"
}

# ---- small programs ----
cat >"$w/small.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
static volatile unsigned long sink;
__attribute__((noinline)) static char *mk(size_t n)
{
	char *p = malloc(n);
	memset(p, 1, n);
	return p;
}
__attribute__((noinline)) static unsigned long work(int depth, unsigned long n)
{
	if (depth)
		return work(depth - 1, n) + 1;
	unsigned long x = 0;
	for (unsigned long i = 0; i < n; i++)
		x += i * i;
	return x;
}
int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 1000;
	for (int i = 0; i < 20; i++) {
		char *p = mk(16 + (size_t)i);
		if (i % 5)
			free(p);
	}
	char *q = realloc(mk(8), 64);
	free(q);
	free(calloc(3, 8));
	sink = work(5, n);
	return 0;
}
EOF
cat >"$w/exc.cc" <<'EOF'
#include <stdexcept>
#include <string>
__attribute__((noinline)) static int thrower(int x)
{
	if (x > 2)
		throw std::runtime_error(std::to_string(x));
	return x;
}
int main(int argc, char **)
{
	try {
		return thrower(argc + 2);
	} catch (const std::exception &e) {
		return (int)e.what()[0] & 1;
	}
}
EOF

# ---- ELF files of a few kB: no libc, sections packed (max-page-size 16) ----
cat >"$w/mini.c" <<'EOF'
static volatile int sink;
__attribute__((noinline)) static int leaf(int x) { return x * 3 + sink; }
__attribute__((noinline)) int mid(int x) { return leaf(x) + leaf(x + 1); }
static inline int inl(int x) { return mid(x) * 2; }
void _start(void) { sink = inl(sink); for (;;) __asm__ volatile("hlt"); }
EOF
cat >"$w/realign.c" <<'EOF'
/* a realigned stack with a dynamic one (DW_CFA_def_cfa_expression, DW_CFA_expression) */
extern void use(volatile char *p, int n);
void use(volatile char *p, int n) { for (int i = 0; i < n; i++) p[i] = (char)i; }
__attribute__((noinline)) int realigned(int n)
{
	volatile char buf[64] __attribute__((aligned(64)));
	volatile char *p = __builtin_alloca((unsigned long)n);
	use(buf, 64);
	use(p, n);
	return p[n / 2] + buf[3];
}
void _start(void) { realigned(24); for (;;) __asm__ volatile("hlt"); }
EOF
pack="-nostdlib -fno-stack-protector -Wl,-z,max-page-size=0x10 -Wl,-z,common-page-size=0x10 -Wl,-z,noseparate-code -Wl,--build-id -Wl,--eh-frame-hdr"
gcc -O2 -g -static $pack -o "$w/mini" "$w/mini.c"
gcc -O2 -gdwarf-4 -static $pack -o "$w/mini_dwarf4" "$w/mini.c"
gcc -O2 -s -static $pack -o "$w/mini_stripped" "$w/mini.c"
gcc -O2 -g -fPIC -shared $pack -o "$w/mini.so" "$w/mini.c"
gcc -O2 -g -static-pie $pack -o "$w/mini_pie" "$w/mini.c"
gcc -O2 -g -c -o "$w/mini.o" "$w/mini.c"
gcc -O2 -g -gz -static $pack -o "$w/mini_gz" "$w/mini.c" 2>/dev/null || true
gcc -O2 -g -static $pack -o "$w/realign" "$w/realign.c"
gcc -O2 -g -fno-asynchronous-unwind-tables -fno-unwind-tables -c -o "$w/debug_frame.o" "$w/mini.c"
objcopy --only-keep-debug "$w/mini" "$w/mini.debug"
objcopy --strip-debug --add-gnu-debuglink="$w/mini.debug" "$w/mini" "$w/mini_debuglink"
g++ -O2 -o "$w/exc" "$w/exc.cc" # only its .eh_frame: personality and LSDA

# ---- fuzz_elf: whole ELF files ----
for f in mini mini_dwarf4 mini_stripped mini.so mini_pie mini.o mini_gz mini.debug mini_debuglink; do
	[ -f "$w/$f" ] && seed elf "$f" <"$w/$f"
done

# ---- fuzz_bloat_sections: whole ELF files, and one with thread-locals ----
printf '__thread char t[64]; __thread int u = 1;\nint _start(void) { return t[0] + u; }\n' >"$w/tls.c"
gcc -O2 -g -static $pack -o "$w/tls" "$w/tls.c" 2>/dev/null || true
for f in mini mini_stripped mini.so mini.o mini_gz mini.debug tls; do
	[ -f "$w/$f" ] && seed bloat_sections "$f" <"$w/$f"
done

# ---- fuzz_cfi: mode byte, then the bytes of that mode ----
section() { rm -f "$w/sec"; objcopy --dump-section "$2=$w/sec" "$1" "$w/null" && cat "$w/sec"; }
addr() { readelf -SW "$1" | awk -v s="$2" '{ for (i = 1; i < NF; i++) if ($i == s) print "0x" $(i + 2) }'; }
for f in mini_stripped mini.so realign; do
	{ printf '\0'; cat "$w/$f"; } | seed cfi "elf_$f"
done
for f in mini exc realign; do
	{ printf '\1'; section "$w/$f" .eh_frame; } | seed cfi "eh_frame_$f"
done
for f in mini.so exc; do
	section "$w/$f" .eh_frame_hdr >"$w/hdr"
	section "$w/$f" .eh_frame >"$w/eh"
	python3 - "$w/hdr" "$w/eh" "$(addr "$w/$f" .eh_frame_hdr)" "$(addr "$w/$f" .eh_frame)" <<'EOF' | seed cfi "hdr_$f"
import struct, sys
hdr, eh = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
sys.stdout.buffer.write(b'\3' + struct.pack('<HII', len(hdr), int(sys.argv[3], 16), int(sys.argv[4], 16)) + hdr + eh)
EOF
done
{ printf '\2'; section "$w/debug_frame.o" .debug_frame; } | seed cfi debug_frame

# ---- sonde recordings: fuzz_format and fuzz_profile ----
# Static programs, deleted afterwards: fuzz_profile then symbolizes no file
# of this machine (a libc with its DWARF takes 100 ms a run).
gcc -O1 -g -fno-omit-frame-pointer -o "$w/small" "$w/small.c"
gcc -O1 -g -fno-omit-frame-pointer -pthread -o "$w/threads" "$root/tests/fixtures/threads.c"
gcc -O1 -g -fno-omit-frame-pointer -static -o "$w/st_small" "$w/small.c"
gcc -O1 -g -fno-omit-frame-pointer -static -pthread -o "$w/st_threads" "$root/tests/fixtures/threads.c"
rec() { # targets, name, record options...
	local targets=$1 name=$2; shift 2
	"$sonde" record -q -N -o "$w/$name.sd" "$@" >/dev/null 2>&1 || return 0
	[ -s "$w/$name.sd" ] || return 0
	for t in $targets; do seed "$t" "$name" <"$w/$name.sd"; done
}
rec format true -- true
rec format small_dyn -g -F 2000 -- "$w/small" 2000000
rec "format profile" small -F 2000 -- "$w/st_small" 2000000
rec "format profile" small_g -g -F 2000 -- "$w/st_small" 2000000
rec "format profile" small_fp --call-graph fp -F 2000 -- "$w/st_small" 2000000
rec "format profile" small_keep --call-graph dwarf,256 --keep-stacks -F 500 -- "$w/st_small" 2000000
rec "format profile" faults -e page-faults -c 20 -- "$w/st_small" 1000
rec "format profile" threads -g -F 200 -- "$w/st_threads"

# ---- fuzz_heap_trace: uncompressed heap traces ----
heap() { # name, command...
	local name=$1; shift
	"$sonde" heap --no-buildid-cache -o "$w/$name.zst" "$@" >/dev/null 2>&1 || true
	[ -s "$w/$name.zst" ] && zstd -q -d -c "$w/$name.zst" | seed heap_trace "$name"
	return 0
}
heap small "$w/small"
heap true true
g++ -O1 -g -o "$w/exc_g" "$w/exc.cc"
heap exc "$w/exc_g"

# ---- fuzz_perf_data and fuzz_perf_script: perf's own files and text ----
if command -v perf >/dev/null 2>&1; then
	# perf.data without the features sonde ignores (cpu topology, caches,
	# PMU lists: 4 kB of the 5) and with the data cut after ~4 kB of records
	# and two samples.
	slim() { # in out
		python3 - "$1" "$2" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
hsize = struct.unpack_from('<Q', d, 8)[0]
data_off, data_size = struct.unpack_from('<QQ', d, 40)
bits = int.from_bytes(d[72:104], 'little')
keep = sum(1 << b for b in (1, 2, 3, 4, 5, 6, 10, 11, 26))  # what perf_data.c reads
p, end, samples = data_off, data_off + data_size, 0
while p + 8 <= end and (p - data_off < 4096 or samples < 2):
    typ, size = struct.unpack_from('<I2xH', d, p)
    if size < 8 or p + size > end:
        break
    samples += typ == 9  # PERF_RECORD_SAMPLE
    p += size
data = d[data_off:p]
secs, feats = [], b''
table = data_off + len(data)
n = bin(bits & keep).count('1')
at = table + 16 * n
i = 0
for b in range(256):
    if not bits >> b & 1:
        continue
    off, size = struct.unpack_from('<QQ', d, data_off + data_size + 16 * i)
    i += 1
    if keep >> b & 1:
        secs.append(struct.pack('<QQ', at + len(feats), size))
        feats += d[off:off + size]
head = bytearray(d[:data_off])
struct.pack_into('<Q', head, 48, len(data))
head[72:104] = (bits & keep).to_bytes(32, 'little')
open(sys.argv[2], 'wb').write(bytes(head) + data + b''.join(secs) + feats)
EOF
	}
	prec() { # name, perf record options...
		local name=$1; shift
		perf record -q -o "$w/$name.perf" "$@" >/dev/null 2>&1 || return 0
		[ -s "$w/$name.perf" ] || return 0
		slim "$w/$name.perf" "$w/$name.slim"
		seed perf_data "$name" <"$w/$name.slim"
		perf script -i "$w/$name.perf" 2>/dev/null | head -c 3000 >"$w/$name.txt" || true
		{ printf '\0'; cat "$w/$name.txt"; } | seed perf_script "$name"
	}
	prec true -e cpu-clock -- true
	prec small -e cpu-clock -F 2000 -- "$w/small" 2000000
	prec small_g -e cpu-clock -F 2000 -g -- "$w/small" 2000000
	prec small_dwarf -e cpu-clock -F 1000 --call-graph dwarf,1024 -- "$w/small" 30000000
	prec threads -e cpu-clock -F 100 -g -- "$w/threads"
	if [ -s "$w/small_g.perf" ]; then
		{ printf '\x17'; perf script -i "$w/small_g.perf" -F comm,pid,tid,time,event,ip,sym,dso 2>/dev/null; } |
			head -c 3000 | seed perf_script fields || true
	fi
fi
{ printf '\0'; cat "$root/tests/fixtures/collapse/tricky.perf"; } | seed perf_script tricky
{ printf '\x1f'; cat "$root/tests/fixtures/collapse/tricky.perf"; } | seed perf_script tricky_all
{ printf '\x40'; head -c 3000 "$root/tests/fixtures/collapse/perf-twoev.perf"; } | seed perf_script twoev

# ---- fuzz_kparse: 8 bytes of sample_type, then one record from perf.data ----
for f in small_g small_dwarf threads; do
	[ -s "$w/$f.perf" ] || continue
	python3 - "$w/$f.perf" "$out/fuzz_kparse" "$f" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
magic, hsize, attr_size = struct.unpack_from('<8sQQ', d, 0)
attrs_off, attrs_size, data_off, data_size = struct.unpack_from('<QQQQ', d, 24)
sample_type = struct.unpack_from('<Q', d, attrs_off + 24)[0]
seen = {}
p, end = data_off, data_off + data_size
while p + 8 <= end:
    typ, misc, size = struct.unpack_from('<IHH', d, p)
    if size < 8:
        break
    if typ < 64 and seen.get(typ, 0) < 2:  # kernel records: MMAP2, COMM, FORK, EXIT, SAMPLE, ...
        seen[typ] = seen.get(typ, 0) + 1
        with open('%s/%s_%d_%d' % (sys.argv[2], sys.argv[3], typ, seen[typ]), 'wb') as o:
            o.write(struct.pack('<Q', sample_type) + d[p:p + size])
    p += size
EOF
done

# ---- fuzz_folded: folded stacks ----
for f in tricky.default tricky.all perf-threads.pid sonde-threads.addrs; do
	head -c 3000 "$root/tests/fixtures/collapse/$f.folded" | seed folded "$f"
done
"$sonde" script -i "$w/small_dyn.sd" --folded 2>/dev/null | head -c 3000 | seed folded sonde_script || true
printf 'a;b;c 1\na;b 2\n# comment\n\nx;y 3 4\nbad line\nz 0\nw;  5\n' | seed folded hand

# ---- fuzz_perfmap: JIT maps in perf's format ----
printf '7f0000001000 20 LazyCompile:~add /app/a.js:1\n0x7f0000002000 0x10 Interpreter\r\n7f0000003000 0 zero\n' | seed perfmap v8
printf '1000 100 old\n1080 10 inner\n1000 40 new\n' | seed perfmap rewrite
printf '7fd5a0000080 1a0 Ljava/lang/String;::hashCode\n7fd5a0000300 40 stub: vtable\n' | seed perfmap jvm

# ---- fuzz_heap_supp: heaptrack-style leak suppressions ----
printf '# intentional leaks\n\nleak:leak_named\n  leak:heap_supp_other.c  \n' | seed heap_supp basic
printf 'leak:*\nleak:^main$\nleak:std::*::push\nleak:libfoo.so\nleak:a*b*c\n' | seed heap_supp globs
printf 'leak:\nnot a suppression\n\tleak:\t x\r\nleak:^\nleak:$\nleak:**\n' | seed heap_supp odd

# ---- fuzz_mc_supp: valgrind suppressions ----
cp "$root/tests/golden/memcheck/ok.supp" "$out/fuzz_mc_supp/ok"
sed -n '/k_default_supp\[\] =/,/;$/p' "$root/src/memcheck/mc_default_supp.c" |
	sed -n 's/^[[:space:]]*"\(.*\)\\n"[;]*$/\1/p' | seed mc_supp default
cat <<'EOF' | seed mc_supp kinds
# comment
{
  a
  Memcheck:Leak
  match-leak-kinds: definite,possible
  fun:malloc
  ...
  src:a.c:12
}
{
  b
  Helgrind,Memcheck:Free
  fun:free
  obj:*libc*
}
{
  c
  Memcheck:Param
  write(buf)
  fun:x
}
{
  d
  Memcheck:FishyValue
  malloc(size)
  fun:malloc
}
{
  e
  Memcheck:Addr8
  fun:_Z*alloc*
  fun:(below main)
}
{
  f
  Memcheck:Overlap
  fun:m?mcpy
  fun:a\*b
}
{
  g
  Memcheck:Cond
  fun:
}
EOF
printf '{\n  n\n  Memcheck:Leak\n  match-leak-kinds: bogus\n  fun:x\n}\n' | seed mc_supp bad_kind
printf '{\n  n\n  Memcheck:Leak\n  fun:x\n  }junk\n' | seed mc_supp bad_close

# ---- fuzz_watch_analysis: the output of the tools `sonde watch` runs ----
# (first byte: the analyzer & 3, stderr & 4; cargo's only where installed)
ws=$w/watch
mkdir -p "$ws/src"
printf '[package]\nname = "fx"\nversion = "0.1.0"\nedition = "2021"\n' >"$ws/Cargo.toml"
printf 'fn main() { let unused = 1; let e: u32 = "x"; }\n#[test]\nfn bad() { assert_eq!(1, 2); }\n#[test]\nfn good() {}\n' >"$ws/src/main.rs"
if command -v cargo >/dev/null; then
	(cd "$ws" && { printf '\4'; cargo check --color always 2>&1; }) | seed watch_analysis cargo-check || true
	(cd "$ws" && { printf '\1'; cargo check --message-format json-diagnostic-rendered-ansi 2>&1; }) | seed watch_analysis cargo-json || true
	sed -i 's/let e: u32 = "x";//' "$ws/src/main.rs"
	(cd "$ws" && { printf '\4'; RUST_BACKTRACE=0 cargo test --color always 2>&1; }) | seed watch_analysis cargo-test || true
fi
printf 'int main(void) { int u; return nope + missing(); }\n' >"$ws/bad.c"
(cd "$ws" && { printf '\7'; gcc -fdiagnostics-color=always -Wall -c bad.c 2>&1; }) | seed watch_analysis gcc || true
(cd "$ws" && { printf '\7'; printf 'int missing(void);\nint main(void) { return missing(); }\n' | gcc -x c - -o a.out 2>&1; }) | seed watch_analysis ld || true

# ---- fuzz_json: cargo's messages (build lines, `cargo metadata`) ----
printf '%s' '{"reason":"compiler-artifact","package_id":"demo 0.1.0","target":{"kind":["bin"],"crate_types":["bin"],"name":"demo","src_path":"/p/src/main.rs","edition":"2021","doc":true,"doctest":false,"test":true},"profile":{"opt_level":"3","debuginfo":2,"debug_assertions":false,"overflow_checks":false,"test":false},"features":[],"filenames":["/p/target/release/demo"],"executable":"/p/target/release/demo","fresh":false}' | seed json artifact
printf '%s' '{"packages":[{"name":"demo","default_run":null,"targets":[{"kind":["lib"],"name":"demo"},{"kind":["bin"],"name":"other"}]}],"workspace_members":["demo 0.1.0"],"version":1}' | seed json metadata
printf '%s' '{"reason":"build-finished","success":true}' | seed json finished
printf '%s' '["a\"b\\c\/d\n\t\u00e9\ud83d\ude00\ud800", -1.5e-3, 0, true, false, null, {}, [], {"":[[[{"k":"v"}]]]}]' | seed json escapes

# ---- fuzz_toml: TOML documents (bacon.toml and every form of the spec) ----
cat <<'EOF' | seed toml bacon
default_job = "check"
env.CARGO_TERM_COLOR = "always"

[jobs.check]
command = ["cargo", "check", "--message-format", "json-diagnostic-rendered-ansi"]
need_stdout = false
watch = ["src", "benches"]

[jobs.flamegraph]
command = ["sonde", "flamegraph", "-o", "flamegraph.svg", "--", "target/release/demo"]
allow_warnings = true
on_change_strategy = "kill_then_restart"
kill = ["kill", "-s", "INT"]
env = { RUST_BACKTRACE = "1", 'quoted key' = "x" }

[keybindings]
f = "job:flamegraph"
ctrl-c = "quit"
EOF
cat <<'EOF' | seed toml forms
# every form, once
s1 = "esc \b\t\n\f\r\"\\ \u00e9 \U0001F600 \e"
s2 = 'C:\literal'
s3 = """
multi \
   line ""quoted"" """"
s4 = '''
raw '' text'''''
i = [+99, -17, 0, 1_000, 0xDEAD_beef, 0o755, 0b1101, -9223372036854775808]
f = [+1.0, 3.1415, -0.01, 5e+22, 1e06, -2E-2, 6.626e-34, 9_224.617_445, inf, -inf, +nan, -0.0]
b = [true, false]
dt = [1979-05-27T07:32:00Z, 1979-05-27 00:32:00.999999-07:00, 1979-05-27T07:32:00, 1979-05-27, 07:32:00.5, 2000-02-29t23:59:60z]
nested = [[1, 2], ["a", 'b'], [{x = 1}, {y.z = 2}], [
  # comment
  3,
]]
"" = "empty key"
a.b."c d".'e' = 1
[t.u]
[t]
v = 1
[[aot]]
x = 1
[aot.sub]
[[aot]]
[[aot.deep]]
EOF
printf 'a = 1\r\n[b]\r\nc = """x\r\ny"""\r\n' | seed toml crlf
printf '[a]\nb.c = 1\n[a.b]\n' | seed toml redefined
printf 'x = "\\ud800"\ny = 0x_1\nz = 2001-02-29\n' | seed toml bad_values

# ---- fuzz_mc_opts: valgrind command lines, one argument a line ----
opts() { # name, arguments...
	local name=$1; shift
	printf '%s\n' "$@" | head -c -1 | seed mc_opts "$name"
}
opts leak --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=definite,possible ./app arg
opts xml --xml=yes --xml-file=out.%p.xml --log-file=log.%q{HOME}.%p --num-callers=7 -- ./app
opts supp --suppressions=a.supp --gen-suppressions=all --default-suppressions=no -q ./app
opts exit --error-exitcode=42 --exit-on-first-error=yes --error-limit=no --track-origins=yes ./app
opts fill --malloc-fill=0xab --free-fill=0xcd --freelist-vol=3000000 --freelist-big-blocks=10000 --alignment=64 ./app
opts heur --leak-check-heuristics=stdstring,length64 --leak-resolution=high --show-reachable=yes -v -v ./app
opts tool --tool=memcheck --trace-children=yes --trace-children-skip='*/sh,*/env' --child-silent-after-fork=yes ./app
opts inert --vex-iropt-register-updates=allregs-at-mem-access --smc-check=all --fair-sched=try --read-var-info=no --sim-hints=lax-ioctls ./app
opts keep --keep-stacktraces=alloc-then-free --trace-malloc=yes --time-stamp=yes --log-fd=2 --xml-fd=3 ./app
opts bad --num-callers=abc --error-exitcode=99999999999 --log-socket=127.0.0.1:1 --bogus ./app
opts precise --precise --redzone-size=64 --show-mismatched-frees=no --partial-loads-ok=yes ./app

# ---- fuzz_cg_read: cachegrind.out files (3.19's form, 3.21+'s, cg_diff's) ----
if command -v valgrind >/dev/null; then
	gcc -g -O1 -o "$w/cgprog" "$w/small.c"
	for o in "" "--branch-sim=yes" "--cache-sim=no"; do
		# shellcheck disable=SC2086 # $o: one option or none
		valgrind --tool=cachegrind $o --cachegrind-out-file="$w/cg.out" "$w/cgprog" >/dev/null 2>&1 || continue
		{ head -40 "$w/cg.out"; tail -1 "$w/cg.out"; } | seed cg_read "valgrind${o:+-${o#--}}"
	done
fi
printf 'cmd: concord\nevents: Ir\nfl=???\nfn=???\n0 468701\nfl=x.rs\nfn=f\n12 5\nsummary: 468706\n' | seed cg_read v321
printf 'desc: Files compared:   a; b\ncmd:  ./a; ./b\nevents:  Ir Dr\nfl=x.c\nfn=main\n0 -5 3\nsummary: -5 3\n' |
	seed cg_read diff
printf 'desc: I1 cache: 1 B\ncmd: p\nevents: A B C\nfl=a.c\nfn=f\n1 10 . 3\n3 5 2\n0 7 7 7\nfn=g\n1 1 1 1\nsummary: 23 10 11\n' |
	seed cg_read dots

# ---- fuzz_coz_profile: coz 0.2.2's profile.coz, two runs, both point kinds, the 2015 form ----
printf 'startup\ttime=1\nexperiment\tselected=a.c:3\tspeedup=0.00\tduration=1000\tselected-samples=4\nthroughput-point\tname=ops\tdelta=10\nlatency-point\tname=req\tarrivals=5\tdepartures=4\tdifference=1\nexperiment\tselected=a.c:3\tspeedup=0.50\tduration=800\tselected-samples=2\nthroughput-point\tname=ops\tdelta=10\nlatency-point\tname=req\tarrivals=6\tdepartures=6\tdifference=0\nruntime\ttime=9\nsamples\tlocation=a.c:3\tcount=6\nstartup\ttime=2\nexperiment\tselected=b.c:7\tspeedup=0.00\tduration=1000\tselected-samples=1\nthroughput-point\tname=ops\tdelta=0\nexperiment\tselected=b.c:7\tspeedup=1.00\tduration=900\tselected-samples=1\nthroughput-point\tname=ops\tdelta=9\n' |
	seed coz_profile runs
printf 'startup\ttime=1\nexperiment\tselected=x.c:1\tspeedup=0\tduration=5\nprogress-point\tname=p\ttype=source\tdelta=1\nexperiment\tselected=x.c:1\tspeedup=0.25\tduration=4\nprogress-point\tname=p\ttype=source\tdelta=1\nshutdown\ttime=9\tsamples=3\n' |
	seed coz_profile v2015

# ---- fuzz_mc_insn: one x86-64 memory-accessing instruction each ----
cat >"$w/insn.s" <<'EOF'
	.text
	movb (%rax), %cl
	movw %cx, 2(%rbx)
	movl 4(%rsp), %edx
	movq %rax, -8(%rbp,%rcx,8)
	movq 0x12345678(%rip), %rax
	movzbl 1(%rsi), %eax
	movswq (%rdi), %rdx
	movl $7, (%r12)
	movq $-1, 16(%r13,%r14,4)
	addl %eax, (%rdi)
	incq 8(%rsp)
	cmpb $0, (%rax)
	xchgl %eax, (%rdx)
	lock cmpxchgq %rcx, (%rdi)
	lock xaddl %eax, 4(%rsi)
	pushq (%rax)
	popq 8(%rbx)
	movups (%rsi), %xmm0
	movaps %xmm1, 16(%rdi)
	movdqu (%rax,%rcx), %xmm2
	movsd 8(%rsp), %xmm3
	movss %xmm4, (%rdx)
	movq %xmm5, (%rax)
	movd (%rbx), %xmm6
	movntdq %xmm7, (%rdi)
	vmovdqu (%rsi), %ymm0
	vmovdqa %ymm1, 32(%rdi)
	vmovups (%rax), %xmm8
	vmovq %xmm9, (%r8)
	vmovdqu64 (%rsi), %zmm0
	vpbroadcastd (%rax), %ymm1
	rep movsb
	rep movsq
	rep stosl
	repe cmpsb
	lodsq
	scasb
	movabsq 0x1122334455667788, %rax
	cmovnel (%rax), %ecx
	setne (%rbx)
	fldl (%rax)
	fstps 4(%rsp)
	fs movq 0x28, %rax
	leaq 8(%rax), %rcx
	callq *8(%rax)
	jmpq *(%rax,%rcx,8)
	prefetcht0 (%rax)
	clflush (%rdi)
	bt %eax, (%rdi)
	movbe (%rsi), %eax
	crc32b (%rax), %ecx
	adcx (%rdi), %rax
EOF
as -o "$w/insn.o" "$w/insn.s"
objdump -d --insn-width=15 "$w/insn.o" | awk -F'\t' '/^ +[0-9a-f]+:\t/ { print $2 }' | {
	i=0
	while read -r hex; do
		i=$((i + 1))
		# shellcheck disable=SC2059 # the bytes as \xNN escapes
		printf "$(printf '%s' "$hex" | sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')" | seed mc_insn "$(printf 'i%02d' $i)"
	done
}

rm -rf "$w"
for t in $targets; do
	printf '%-18s %3d files %7d bytes\n' "fuzz_$t" "$(ls "$out/fuzz_$t" | wc -l)" "$(cat "$out/fuzz_$t"/* 2>/dev/null | wc -c)"
done
