// Drives headless Chromium over the HTML heap report written by
// tests/e2e/e2e_heap_html.sh (the heap_html fixture, run with a hostile
// argument $HOSTILE): the page loads without errors, the charts are drawn
// and answer the mouse, every flame graph has frames and zooms on a click,
// the call trees sort on a header click and expand on a row click, and
// nothing from the trace turns into markup or a dialog. The first flame
// graph is drawn at load, below the window, so that a full-page screenshot
// (or a printout) shows it without scrolling to it first.
// Usage: node heap_html_test.mjs FILE.html OUTDIR   (prints PASS/FAIL lines)
import { checker, launchChromium, pngPixels } from "./harness.mjs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [htmlPath, outDir] = process.argv.slice(2);
if (!htmlPath || !outDir) {
	console.error("usage: node heap_html_test.mjs FILE.html OUTDIR");
	process.exit(2);
}
const hostile = process.env.HOSTILE || "";
const T = checker("browser_heap_");
const check = T.check;

const browser = await launchChromium();
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
	const dialogs = [], errors = [];
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`); });
	page.on("dialog", async (d) => {
		dialogs.push(`${d.type()}: ${d.message()}`);
		await d.dismiss();
	});
	await page.goto(pathToFileURL(path.resolve(htmlPath)).href);
	await page.waitForLoadState("load");

	// ---- drawn at load: a full-page screenshot, nothing scrolled ----
	const flameBox = await page.evaluate(() => {
		const r = document.querySelector("#flame-allocations div.flame").getBoundingClientRect();
		return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height, below: r.top > innerHeight };
	});
	await page.waitForTimeout(300); // the frame's first paint, had it been allowed
	const shot = pngPixels(await page.screenshot({ fullPage: true, clip: flameBox }));
	let coloured = 0; // frame colours, not the grey-yellow background or white
	for (let i = 0; i < shot.data.length; i += 4) {
		const r = shot.data[i], g = shot.data[i + 1], b = shot.data[i + 2];
		if (Math.max(r, g, b) - Math.min(r, g, b) > 100) coloured++;
	}
	const share = coloured / (shot.width * shot.height);
	check("flame_drawn_at_load", flameBox.below && share > 0.02,
		`${(100 * share).toFixed(2)}% of the flame graph's area in frame colours (want > 2%), below the window: ${flameBox.below}`);

	// ---- the charts ----
	const pts = async (id) => page.evaluate((i) => {
		const l = document.querySelector(`#${i} polyline.line`);
		return l ? l.points.numberOfItems : 0;
	}, id);
	const np = await pts("chart-heap"), na = await pts("chart-allocations"), nt = await pts("chart-temporary");
	check("charts_drawn", np >= 50 && na >= 50 && nt >= 50 && np <= 2002, `points: heap ${np}, allocations ${na}, temporary ${nt}`);
	const heapBox = await page.locator("#chart-heap").boundingBox();
	check("chart_visible", heapBox && heapBox.width > 1000 && heapBox.height > 150, JSON.stringify(heapBox));
	const area = await page.evaluate(() => {
		const p = document.querySelector("#chart-heap path.area");
		if (!p) return 0;
		const b = p.getBBox();
		return b.width * b.height;
	});
	check("chart_heap_area", area > 1000, `filled area bbox ${area}`);
	check("chart_peak", (await page.locator("#chart-heap .peak circle").count()) === 1 &&
		/^peak [0-9.]+[BKMG] at [0-9.]+m?s$/.test(await page.locator("#chart-heap .peak text").textContent()),
		await page.locator("#chart-heap .peak text").textContent().catch(() => "none"));
	await page.locator("#chart-heap").hover({ position: { x: heapBox.width / 2, y: heapBox.height / 2 } });
	const readout = await page.locator("#charts figure:first-of-type .readout").textContent();
	const cursorShown = await page.locator("#chart-heap .cursor").getAttribute("visibility");
	check("chart_hover", /^at [0-9.]+m?s: heap memory [0-9.]+[BKMG]/.test(readout) && cursorShown === "visible", `readout "${readout}", cursor ${cursorShown}`);
	await page.locator("#charts").screenshot({ path: path.join(outDir, "heap_html_charts.png") });

	// ---- the flame graphs: one iframe each (blob: URL), the SVG's own script ----
	const flameFrame = async (cost) => {
		await page.locator(`button[data-flame="${cost}"]`).click();
		const iframe = page.locator(`#flame-${cost} iframe`);
		await iframe.waitFor({ state: "visible" });
		const handle = await iframe.elementHandle();
		let fr = await handle.contentFrame();
		for (let i = 0; i < 50 && (!fr || !(await fr.locator("#frames > g").count().catch(() => 0))); i++) {
			await page.waitForTimeout(100);
			fr = await handle.contentFrame();
		}
		return fr;
	};
	for (const cost of ["allocations", "temporary", "peak", "leaked"]) {
		const fr = await flameFrame(cost);
		const n = fr ? await fr.locator("#frames > g").count() : 0;
		const others = await page.evaluate((c) => ["allocations", "temporary", "peak", "leaked"].filter((x) => x !== c && !document.getElementById("flame-" + x).hidden), cost);
		check(`flame_${cost}`, n >= 3 && others.length === 0, `${n} frames, other panels shown: ${others}`);
	}
	const fr = await flameFrame("allocations");
	const frameG = (re) => fr.locator("#frames > g", { has: fr.locator("title", { hasText: re }) }).first();
	const fill = frameG(/^void fill<int>\(std::vector<Box<int>/);
	const before = +(await fill.locator("rect").getAttribute("width"));
	const svgW = await fr.evaluate(() => +document.getElementById("frames").getAttribute("fg:width"));
	await fill.locator("rect").click();
	await page.waitForTimeout(100);
	const after = +(await fill.locator("rect").getAttribute("width"));
	const hidden = await fr.evaluate(() => document.querySelectorAll("#frames > g.fg-hide").length);
	check("flame_zoom", before < svgW * 0.9 && Math.abs(after - (svgW - 20)) < 1 && hidden > 0,
		`fill<int> width ${before} -> ${after} (want ${svgW - 20}), ${hidden} frames hidden`);
	const label = await fill.locator("title").textContent();
	check("flame_names_text", label.startsWith("void fill<int>(std::vector<Box<int>, std::allocator<Box<int> > >&, int) ("), `title "${label}"`);
	await fr.locator("#frames > g").first().locator("rect").click(); // "all": zoom out
	const reset = +(await fill.locator("rect").getAttribute("width"));
	check("flame_unzoom", Math.abs(reset - before) < 0.5, `after clicking all: ${reset}, before ${before}`);
	await page.locator("#flame").screenshot({ path: path.join(outDir, "heap_html_flame.png") });

	// ---- the call trees ----
	const rootRows = async (tree, col) => page.evaluate(([t, c]) =>
		Array.from(document.querySelectorAll(`#tree-${t} tbody tr[data-depth="0"]`)).map((tr) => {
			const td = tr.cells[c];
			return { name: tr.cells[0].querySelector(".fn").textContent, v: +(td.title.split(" ")[0] || "0").replace(/,/g, "") };
		}), [tree, col]);
	const sortedBy = (rows, desc) => rows.every((r, i) => i === 0 || (desc ? rows[i - 1].v >= r.v : rows[i - 1].v <= r.v));
	const td0 = await page.locator("#tree-topdown tbody tr").count();
	let rows = await rootRows("topdown", 2);
	check("tree_rows", td0 >= 5 && rows.length >= 2, `${td0} rows, ${rows.length} roots`);
	check("tree_default_sort", sortedBy(rows, true) &&
		(await page.locator('#tree-topdown th[data-col="0"]').getAttribute("aria-sort")) === "descending",
		JSON.stringify(rows));
	const firstByAlloc = rows[0].name;
	await page.locator('#tree-topdown th[data-col="2"]').click(); // Peak, descending
	const peakDesc = await rootRows("topdown", 4);
	await page.locator('#tree-topdown th[data-col="2"]').click(); // Peak, ascending
	const peakAsc = await rootRows("topdown", 4);
	check("tree_sort_header", sortedBy(peakDesc, true) && sortedBy(peakAsc, false) && peakAsc[0].name !== peakDesc[0].name &&
		(await page.locator('#tree-topdown th[data-col="2"]').getAttribute("aria-sort")) === "ascending",
		`desc ${JSON.stringify(peakDesc)} asc ${JSON.stringify(peakAsc)}`);
	await page.locator('#tree-topdown th[data-col="name"]').click();
	const byName = (await rootRows("topdown", 0)).map((r) => r.name);
	check("tree_sort_name", byName.every((n, i) => i === 0 || byName[i - 1] <= n), JSON.stringify(byName));
	await page.locator('#tree-topdown th[data-col="0"]').click();
	rows = await rootRows("topdown", 2);
	check("tree_sort_back", rows[0].name === firstByAlloc, `${rows[0].name} vs ${firstByAlloc}`);
	const closed = page.locator('#tree-topdown tbody tr.kids[aria-expanded="false"]').first();
	const id = await closed.getAttribute("data-id");
	const n0 = await page.locator("#tree-topdown tbody tr").count();
	await closed.click();
	const n1 = await page.locator("#tree-topdown tbody tr").count();
	const open = await page.locator(`#tree-topdown tbody tr[data-id="${id}"]`).getAttribute("aria-expanded");
	await page.locator(`#tree-topdown tbody tr[data-id="${id}"]`).click();
	const n2 = await page.locator("#tree-topdown tbody tr").count();
	check("tree_expand", n1 > n0 && open === "true" && n2 === n0, `rows ${n0} -> ${n1} -> ${n2}, aria-expanded ${open}`);
	await page.locator("#trees").screenshot({ path: path.join(outDir, "heap_html_topdown.png") });

	await page.locator('button[data-tree="bottomup"]').click();
	const buShown = await page.locator("#panel-bottomup").isVisible() && !(await page.locator("#panel-topdown").isVisible());
	const bu = await rootRows("bottomup", 2);
	check("bottomup", buShown && bu.length >= 3 && bu[0].name === "temporaries" && sortedBy(bu, true), `shown ${buShown}, roots ${JSON.stringify(bu.slice(0, 3))}`);
	await page.locator('#tree-bottomup th[data-col="3"]').click(); // Leaked
	const leak = await rootRows("bottomup", 5);
	check("bottomup_leaked", leak[0].name === "main" && leak[0].v === 1600 && sortedBy(leak, true), JSON.stringify(leak.slice(0, 3)));
	await page.locator("#trees").screenshot({ path: path.join(outDir, "heap_html_bottomup.png") });

	// ---- hostile strings: text, never markup ----
	const cmd = await page.locator(".cmd code").textContent();
	check("hostile_cmdline", hostile !== "" && cmd.endsWith(" 80 " + hostile), `"${cmd}"`);
	const threads = await page.locator(".thread").allTextContents();
	check("hostile_thread", threads.includes("<i>t</i>&\"'"), JSON.stringify(threads));
	const locs = await page.evaluate(() => Array.from(document.querySelectorAll("#tree-topdown td.loc")).map((td) => td.title));
	check("hostile_path", locs.some((t) => t.includes("src</script>/heap_html.cpp:")), JSON.stringify(locs.slice(0, 3)));
	const counts = await page.evaluate(() => ({ scripts: document.scripts.length, img: document.images.length, i: document.querySelectorAll("i").length }));
	check("hostile_inert", counts.scripts === 6 && counts.img === 0 && counts.i === 0 && dialogs.length === 0,
		`${JSON.stringify(counts)}, dialogs ${JSON.stringify(dialogs)}`);
	check("no_errors", errors.length === 0, JSON.stringify(errors));

	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: path.join(outDir, "heap_html.png") });
} catch (e) {
	console.log(`FAIL browser_heap_run: ${String(e).split("\n")[0]}`);
	T.failed++;
} finally {
	await browser.close();
}
process.exit(T.failed ? 1 : 0);
