// What every browser test shares: PASS/FAIL lines and a headless Chromium
// started with the flags that work on this kind of machine
// (/work/.library env: machines/c.md).
import { chromium } from "playwright-core";

export function checker(prefix) {
	const state = { failed: 0 };
	state.check = (name, ok, why) => {
		if (ok) console.log(`PASS ${prefix}${name}`);
		else {
			console.log(`FAIL ${prefix}${name}: ${why}`);
			state.failed++;
		}
	};
	return state;
}

export function launchChromium() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync"],
	});
}
