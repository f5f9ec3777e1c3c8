#!/usr/bin/env bash
# e2e_bloat: sonde bloat on binaries built here, checked against binutils.
#  1. C (tests/fixtures/bloat_c: a program and a static library built in its
#     own directory): every function's size equals nm -S's (an alias counted
#     once), the .text total equals size -A's, crate totals add up to it,
#     the code with DWARF is under its program's / library's name;
#     --data: the objects' sizes equal nm -S's; --diff: grow_me first;
#  2. Rust (tests/fixtures/bloat: a binary and two path crates, built with
#     cargo, offline, in the lane's copy e2e_bloat_cargo uses too): the same checks on every function; shapes,
#     textkit, bloatapp and std among the crates and no [Unknown] row for
#     code with DWARF line info; --generics: 5 copies of shapes::summarize;
#     --diff against the `grow` build: textkit::render first; --inlined and
#     the size flamegraph name the fixture's crates;
#  3. bad input: a missing file, a directory, a text file, a truncated ELF,
#     an unknown section: one line, non-zero exit, no crash.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 0

# ---- 1. C ----
cp -r "$FIXSRC/bloat_c" c && cd c || exit 0
if ! (cd libgeom && gcc -O1 -g -c geom.c && ar rcs libgeom.a geom.o) 2>>"$T/build.log" ||
	! gcc -O1 -g main.c libgeom/libgeom.a -lm -o cprog 2>>"$T/build.log" ||
	! gcc -O1 -g -DGROW main.c libgeom/libgeom.a -lm -o cprog2 2>>"$T/build.log"; then
	fail bloat_c_build "$(head -3 "$T/build.log")"
	exit 0
fi

# compare BIN SECTION-RE KIND [OPTION]: sonde's rows (-n 0, JSON) against nm -S and size -A;
# prints "ok N" or what differs
compare() {
	"$SONDE" bloat -n 0 --message-format json ${4:-} "$1" >"$T/b.json" 2>"$T/b.err" || { echo "exit $?: $(cat "$T/b.err")"; return; }
	"$SONDE" bloat -n 0 --message-format json --crates ${4:-} "$1" >"$T/c.json" 2>>"$T/b.err" || { echo "crates: exit $?"; return; }
	nm -S --defined-only "$1" >"$T/nm.txt"
	size -A "$1" >"$T/size.txt"
	readelf -SW "$1" >"$T/sections.txt"
	python3 2>&1 - "$T/b.json" "$T/c.json" "$T/nm.txt" "$T/size.txt" "$T/sections.txt" "$2" "$3" <<'EOF'
import json, sys, re
b = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
secs_re = re.compile(sys.argv[6])
kind = sys.argv[7]
# the section(s): address ranges from readelf -S
ranges = []
for line in open(sys.argv[5]):
    m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)', line)
    if m and secs_re.fullmatch(m.group(1)):
        ranges.append((int(m.group(2), 16), int(m.group(2), 16) + int(m.group(3), 16)))
total = sum(int(l.split()[1]) for l in open(sys.argv[4]) if l.split() and secs_re.fullmatch(l.split()[0]))
if b["text-section-size"] != total:
    print("section size %d, size -A says %d" % (b["text-section-size"], total)); sys.exit()
if sum(x["size"] for x in c["crates"]) != total:
    print("crates add up to %d, not %d" % (sum(x["size"] for x in c["crates"]), total)); sys.exit()
if sum(x["size"] for x in b["functions"]) != total:
    print("rows add up to %d, not %d" % (sum(x["size"] for x in b["functions"]), total)); sys.exit()
types = "tTwWiI" if kind == "code" else "dDbBrRvV"
by_addr = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 4 and f[2] in types:
        a, s = int(f[0], 16), int(f[1], 16)
        if s and any(lo <= a < hi for lo, hi in ranges):
            by_addr.setdefault(a, []).append((s, f[3]))
# nm's sizes, one per address (aliases once: the biggest), against the
# multiset of sonde's symbol rows (labels without size and gaps excluded)
want = sorted(max(v)[0] for v in by_addr.values())
sized = set(n for v in by_addr.values() for s, n in v)
got = sorted(x["size"] for x in b["functions"] if not x["name"].startswith("["))
extra = len(got) - len(want)
if extra < 0:
    print("%d symbols, nm -S has %d" % (len(got), len(want))); sys.exit()
# sonde's extra rows are labels (symbols without a size) it sized: drop
# as many of its rows as there are labels, smallest mismatch first
from collections import Counter
cw, cg = Counter(want), Counter(got)
missing = cw - cg
if missing:
    print("sizes nm -S has that sonde lacks: %s" % sorted(missing.elements())[:10]); sys.exit()
# by name where nm's names are sonde's (C: not mangled)
nm_size = {n: s for v in by_addr.values() for s, n in v}
wrong = [(x["name"], x["size"], nm_size[x["name"]]) for x in b["functions"] if nm_size.get(x["name"], x["size"]) != x["size"]]
if wrong:
    print("sizes differ from nm -S: %s" % wrong[:5]); sys.exit()
print("ok %d" % len(want))
EOF
}

r=$(compare cprog '\.text' code)
[[ $r == ok* ]] && pass bloat_c_sizes_match_nm || fail bloat_c_sizes_match_nm "$r"
r=$(compare cprog '\.(rodata|data|bss|tdata|tbss)(\..*)?' data --data)
[[ $r == ok* ]] && pass bloat_c_data_match_nm || fail bloat_c_data_match_nm "$r"
"$SONDE" bloat -n 0 --wide cprog >"$T/c.txt" 2>&1
if grep -Eq ' cfx +main$| c +main$' "$T/c.txt" && grep -Eq ' libgeom +geom_hypot3$' "$T/c.txt" &&
	[ "$(grep -c ' lookup' "$T/c.txt")" = 1 ] && grep -q '^ *0.0% *0.0% *0B .*And 0 smaller methods. Use -n N to show more.$' "$T/c.txt" &&
	grep -Eq '\.text section size, the file size is [0-9.]+KiB$' "$T/c.txt"; then
	pass bloat_c_table
else
	fail bloat_c_table "$(tr '\n' '|' <"$T/c.txt")"
fi
"$SONDE" bloat --diff cprog cprog2 >"$T/d.txt" 2>&1
first=$(sed -n 2p "$T/d.txt" | awk '{ print $NF }')
[ "$first" = grow_me ] && grep -q '^ *[0-9]*B *[0-9]*B *+[0-9]*B' <(sed -n 2p "$T/d.txt") && pass bloat_c_diff_grown_first ||
	fail bloat_c_diff_grown_first "$(tr '\n' '|' <"$T/d.txt")"

# the review's cases: nested symbols, an object file's .text.* sections,
# code --gc-sections dropped (its DWARF at 0), .bss's file share
sum_rows() { # BIN [OPTIONS]: "rows total" from the JSON of -n 0
	"$SONDE" bloat -n 0 --message-format json "${@:2}" "$1" 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(f["size"] for f in d["functions"]), d["text-section-size"])'
}
gcc -nostdlib -static -Wl,-e,main nested.s -o nested 2>>"$T/build.log"
r=$(sum_rows nested)
set -- $r
[ -n "$r" ] && [ "$1" = "$2" ] && [ "$2" = "$(size -A nested | awk '$1 == ".text" { print $2 }')" ] && pass bloat_nested_symbols_add_up ||
	fail bloat_nested_symbols_add_up "rows and .text: $r"
gcc -O2 -g -ffunction-sections -c main.c -o main_fs.o 2>>"$T/build.log"
r=$(sum_rows main_fs.o)
text=$(size -A main_fs.o | awk '$1 ~ /^\.text/ { s += $2 } END { print s }')
set -- $r
[ -n "$r" ] && [ "$1" = "$2" ] && [ "$2" = "$text" ] && pass bloat_object_file_text_sections ||
	fail bloat_object_file_text_sections "rows and sections: $r, size -A's .text*: $text"
(cd libgeom && gcc -O1 -g -ffunction-sections -c geom.c -o geom_fs.o) 2>>"$T/build.log"
gcc -O1 -g main.c libgeom/geom_fs.o -lm -Wl,--gc-sections -o gcprog 2>>"$T/build.log"
r=$(sum_rows gcprog --inlined)
set -- $r
start=$("$SONDE" bloat -n 0 --wide gcprog 2>&1 | awk '$NF == "_start" { print $4 }')
[ -n "$r" ] && [ "$1" = "$2" ] && [ "$start" = "[Unknown]" ] && pass bloat_gc_sections_dwarf_at_0 ||
	fail bloat_gc_sections_dwarf_at_0 "inlined rows and .text: $r; _start's crate: $start"
echo 'char big[100 << 20]; int main(void) { return big[5]; }' >bss.c
gcc -O1 bss.c -o bss 2>>"$T/build.log"
pct=$("$SONDE" bloat --data -n 1 bss 2>&1 | awk '$NF == "big" { print $1 }')
[ "$pct" = "0.0%" ] && pass bloat_bss_takes_no_file || fail bloat_bss_takes_no_file "File column of big: $pct"
cd "$T" || exit 0

# ---- 2. Rust ----
if ! command -v cargo >/dev/null; then
	skip bloat_rust "no cargo"
else
	ws=$(bloat_ws)
	export CARGO_TARGET_DIR=$ws/target
	unset CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_DEBUG
	if ! (cd "$ws" && cargo build --release --offline -q) 2>>"$T/build.log" ||
		! cp "$ws/target/release/bloatapp" app1 ||
		! (cd "$ws" && cargo build --release --offline -q --features grow) 2>>"$T/build.log"; then
		fail bloat_rust_build "$(tail -3 "$T/build.log")"
		exit 0
	fi
	cp "$ws/target/release/bloatapp" app2
	r=$(compare app1 '\.text' code)
	[[ $r == ok* ]] && pass bloat_rust_sizes_match_nm || fail bloat_rust_sizes_match_nm "$r"
	"$SONDE" bloat --crates -n 0 app1 >"$T/rc.txt" 2>&1
	missing=
	for c in std shapes textkit bloatapp; do
		grep -Eq " $c\$" "$T/rc.txt" || missing="$missing $c"
	done
	[ -z "$missing" ] && pass bloat_rust_crates || fail bloat_rust_crates "missing$missing: $(tr '\n' '|' <"$T/rc.txt")"
	# every [Unknown] function has no DWARF line info (addr2line: FILE:? or ??:0)
	"$SONDE" bloat -n 0 --wide --filter '[Unknown]' app1 >"$T/unk.txt" 2>&1
	bad=
	while read -r name; do
		addr=$(nm --defined-only app1 | awk -v n="$name" '$3 == n { print $1; exit }')
		[ -z "$addr" ] && { bad="$bad $name(no address)"; continue; }
		addr2line -e app1 "0x$addr" | grep -Eq ':[1-9][0-9]*' && bad="$bad $name"
	done < <(awk '$4 == "[Unknown]" { print $5 }' "$T/unk.txt")
	[ -z "$bad" ] && pass bloat_rust_unknown_only_without_dwarf || fail bloat_rust_unknown_only_without_dwarf "with DWARF:$bad"
	"$SONDE" bloat --generics -n 0 --wide app1 >"$T/g.txt" 2>&1
	copies=$(awk '$NF == "shapes::summarize" { print $1 }' "$T/g.txt")
	[ "$copies" = 5 ] && pass bloat_rust_generics_5_copies || fail bloat_rust_generics_5_copies "copies '$copies': $(grep summarize "$T/g.txt")"
	"$SONDE" bloat --diff app1 app2 -n 5 --wide >"$T/rd.txt" 2>&1
	first=$(sed -n 2p "$T/rd.txt" | awk '{ print $NF }')
	[ "$first" = textkit::render ] && pass bloat_rust_diff_grown_first || fail bloat_rust_diff_grown_first "$(tr '\n' '|' <"$T/rd.txt")"
	"$SONDE" bloat --inlined --crates -n 0 app1 >"$T/in.txt" 2>&1
	grep -Eq ' shapes$' "$T/in.txt" && grep -Eq ' std$' "$T/in.txt" && pass bloat_rust_inlined ||
		fail bloat_rust_inlined "$(tr '\n' '|' <"$T/in.txt")"
	"$SONDE" flamegraph -i app1 --bloat -o size.svg 2>"$T/fg.err"
	grep -q 'shapes' size.svg && grep -q 'summarize' size.svg && grep -q 'bytes' size.svg && pass bloat_size_flamegraph ||
		fail bloat_size_flamegraph "$(cat "$T/fg.err")"
fi

# ---- 3. bad input ----
bad_input() { # NAME FILE WANT-IN-ERROR [OPTIONS...]
	local name=$1 file=$2 want=$3; shift 3
	"$SONDE" bloat "$@" "$file" >/dev/null 2>"$T/bad.err"
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && [ "$(wc -l <"$T/bad.err")" = 1 ] && grep -q "$want" "$T/bad.err"; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(cat "$T/bad.err")"
	fi
}
bad_input bloat_missing_file "$T/nope" "cannot open"
bad_input bloat_directory "$T" "is a directory"
echo "not an ELF" >text.txt
bad_input bloat_not_elf text.txt "not an ELF"
head -c 3000 c/cprog >trunc
bad_input bloat_truncated trunc "trunc"
bad_input bloat_unknown_section c/cprog "no .nope section" --symbols-section .nope
