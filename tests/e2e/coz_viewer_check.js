// Compares sonde coz plot's page data with what coz's own viewer code
// (Debian's coz-profiler: viewer/js/profile.js, loaded as it is) computes
// from the same profile.coz: the same series, the same points, to 1e-9.
// Usage: node coz_viewer_check.js PROFILE_JS PROFILE.coz PAGE.html
const fs = require("fs");
const [profileJs, cozFile, pageFile] = process.argv.slice(2);
const Profile = new Function(fs.readFileSync(profileJs, "utf8") + "\nreturn Profile;")();
const viewer = new Profile(fs.readFileSync(cozFile, "utf8"), null, null, () => 0, () => {});
const page = fs.readFileSync(pageFile, "utf8");
const COZ = new Function(page.match(/<script>\n(var COZ=[^\n]*)\n<\/script>/)[1] + "\nreturn COZ;")();
const mine = {};
for (const s of COZ.series) mine[COZ.lines[s.l] + "\t" + COZ.points[s.p].name] = s.m;
let n = 0, bad = [];
for (const line of viewer.getSpeedupData(0)) {
	for (const p of line.progress_points) {
		if (!p.measurements.length) continue;
		const m = mine[line.name + "\t" + p.name] || [];
		n++;
		const same = m.length === p.measurements.length && p.measurements.every((q, i) =>
			Math.abs(q.speedup - m[i][0]) < 1e-9 && Math.abs(q.progress_speedup - m[i][1]) < 1e-9);
		if (!same) bad.push(line.name + " " + p.name + ": viewer " + JSON.stringify(p.measurements) + " sonde " + JSON.stringify(m));
	}
}
if (!n || Object.keys(mine).length !== n) bad.push(`viewer has ${n} series, sonde ${Object.keys(mine).length}`);
console.log(bad.length ? "FAIL coz_viewer_same: " + bad.join("; ").slice(0, 600) : `PASS coz_viewer_same (${n} series)`);
