#!/usr/bin/env bash
# e2e_bloat_sections: `sonde bloat --sections` (through tests/tools/
# bloat_sections until the command calls it, and the command when it does)
# on a C binary, its stripped copy, a .o, a shared library and a Rust
# binary: the FILE column adds up to the file, the VM column to the PT_LOAD
# segments, each section as readelf -S and size -A give it
# (bloat_sections_check.py); hostile inputs give one line of error and exit 1.
. "$(dirname "$0")/lib.sh"

TOOL=$(dirname "$SONDE")/tests/tools/bloat_sections
[ -x "$TOOL" ] || { skip bloat_sections "tests/tools/bloat_sections not built (make unit)"; exit 0; }
command -v readelf >/dev/null && command -v size >/dev/null && command -v python3 >/dev/null ||
	{ skip bloat_sections "needs readelf, size (binutils) and python3"; exit 0; }
CHECK=$SONDE_ROOT/tests/e2e/bloat_sections_check.py

build_fx split split.c || { fail bloat_sections_build "cannot compile split.c: $(first_lines "$T/build.log")"; exit 0; }
cp "$FIX/split" "$T/stripped" && strip "$T/stripped"
gcc -O2 -g -c -o "$T/split.o" "$FIXSRC/split.c" 2>>"$T/build.log"
gcc -O2 -g -fPIC -shared -o "$T/split.so" "$FIXSRC/split.c" 2>>"$T/build.log"
files="$FIX/split $T/stripped $T/split.o $T/split.so"
if command -v rustc >/dev/null && build_rust bloat_rust fixture.rs -C opt-level=1 -g; then
	files="$files $FIX/bloat_rust"
fi
# the command itself, once bloat_run calls bloat_sections_print
via=tool
if "$SONDE" bloat --sections -n 0 --message-format json "$FIX/split" >"$T/cmd.json" 2>/dev/null &&
	"$TOOL" -n 0 --json "$FIX/split" | cmp -s - "$T/cmd.json"; then
	via=sonde
fi
for f in $files; do
	name=bloat_sections_$(basename "$f" | tr . _)
	if [ $via = sonde ]; then
		"$SONDE" bloat --sections -n 0 --message-format json "$f" >"$T/s.json" 2>"$T/s.err"
	else
		"$TOOL" -n 0 --json "$f" >"$T/s.json" 2>"$T/s.err"
	fi
	r=$(python3 "$CHECK" "$T/s.json" "$f" 2>&1)
	case $r in
	ok*) pass "$name" ;;
	*) fail "$name" "$r $(first_lines "$T/s.err")" ;;
	esac
done

# The table: rows, [N Others] for -n, TOTAL, the kinds, strip's savings.
"$TOOL" -n 3 "$FIX/split" >"$T/t.txt" 2>&1
if grep -q '^    FILE SIZE        VM SIZE    $' "$T/t.txt" && grep -Eq '^ +[0-9.]+% +[0-9.]+[KM]?i? +[0-9.]+% .*\[[0-9]+ Others\]$' "$T/t.txt" &&
	grep -q '^ 100.0% .* 100.0% .*    TOTAL$' "$T/t.txt" && grep -q '^strip would save about ' "$T/t.txt"; then
	pass bloat_sections_table
else
	fail bloat_sections_table "$(head -c 600 "$T/t.txt")"
fi
"$TOOL" "$T/stripped" >"$T/st.txt" 2>&1
expect bloat_sections_stripped_nothing_to_strip grep -q '^Nothing for strip to remove' "$T/st.txt"

# strip's savings as estimated, against strip's own: within 1% of the file
# (strip --strip-debug also drops STT_FILE symbols and rewrites .strtab).
for f in "$FIX/split" $([ -x "$FIX/bloat_rust" ] && echo "$FIX/bloat_rust"); do
	"$TOOL" --json "$f" >"$T/e.json" 2>/dev/null
	cp "$f" "$T/all" && strip "$T/all" && cp "$f" "$T/dbg" && strip --strip-debug "$T/dbg" || continue
	r=$(python3 -c 'import json, os, sys; j = json.load(open(sys.argv[1])); n = os.path.getsize(sys.argv[2])
off = [(k, j[k], n - os.path.getsize(p)) for k, p in (("strip-saves", sys.argv[3]), ("strip-debug-saves", sys.argv[4]))]
bad = [f"{k} {e} vs {r}" for k, e, r in off if abs(e - r) > n / 100]
print("; ".join(bad) if bad else "ok")' "$T/e.json" "$f" "$T/all" "$T/dbg")
	if [ "$r" = ok ]; then pass "bloat_sections_strip_$(basename "$f")"; else fail "bloat_sections_strip_$(basename "$f")" "$r"; fi
done

# Hostile inputs: one line on stderr, exit 1, no crash.
head -c 100 "$FIX/split" >"$T/cut_header"
head -c "$(($(stat -c %s "$FIX/split") / 2))" "$FIX/split" >"$T/cut_half"
printf 'not an elf\n' >"$T/text"
for f in "$T/cut_header" "$T/cut_half" "$T/text" "$T" "$T/missing"; do
	"$TOOL" "$f" >"$T/h.out" 2>"$T/h.err"
	rc=$?
	name=bloat_sections_bad_$(basename "$f")
	[ "$f" = "$T" ] && name=bloat_sections_bad_directory
	if [ $rc = 1 ] && [ "$(wc -l <"$T/h.err")" = 1 ] && grep -q "^sonde: .*'$f'" "$T/h.err" && [ ! -s "$T/h.out" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 "$T/h.err")"
	fi
done
# A full disk: one line and exit 1, as for a bad file.
if [ -w /dev/full ]; then
	"$TOOL" "$FIX/split" >/dev/full 2>"$T/full.err"
	rc=$?
	if [ $rc = 1 ] && grep -q '^sonde: cannot write the output' "$T/full.err"; then
		pass bloat_sections_write_error
	else
		fail bloat_sections_write_error "exit $rc: $(head -c 200 "$T/full.err")"
	fi
fi
