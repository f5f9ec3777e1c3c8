#!/usr/bin/env bash
# e2e_heap_html: `sonde heap report TRACE --html F` and `heaptrack_gui TRACE`.
#  1. a C++ fixture (tests/fixtures/heap_html.cpp, ~1 s, templates, a thread
#     named <i>t</i>&"') built from a directory named "src</script>" and run
#     with a hostile argument: the page is written, quietly, parses as HTML,
#     has the summary, three charts with many points, four flame graphs (each
#     a well-formed SVG), both call trees, nothing external, and every trace
#     string escaped;
#  2. heap_basic's designed counts on the page; an empty program's page;
#  3. heaptrack_gui (via sonde shims): FILE.html, the current directory when
#     FILE.html cannot be created, a browser started only on a terminal;
#  4. headless Chromium (tests/browser/heap_html_test.mjs) when chromium,
#     node and playwright-core are there.
. "$(dirname "$0")/lib.sh"

BROWSER_DIR=$SONDE_ROOT/tests/browser
TMO=${HEAP_TIMEOUT:-60}
HOSTILE='</script><script>alert("cmd")</script><img src=x onerror=alert(2)>'

if ! command -v g++ >/dev/null; then
	skip heap_html "no g++ for the fixture"
	exit 0
fi
src="$T/src</script>"
mkdir -p "$src"
cp "$FIXSRC/heap_html.cpp" "$src/heap_html.cpp"
if ! g++ -O2 -g -fno-omit-frame-pointer -pthread -o "$T/heap_html" "$src/heap_html.cpp" 2>"$T/build.log"; then
	fail heap_html_build "$(first_lines "$T/build.log")"
	exit 0
fi

rc=$(cd "$T" && run_rc "$T/rec" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/h.zst" -- "$T/heap_html" 80 "$HOSTILE")
if [ "$rc" != 0 ] || [ ! -s "$T/h.zst" ]; then
	fail heap_html_record "sonde heap exit $rc: $(first_lines "$T/rec.err")"
	exit 0
fi

# ---- 1. the page ----
rc=$(run_rc "$T/html" timeout -k 5 "$TMO" "$SONDE" heap report "$T/h.zst" --html "$T/h.html")
if [ "$rc" = 0 ] && [ -s "$T/h.html" ]; then
	pass "heap_html_written ($(stat -c %s "$T/h.html") B)"
else
	fail heap_html_written "exit $rc: $(first_lines "$T/html.err")"
	exit 0
fi
if [ ! -s "$T/html.out" ] && [ "$(grep -c . "$T/html.err")" -le 1 ]; then
	pass heap_html_quiet
else
	fail heap_html_quiet "stdout: $(first_lines "$T/html.out"); stderr: $(first_lines "$T/html.err")"
fi

H=$T/h.html
if [ "$(head -c 15 "$H")" = '<!DOCTYPE html>' ] && [ "$(grep -c '</html>' "$H")" = 1 ] && tail -c 200 "$H" | grep -q '</html>'; then
	pass heap_html_document
else
	fail heap_html_document "no <!DOCTYPE html> ... </html>"
fi

# libxml2's HTML parser is HTML 4: it knows neither HTML5 sections nor
# inline SVG, so "Tag X invalid" for those is all it may say
if command -v xmllint >/dev/null; then
	xmllint --html --noout "$H" 2>"$T/xml.err"
	other=$(grep ' error : ' "$T/xml.err" | grep -vE 'Tag (header|nav|main|section|figure|figcaption|footer|svg|g|path|polyline|line|circle|rect|text) invalid' | head -3)
	if [ -z "$other" ]; then pass heap_html_xmllint; else fail heap_html_xmllint "$other"; fi
else
	skip heap_html_xmllint "xmllint not installed (libxml2-utils)"
fi

# self-contained: nothing fetched from anywhere
if grep -qiE '(src|href|action)="?(https?:)?//|<link|@import|url\((https?:)?//' "$H"; then
	fail heap_html_self_contained "$(grep -oiE '(src|href|action)="?(https?:)?//[^"]*|<link[^>]*|@import[^;]*|url\([^)]*' "$H" | head -2 | tr '\n' ' ')"
else
	pass heap_html_self_contained
fi

missing=""
for id in summary chart-heap chart-allocations chart-temporary flame-allocations flame-temporary flame-peak \
	flame-leaked svg-allocations svg-temporary svg-peak svg-leaked tree-topdown tree-bottomup sonde-data; do
	grep -q "id=\"$id\"" "$H" || missing="$missing $id"
done
if [ -z "$missing" ]; then pass heap_html_sections; else fail heap_html_sections "missing ids:$missing"; fi

# the summary: heaptrack_print's totals
read -r calls temp <<<"$("$SONDE" heap report "$T/h.zst" 2>/dev/null | awk '/^calls to allocation functions:/ { c = $5 } /^temporary memory allocations:/ { t = $4 } END { print c, t }')"
# stat VALUE FILE: a summary value "<td>VALUE" (then a note or the cell's end)
stat() { grep -qF "<td>$1 <span" "$2" || grep -qF "<td>$1</td>" "$2"; }
fmt_thousands() { sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta' <<<"$1"; }
if [ -n "$calls" ] && stat "$(fmt_thousands "$calls")" "$H" && stat "$(fmt_thousands "$temp")" "$H" &&
	grep -q '>total runtime<' "$H" && grep -q '>peak heap memory consumption<' "$H" && grep -q '>total memory leaked<' "$H"; then
	pass "heap_html_summary (calls $calls, temporary $temp)"
else
	fail heap_html_summary "calls '$calls' temporary '$temp' not both on the page, or summary rows missing"
fi

# the charts: a line with many points each, the peak marked
# points CHART-ID: the number of points of the chart's first line
points() {
	awk -v id="$1" '
		index($0, "id=\"" id "\"") { on = 1 }
		on && match($0, /<polyline class="line [^"]*" points="[^"]*"/) {
			s = substr($0, RSTART, RLENGTH); sub(/.*points="/, "", s); sub(/"$/, "", s)
			print split(s, a, " "); exit
		}' "$H"
}
np=$(points chart-heap) na=$(points chart-allocations) nt=$(points chart-temporary)
if [ "${np:-0}" -ge 50 ] && [ "${na:-0}" -ge 50 ] && [ "${nt:-0}" -ge 50 ] && [ "$np" -le 2002 ] &&
	grep -q '<g class="peak"><circle' "$H" && grep -qE '>peak [0-9.]+[BKMG] at [0-9.]+m?s</text>' "$H"; then
	pass "heap_html_charts (points: heap $np, allocations $na, temporary $nt)"
else
	fail heap_html_charts "points: heap '$np' allocations '$na' temporary '$nt' (want 50..2002), peak marker $(grep -c 'class="peak"' "$H")"
fi
if grep -qE '<text x="[0-9.]+" y="[0-9.]+">[0-9.]+[KM]?</text>' "$H" && grep -qE '>0\.[0-9]s</text>' "$H"; then
	pass heap_html_chart_axes
else
	fail heap_html_chart_axes "no byte tick labels (e.g. 200K) or time ticks (e.g. 0.2s)"
fi

# the flame graphs: each a well-formed SVG with frames
# svg_block COST: the decoded SVG of a flame graph block
svg_block() {
	awk -v id="svg-$1" 'index($0, "id=\"" id "\">") { s = $0; sub(/.*id="[^"]*">/, "", s); sub(/<\/script>.*/, "", s); print s; exit }' "$H" | base64 -d 2>/dev/null
}
bad=""
for c in allocations temporary peak leaked; do
	svg_block "$c" >"$T/flame_$c.svg"
	n=$(grep -c '<g fg:x=' "$T/flame_$c.svg")
	if [ "$n" -lt 3 ]; then
		bad="$bad $c: $n frames;"
	elif command -v xmllint >/dev/null && ! xmllint --noout "$T/flame_$c.svg" 2>/dev/null; then
		bad="$bad $c: not well-formed;"
	fi
done
if [ -z "$bad" ] && grep -q '<title>void fill&lt;int&gt;(std::vector&lt;Box&lt;int&gt;' "$T/flame_allocations.svg" &&
	grep -q '<title>temporaries (' "$T/flame_temporary.svg"; then
	pass heap_html_flamegraphs
else
	fail heap_html_flamegraphs "$bad $(grep -o '<title>[^<]*fill[^<]*' "$T/flame_allocations.svg" | head -1)"
fi

# escaping: nothing from the trace is markup; in the JSON no < > &
nscript=$(grep -o '<script' "$H" | wc -l) nclose=$(grep -o '</script>' "$H" | wc -l)
json=$(awk '/id="sonde-data">/ { on = 1 } on { print } on && /<\/script>/ { exit }' "$H")
if [ "$nscript" = 6 ] && [ "$nclose" = 6 ] && ! grep -q '<script>alert' "$H" && ! grep -q '<img' "$H" &&
	! grep -q '<i>t</i>' "$H" &&
	grep -qF '&lt;/script&gt;&lt;script&gt;alert(&quot;cmd&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;' "$H" &&
	grep -qF '&lt;i&gt;t&lt;/i&gt;&amp;&quot;&#39;' "$H" &&
	grep -qF 'src\u003c/script\u003e/heap_html.cpp' <<<"$json" &&
	grep -qF 'fill\u003cint\u003e' <<<"$json" &&
	! sed '1s/.*id="sonde-data">//; $s/<\/script>.*//' <<<"$json" | grep -q '[<>&]'; then
	pass heap_html_escaped
else
	fail heap_html_escaped "<script: $nscript, </script>: $nclose (want 6 and 6); raw: $(grep -o '<script>alert[^<]*\|<img[^>]*\|<i>t</i>' "$H" | head -2 | tr '\n' ' ')"
fi

# ---- 2. other traces ----
build_fx heap_basic heap_basic.c && build_fx heap_empty heap_empty.c
rc=$(cd "$T" && run_rc "$T/rec_basic" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/basic.zst" -- "$FIX/heap_basic")
rc2=$(run_rc "$T/html_basic" "$SONDE" heap report "$T/basic.zst" --html "$T/basic.html")
if [ "$rc" = 0 ] && [ "$rc2" = 0 ] && stat 101,231 "$T/basic.html" && stat 100,020 "$T/basic.html" &&
	stat 18.09M "$T/basic.html" && stat 40.96K "$T/basic.html"; then
	pass heap_html_basic_counts
else
	fail heap_html_basic_counts "record $rc, html $rc2; want 101,231 calls, 100,020 temporary, 18.09M peak, 40.96K leaked on the page: $(first_lines "$T/html_basic.err")"
fi
rc=$(cd "$T" && run_rc "$T/rec_empty" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/empty.zst" -- "$FIX/heap_empty")
rc2=$(run_rc "$T/html_empty" "$SONDE" heap report "$T/empty.zst" --html "$T/empty.html")
if [ "$rc" = 0 ] && [ "$rc2" = 0 ] && grep -q 'No allocations were recorded' "$T/empty.html" && grep -q '</html>' "$T/empty.html"; then
	pass heap_html_empty
else
	fail heap_html_empty "record $rc, html $rc2: $(first_lines "$T/html_empty.err")"
fi
rc=$(run_rc "$T/html_bad" "$SONDE" heap report "$T/no-such.zst" --html "$T/bad.html")
if [ "$rc" = 1 ] && [ ! -e "$T/bad.html" ] && [ "$(grep -c . "$T/html_bad.err")" -ge 1 ]; then
	pass heap_html_missing_trace
else
	fail heap_html_missing_trace "exit $rc (want 1, an error and no page)"
fi

# ---- 3. heaptrack_gui ----
if "$SONDE" shims "$T/bin" >/dev/null 2>&1 && [ -e "$T/bin/heaptrack_gui" ]; then
	rc=$(PATH="$T/bin:$PATH" BROWSER= DISPLAY= WAYLAND_DISPLAY= run_rc "$T/gui" heaptrack_gui "$T/h.zst" </dev/null)
	if [ "$rc" = 0 ] && [ -s "$T/h.zst.html" ] && cmp -s "$T/h.zst.html" "$T/h.html" &&
		grep -qF "sonde: wrote $T/h.zst.html — open it in a browser" "$T/gui.err"; then
		pass heap_html_gui
	else
		fail heap_html_gui "exit $rc, $(ls "$T" | grep -c 'h.zst.html') page(s); same as --html: $(cmp -s "$T/h.zst.html" "$T/h.html" && echo yes || echo no); $(first_lines "$T/gui.err")"
	fi
	# FILE.html cannot be created: the current directory
	mkdir -p "$T/ro/h.zst.html" "$T/cwd"
	cp "$T/h.zst" "$T/ro/h.zst"
	rc=$(cd "$T/cwd" && PATH="$T/bin:$PATH" BROWSER= DISPLAY= WAYLAND_DISPLAY= run_rc "$T/gui2" heaptrack_gui "$T/ro/h.zst" </dev/null)
	if [ "$rc" = 0 ] && [ -s "$T/cwd/h.zst.html" ] && grep -qF "wrote $T/cwd/h.zst.html" "$T/gui2.err"; then
		pass heap_html_gui_fallback_cwd
	else
		fail heap_html_gui_fallback_cwd "exit $rc: $(first_lines "$T/gui2.err")"
	fi
	# with a display: $BROWSER gets the page (tests/e2e/e2e_heaptrack_compat.sh: several files, no display)
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/browser.args"\n' "$T" >"$T/fakebrowser"
	chmod +x "$T/fakebrowser"
	rm -f "$T/h.zst.html"
	PATH="$T/bin:$PATH" DISPLAY=:99 BROWSER="$T/fakebrowser" timeout 60 heaptrack_gui "$T/h.zst" >"$T/gui3.out" 2>&1 </dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/browser.args" ] && break; sleep 0.2; done
	if [ "$(cat "$T/browser.args" 2>/dev/null)" = "$T/h.zst.html" ] && grep -q "opening it with $T/fakebrowser" "$T/gui3.out"; then
		pass heap_html_gui_opens_browser
	else
		fail heap_html_gui_opens_browser "browser args '$(cat "$T/browser.args" 2>/dev/null)': $(first_lines "$T/gui3.out")"
	fi
	rc=$(PATH="$T/bin:$PATH" run_rc "$T/gui4" heaptrack_gui </dev/null)
	rc2=$(PATH="$T/bin:$PATH" run_rc "$T/gui5" heaptrack_gui "$T/no-such.zst" </dev/null)
	if [ "$rc" = 1 ] && grep -q 'Usage: heaptrack_gui' "$T/gui4.err" && [ "$rc2" = 1 ] && [ ! -e "$T/no-such.zst.html" ]; then
		pass heap_html_gui_usage
	else
		fail heap_html_gui_usage "no file: exit $rc; missing file: exit $rc2"
	fi
else
	fail heap_html_gui "sonde shims made no heaptrack_gui: $(ls "$T/bin" 2>/dev/null | tr '\n' ' ')"
fi

# ---- 4. the browser test ----
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
	skip heap_html_browser "chromium not installed (apt-get install chromium)"
	exit 0
fi
if ! command -v node >/dev/null; then
	skip heap_html_browser "node not installed"
	exit 0
fi
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
	if ! command -v npm >/dev/null ||
		! timeout 300 npm ci --prefix "$BROWSER_DIR" --no-audit --no-fund >"$T/npm.log" 2>&1; then
		skip heap_html_browser "cannot install playwright-core (npm ci --prefix tests/browser): $(tail -n 2 "$T/npm.log" 2>/dev/null | tr '\n' ' ')"
		exit 0
	fi
fi
cp "$H" "$SONDE_TMP/heap_html_test.html"
CHROMIUM=$chromium HOSTILE=$HOSTILE timeout 300 node "$BROWSER_DIR/heap_html_test.mjs" "$SONDE_TMP/heap_html_test.html" "$SONDE_TMP" 2>"$T/browser.err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
	fail heap_html_browser "node exited with $rc: $(first_lines "$T/browser.err")"
fi
exit 0
