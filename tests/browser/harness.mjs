// What every browser test shares: PASS/FAIL lines, a headless Chromium
// started with the flags that work on this kind of machine
// (/work/.library env: machines/c.md), and the pixels of a screenshot.
import { chromium } from "playwright-core";
import zlib from "node:zlib";

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

// The RGBA pixels of a PNG as Chromium writes screenshots (8-bit RGB or
// RGBA, not interlaced): { width, height, data }.
export function pngPixels(buf) {
	let w = 0, h = 0, channels = 0;
	const idat = [];
	for (let at = 8; at < buf.length;) {
		const len = buf.readUInt32BE(at), type = buf.toString("latin1", at + 4, at + 8);
		const body = buf.subarray(at + 8, at + 8 + len);
		if (type === "IHDR") {
			w = body.readUInt32BE(0);
			h = body.readUInt32BE(4);
			if (body[8] !== 8 || body[12] !== 0 || (body[9] !== 2 && body[9] !== 6))
				throw new Error(`unsupported PNG (depth ${body[8]}, colour type ${body[9]}, interlace ${body[12]})`);
			channels = body[9] === 6 ? 4 : 3;
		} else if (type === "IDAT") idat.push(body);
		at += 12 + len;
	}
	const raw = zlib.inflateSync(Buffer.concat(idat)), stride = w * channels;
	const cur = Buffer.alloc(stride), prev = Buffer.alloc(stride), data = Buffer.alloc(w * h * 4, 255);
	for (let y = 0; y < h; y++) {
		const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let i = 0; i < stride; i++) {
			const a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
			const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
			const pred = f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 :
				f === 4 ? (pa <= pb && pa <= pc ? a : pb <= pc ? b : c) : 0;
			cur[i] = (line[i] + pred) & 255;
		}
		for (let x = 0; x < w; x++)
			for (let k = 0; k < channels; k++) data[(y * w + x) * 4 + k] = cur[x * channels + k];
		cur.copy(prev);
	}
	return { width: w, height: h, data };
}
