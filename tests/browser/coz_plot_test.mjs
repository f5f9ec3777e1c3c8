// Loads the page of `sonde coz plot` (the profile of tests/e2e/e2e_coz_plot.sh)
// in headless Chromium: no script error, no dialog from the hostile line
// name, the charts ranked by slope, the progress-point menu and the
// minimum-points slider redraw them.
// Usage: node coz_plot_test.mjs PAGE.html   (prints PASS/FAIL lines)
import { checker, launchChromium } from "./harness.mjs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pagePath] = process.argv.slice(2);
if (!pagePath) {
	console.error("usage: node coz_plot_test.mjs PAGE.html");
	process.exit(2);
}
const T = checker("coz_browser_");
const browser = await launchChromium();
try {
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
	const errors = [], dialogs = [];
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
	await page.goto(pathToFileURL(path.resolve(pagePath)).href);
	const titles = async () => page.locator(".chart h2").allTextContents();
	const t = await titles();
	T.check("ranked", t.join("|") === "hot.c:10|evil<script>alert(1)</script>.c:1|mid.c:20|cold.c:30", t.join("|"));
	T.check("svg", (await page.locator(".chart svg circle").count()) === 4 * 21, "dots");
	const opts = await page.locator("#point option").allTextContents();
	T.check("menu", opts.join("|") === "ops (throughput)|req (latency)", opts.join("|"));
	await page.selectOption("#point", { label: "req (latency)" });
	T.check("menu_redraws", (await titles()).join("|") === "hot.c:10", (await titles()).join("|"));
	await page.locator("#minpts").evaluate((e) => { e.value = "21"; e.dispatchEvent(new Event("input")); });
	T.check("min_points_21", (await titles()).length === 1, "21 points are enough");
	await page.selectOption("#point", { label: "ops (throughput)" });
	await page.locator("#minpts").evaluate((e) => { e.max = "30"; e.value = "22"; e.dispatchEvent(new Event("input")); });
	T.check("min_points_22", (await titles()).length === 0 &&
		/No line has 22 points/.test(await page.locator("#charts").textContent()), "still charts at 22");
	T.check("no_errors", errors.length === 0 && dialogs.length === 0, errors.concat(dialogs).join("; "));
} finally {
	await browser.close();
}
process.exit(T.failed ? 1 : 0);
