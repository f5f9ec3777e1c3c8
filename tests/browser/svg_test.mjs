// Drives headless Chromium over an SVG flamegraph made from the folded
// fixture in tests/e2e/e2e_svg.sh, the way a user would: hover, Ctrl-F
// search, click to zoom, reload with the URL state, Escape. Given graphs of
// a 200-frame stack too, checks that each opens with its root row in the
// window (scrolled to the bottom for a flame graph, at the top for an icicle).
// Usage: node svg_test.mjs FILE.svg OUTDIR [DEEP.svg DEEP_ICICLE.svg]
//        (prints PASS/FAIL lines)
import { checker, launchChromium } from "./harness.mjs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [svgPath, outDir, deepPath, deepIciclePath] = process.argv.slice(2);
if (!svgPath || !outDir) {
	console.error("usage: node svg_test.mjs FILE.svg OUTDIR");
	process.exit(2);
}
const T = checker("browser_");
const check = T.check;
const near = (a, b, tol) => Math.abs(a - b) <= tol;

const browser = await launchChromium();
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
	const alerts = [], answers = [], errors = [];
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("dialog", async (d) => {
		if (d.type() === "prompt" && answers.length) await d.accept(answers.shift());
		else {
			alerts.push(`${d.type()}: ${d.message()}`);
			await d.dismiss();
		}
	});
	const url = pathToFileURL(path.resolve(svgPath)).href;
	await page.goto(url);

	const frame = (name) => page.locator("#frames > g", { has: page.locator("title", { hasText: new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + " \\(") }) });
	const width = async (name) => +(await frame(name).locator("rect").getAttribute("width"));
	const fill = async (name) => await frame(name).locator("rect").getAttribute("fill");
	const cls = async (name) => (await frame(name).getAttribute("class")) || "";
	const matched = async () => (await page.locator("#matched").textContent()) || "";

	check("frames", (await page.locator("#frames > g").count()) === 12, `expected 12 frames, got ${await page.locator("#frames > g").count()}`);
	check("hot_a_width", near(await width("hot_a"), 708, 1.5), `hot_a width ${await width("hot_a")} != 60% of 1180`);

	await frame("hot_a").locator("rect").hover();
	const det = await page.locator("#details").textContent();
	check("hover_details", det === "Function: hot_a (60 samples, 60.00%)", `details: "${det}"`);

	const before = await fill("hot_a");
	answers.push("hot_");
	await page.keyboard.press("Control+F");
	await page.waitForFunction(() => document.getElementById("matched").textContent !== "");
	check("search_matched", (await matched()) === "Matched: 90.0%", `"${await matched()}"`);
	check("search_fill", (await fill("hot_a")) === "rgb(230,0,230)" && before !== "rgb(230,0,230)" &&
		(await fill("leaf_x")) !== "rgb(230,0,230)", `hot_a ${await fill("hot_a")}, leaf_x ${await fill("leaf_x")}`);

	answers.push("^(run|hot_a|leaf_x)$"); // nested matches count once
	await page.keyboard.press("F3");
	await page.waitForFunction(() => location.href.includes("leaf_x"));
	check("search_nested", (await matched()) === "Matched: 90.0%", `"${await matched()}"`);
	answers.push("hot_");
	await page.keyboard.press("Control+F");
	await page.waitForFunction(() => location.href.includes("s=hot_"));

	await frame("hot_b").locator("rect").click();
	check("zoom_width", near(await width("hot_b"), 1180, 0.5), `hot_b width ${await width("hot_b")}`);
	check("zoom_child", near(await width("leaf_x"), 1180 * 20 / 30, 1), `leaf_x width ${await width("leaf_x")}`);
	check("zoom_sibling_hidden", (await cls("hot_a")) === "fg-hide" && !(await frame("hot_a").isVisible()), `hot_a class "${await cls("hot_a")}"`);
	check("zoom_parent_grey", (await cls("run")) === "fg-parent" && near(await width("run"), 1180, 0.5), `run class "${await cls("run")}"`);
	check("zoom_reset_button", await page.locator("#unzoom").isVisible(), "Reset Zoom not shown");
	await page.screenshot({ path: path.join(outDir, "flame_zoom.png") });

	const state = page.url();
	check("url_state", /[?&#]x=\d+/.test(state) && /y=\d/.test(state) && /s=hot_/.test(state), state);
	await page.goto(state);
	check("reload_zoom", near(await width("hot_b"), 1180, 0.5) && (await cls("hot_a")) === "fg-hide", `after reload hot_b ${await width("hot_b")}`);
	check("reload_search", (await matched()) === "Matched: 90.0%", `after reload "${await matched()}"`);

	await page.keyboard.press("Escape");
	check("escape_reset", near(await width("hot_a"), 708, 1.5) && (await cls("hot_a")) === "" && (await matched()) === "",
		`hot_a ${await width("hot_a")}, matched "${await matched()}"`);
	check("escape_url", !/[?&#]x=/.test(page.url()), page.url());

	await frame("hot_b").locator("rect").click();
	await frame("all").locator("rect").click();
	check("click_root_resets", near(await width("hot_a"), 708, 1.5) && !(await page.locator("#unzoom").isVisible()), "root click did not reset");

	answers.push("hot_");
	await page.locator("#search").click();
	await page.waitForFunction(() => document.getElementById("matched").textContent !== "");
	await page.screenshot({ path: path.join(outDir, "flame.png") });

	const scripts = await page.evaluate(() => document.getElementsByTagName("script").length);
	const titled = await page.evaluate(() => Array.from(document.querySelectorAll("#frames title")).some((t) => t.textContent.startsWith("<script>alert(1)</script> (")));
	const shown = await frame("<script>alert(1)</script>").locator("text").textContent();
	check("xss_inert", scripts === 1 && titled && alerts.length === 0 && errors.length === 0,
		`scripts=${scripts} titled=${titled} alerts=${JSON.stringify(alerts)} errors=${JSON.stringify(errors)}`);
	check("xss_text", shown.startsWith("<s") || shown === "", `frame text "${shown}"`);
	const cdata = await page.evaluate(() => Array.from(document.querySelectorAll("#frames title")).some((t) => t.textContent.startsWith("]]> (")));
	check("cdata_name", cdata, "frame named ]]> missing");

	// ---- taller than the window: the root row ("all") is in view at load ----
	const rootInView = async (file) => {
		await page.goto(pathToFileURL(path.resolve(file)).href);
		await page.waitForLoadState("load");
		return page.evaluate(() => {
			const g = Array.from(document.querySelectorAll("#frames > g")).find((e) => e.querySelector("title").textContent.startsWith("all ("));
			const r = g.querySelector("rect").getBoundingClientRect();
			return { top: Math.round(r.top), bottom: Math.round(r.bottom), window: innerHeight, scrollY: Math.round(scrollY),
				svg: Math.round(document.documentElement.getBoundingClientRect().height) };
		});
	};
	const small = await rootInView(svgPath);
	check("short_not_scrolled", small.scrollY === 0, JSON.stringify(small));
	if (deepPath) {
		const deep = await rootInView(deepPath);
		check("deep_root_in_view", deep.svg > 3 * deep.window && deep.top >= 0 && deep.bottom <= deep.window,
			`root row ${deep.top}..${deep.bottom} in a ${deep.window}-px window, graph ${deep.svg} px, scrolled ${deep.scrollY}`);
		await page.screenshot({ path: path.join(outDir, "flame_deep.png") });
		const icicle = await rootInView(deepIciclePath);
		check("deep_icicle_root_in_view", icicle.top >= 0 && icicle.bottom <= icicle.window && icicle.scrollY === 0,
			`root row ${icicle.top}..${icicle.bottom} in a ${icicle.window}-px window, scrolled ${icicle.scrollY}`);
	}
} catch (e) {
	console.log(`FAIL browser_run: ${String(e).split("\n")[0]}`);
	T.failed++;
} finally {
	await browser.close();
}
process.exit(T.failed ? 1 : 0);
