#!/usr/bin/env bash
# sonde flamegraph: record + render in one step, the other inputs (folded,
# perf script, sonde.data, perf.data), diff, speedscope, reverse/inverted,
# the target's exit status, and escaping of hostile frame names.
. "$(dirname "$0")/lib.sh"

if ! "$SONDE" flamegraph --help >/dev/null 2>&1; then
	skip flamegraph "'sonde flamegraph' is not in this build's command table"
	exit 0
fi
build_fx split split.c || { fail build "cannot build split.c: $(first_lines "$T/build.log")"; exit 0; }
have_xmllint=0; command -v xmllint >/dev/null && have_xmllint=1

# pct SVG NAME : summed percentage of the frames titled NAME ("NAME (N samples, X%)")
pct() {
	grep -o "<title>$2 ([0-9,]* samples, [0-9.]*%)</title>" "$1" |
		sed -E 's/.*, ([0-9.]+)%\).*/\1/' | awk '{ s += $1 } END { printf "%.2f\n", s + 0 }'
}
valid_svg() { # NAME FILE
	if [ ! -s "$2" ]; then fail "$1" "no SVG written"; return 1; fi
	if [ $have_xmllint = 1 ] && ! xmllint --noout "$2" 2>"$T/xml.err"; then
		fail "$1" "xmllint: $(first_lines "$T/xml.err")"; return 1
	fi
	return 0
}
# check_split NAME SVG : hot_a ~75%, hot_b ~25% (±10 points)
check_split() {
	valid_svg "$1" "$2" || return
	local a b
	a=$(pct "$2" hot_a); b=$(pct "$2" hot_b)
	if near "$a" 75 10 && near "$b" 25 10; then pass "$1"
	else fail "$1" "hot_a $a% (want ~75), hot_b $b% (want ~25)"; fi
}

cd "$T" || exit 1

# 1. record + render
mkdir -p "$T/tmpdir" # its own TMPDIR: another suite may be recording beside this one
rc=$(TMPDIR=$T/tmpdir run_rc "$T/rec" "$SONDE" flamegraph -o out.svg -- "$FIX/split" 1)
if [ "$rc" = 0 ]; then check_split record-svg out.svg; else fail record-svg "status $rc: $(first_lines "$T/rec.err")"; fi
if grep -qE '^sonde: wrote out.svg \([0-9,]+ samples, [0-9.]+ [KM]B\)' "$T/rec.err"; then pass wrote-message
else fail wrote-message "$(grep wrote "$T/rec.err" | tail -1)"; fi
if grep -q '<title>split (' out.svg; then pass root-is-comm; else fail root-is-comm "no 'split' frame"; fi
if [ -z "$(find "$T/tmpdir" -maxdepth 1 -name 'sonde-flamegraph.*' 2>/dev/null)" ]; then pass temp-removed
else fail temp-removed "temporary recording left behind"; fi

# 2. the recording, kept, as input; folded output of it, then --folded
"$SONDE" flamegraph -q --keep-data kept.data -o kept.svg -- "$FIX/split" 1 >/dev/null 2>&1
if [ -s kept.data ]; then
	rc=$(run_rc "$T/i" "$SONDE" flamegraph -i kept.data -o i.svg)
	[ "$rc" = 0 ] && check_split input-sonde-data i.svg || fail input-sonde-data "status $rc: $(first_lines "$T/i.err")"
	"$SONDE" flamegraph -i kept.data --format folded >kept.folded 2>/dev/null
	if grep -qE '^split;.*;hot_a [0-9]+$' kept.folded; then pass format-folded; else fail format-folded "$(first_lines kept.folded)"; fi
	rc=$(run_rc "$T/f" "$SONDE" flamegraph --folded kept.folded -o f.svg)
	[ "$rc" = 0 ] && check_split input-folded f.svg || fail input-folded "status $rc: $(first_lines "$T/f.err")"
	"$SONDE" flamegraph -q --folded - -o stdin.svg <kept.folded && check_split input-folded-stdin stdin.svg
	# --reverse: leaves at the bottom, so hot_a is a child of the root
	"$SONDE" flamegraph -q -i kept.data --reverse -o rev.svg 2>/dev/null
	valid_svg reverse rev.svg && {
		a=$(pct rev.svg hot_a)
		if near "$a" 75 10; then pass reverse; else fail reverse "hot_a $a% (want ~75)"; fi
		"$SONDE" flamegraph -i kept.data --reverse --format folded 2>/dev/null | grep -qE '^hot_a;main;.*;split [0-9]+$' &&
			pass reverse-folded || fail reverse-folded "no 'hot_a;main;...;split' line"
	}
	"$SONDE" flamegraph -q -i kept.data --inverted -o inv.svg 2>/dev/null
	valid_svg inverted inv.svg && { grep -q 'Icicle' inv.svg && pass inverted || fail inverted "no icicle title"; }
	# speedscope
	"$SONDE" flamegraph -q -i kept.data --format speedscope -o s.json 2>/dev/null
	if command -v python3 >/dev/null; then
		if python3 - s.json >"$T/ss.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["$schema"].endswith("file-format-schema.json")
fr = d["shared"]["frames"]
names = [f["name"] for f in fr]
assert "hot_a" in names and "hot_b" in names
p = d["profiles"][0]
assert p["type"] == "sampled" and p["unit"] == "none"
assert len(p["samples"]) == len(p["weights"])
ia = names.index("hot_a")
tot = sum(p["weights"]); a = sum(w for s, w in zip(p["samples"], p["weights"]) if ia in s)
assert all(0 <= i < len(fr) for s in p["samples"] for i in s)
assert p["endValue"] == tot, (p["endValue"], tot)
print("hot_a share %.1f" % (100.0 * a / tot))
assert 65 <= 100.0 * a / tot <= 85
PY
		then pass speedscope; else fail speedscope "$(first_lines "$T/ss.out" 5)"; fi
		"$SONDE" flamegraph -q --folded kept.folded --format speedscope -o sf.json 2>/dev/null
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["profiles"][0]["samples"]) > 0' sf.json 2>"$T/sf.err" &&
			pass speedscope-folded || fail speedscope-folded "$(first_lines "$T/sf.err")"
	else
		skip speedscope "no python3"
	fi
else
	fail keep-data "no kept.data"
fi

# 3. hostile names from a folded file are escaped
printf 'prog;<script>alert(1)</script>;a&b "q" 5\nprog;main;x 3\n' >evil.folded
"$SONDE" flamegraph -q --folded evil.folded -o evil.svg 2>/dev/null
if valid_svg escaped evil.svg; then
	if grep -q '<script>alert' evil.svg; then fail escaped "raw <script>alert in the SVG"
	elif grep -q '&lt;script&gt;alert' evil.svg; then pass escaped
	else fail escaped "frame name missing"; fi
fi
"$SONDE" flamegraph -q --folded evil.folded --format speedscope -o evil.json 2>/dev/null
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=[f["name"] for f in d["shared"]["frames"]]; assert "<script>alert(1)</script>" in n and "a&b \"q\"" in n, n' evil.json 2>"$T/ej.err" &&
		pass speedscope-escaped || fail speedscope-escaped "$(first_lines "$T/ej.err")"
fi

# 4. diff: after has more hot_b than before -> red and blue frames
if [ -s kept.folded ]; then
	awk '{ n = $NF; if ($0 ~ /;hot_a$|;hot_a /) n = int(n / 2); if ($0 ~ /;hot_b /) n = n * 3; $NF = n; print }' kept.folded >after.folded
	rc=$(run_rc "$T/d" "$SONDE" flamegraph --diff kept.folded after.folded -o diff.svg)
	if [ "$rc" = 0 ] && valid_svg diff diff.svg; then
		red=$(grep -cE 'fill="rgb\(2[0-9][0-9],[0-9]{1,3},[0-9]{1,3}\)"' diff.svg)
		blue=$(grep -cE 'fill="rgb\([0-9]{1,3},[0-9]{1,3},2[0-9][0-9]\)"' diff.svg)
		if [ "$red" -gt 0 ] && [ "$blue" -gt 0 ]; then pass diff; else fail diff "red $red, blue $blue fills"; fi
	else
		fail diff "status $rc: $(first_lines "$T/d.err")"
	fi
	"$SONDE" flamegraph -q --diff kept.data after.folded -n --negate -o diff2.svg 2>"$T/d2.err" && valid_svg diff-recording diff2.svg && pass diff-recording-vs-folded ||
		fail diff-recording-vs-folded "$(first_lines "$T/d2.err")"
fi

# 5. perf's files
if perf_usable; then
	perf record -q -g -e cpu-clock -o perf.data "$FIX/split" 1 >/dev/null 2>&1
	perf script -i perf.data >perf.txt 2>/dev/null
	rc=$(run_rc "$T/ps" "$SONDE" flamegraph --perf-script perf.txt -o ps.svg)
	[ "$rc" = 0 ] && check_split input-perf-script ps.svg || fail input-perf-script "status $rc: $(first_lines "$T/ps.err")"
	rc=$(run_rc "$T/pd" "$SONDE" flamegraph -i perf.data -o pd.svg)
	[ "$rc" = 0 ] && check_split input-perf-data pd.svg || fail input-perf-data "status $rc: $(first_lines "$T/pd.err")"
else
	skip perf-inputs "perf not usable"
fi

# 6. a failing target still gets its graph, and its status
cat >fails.sh <<'EOF'
#!/bin/sh
i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done
exit 7
EOF
chmod +x fails.sh
rc=$(run_rc "$T/fl" "$SONDE" flamegraph -o fails.svg -- ./fails.sh)
if [ "$rc" = 7 ] && valid_svg exit-status fails.svg; then pass exit-status
else fail exit-status "status $rc (want 7), svg $(ls -s fails.svg 2>/dev/null)"; fi
rc=$(run_rc "$T/fl2" "$SONDE" flamegraph --ignore-status -o fails2.svg -- ./fails.sh)
[ "$rc" = 0 ] && pass ignore-status || fail ignore-status "status $rc"
rc=$(run_rc "$T/nf" "$SONDE" flamegraph -o nf.svg -- ./no-such-program)
[ "$rc" = 127 ] && pass not-found-127 || fail not-found-127 "status $rc"

# 7. usage errors
rc=$(run_rc "$T/u" "$SONDE" flamegraph --palette nope -- true)
[ "$rc" = 129 ] && grep -q "palette 'nope'" "$T/u.err" && pass bad-palette || fail bad-palette "status $rc: $(first_lines "$T/u.err")"
rc=$(run_rc "$T/u2" "$SONDE" flamegraph)
[ "$rc" = 129 ] && pass no-input || fail no-input "status $rc"

# 8. --open (e2e_heaptrack_compat.sh: the same launch as heaptrack_gui's)
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/rec.tmp"; mv "%s/rec.tmp" "%s/rec.args"\n' "$T" "$T" "$T" >rec
chmod +x rec
mkdir -p nobin
# no display: nothing is started, the path is printed, even with -q
rc=$(DISPLAY= WAYLAND_DISPLAY= BROWSER="$T/rec" run_rc "$T/op" "$SONDE" flamegraph -q --open --folded evil.folded -o open.svg)
sleep 0.3
if [ "$rc" = 0 ] && [ ! -e rec.args ] && grep -qF "no display" "$T/op.err" && grep -qF "open file://$T/open.svg in a browser" "$T/op.err"; then
	pass open-no-display
else
	fail open-no-display "status $rc, browser ran: $([ -e rec.args ] && echo yes || echo no): $(first_lines "$T/op.err")"
fi
# a display but no browser that starts: the path is printed
rc=$(DISPLAY=:99 BROWSER="$T/no-such-browser" PATH="$T/nobin" run_rc "$T/op2" "$SONDE" flamegraph --open --folded evil.folded -o open.svg)
if [ "$rc" = 0 ] && grep -qF "no browser could be started" "$T/op2.err" && grep -qF "open file://$T/open.svg in a browser" "$T/op2.err"; then
	pass open-no-browser
else
	fail open-no-browser "status $rc: $(first_lines "$T/op2.err")"
fi
# a display: $BROWSER gets the absolute path
rc=$(cd nobin && DISPLAY=:99 BROWSER="$T/rec" run_rc "$T/op3" "$SONDE" flamegraph --open --folded ../evil.folded -o ../open.svg)
for _ in $(seq 20); do [ -e rec.args ] && break; sleep 0.2; done
if [ "$rc" = 0 ] && [ "$(cat rec.args 2>/dev/null)" = "$T/open.svg" ] && grep -qF "opening $T/open.svg with $T/rec" "$T/op3.err"; then
	pass open-browser
else
	fail open-browser "status $rc, browser got '$(cat rec.args 2>/dev/null)': $(first_lines "$T/op3.err")"
fi
exit 0
