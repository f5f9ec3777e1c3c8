#!/usr/bin/env python3
"""Runs toml-test's corpus through tests/tools/toml_decode.

usage: toml_test_run.py DECODER TESTS_DIR
Every valid/**/*.toml must decode to its .json (tagged values compared by
meaning: key order free, floats as numbers, datetimes by their fields);
every invalid/**/*.toml must be refused with exit status 1 and one error
line "PATH:LINE:COL: ...", never a crash. Prints one line per failure and
a count line per kind; exits 1 if anything failed."""
import json
import math
import os
import re
import subprocess
import sys

DT = re.compile(r"^(?:(\d{4})-(\d{2})-(\d{2}))?[Tt ]?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?"
                r"([Zz]|[+-]\d{2}:\d{2})?$")


def datetime_fields(s):
    m = DT.match(s)
    if not m:
        return None
    g = list(m.groups())
    frac = (g[6] or "").ljust(9, "0")[:9]
    off = g[7]
    if off in ("Z", "z", "+00:00", "-00:00"):
        off = "Z"
    return g[:6] + [int(frac or 0), off]


def as_float(s):
    s = s.replace("_", "")
    if s.lstrip("+-") == "nan":
        return math.nan
    if s.lstrip("+-") == "inf":
        return -math.inf if s.startswith("-") else math.inf
    return float(s)


def same(want, have, path):
    if isinstance(want, dict) and set(want) == {"type", "value"} and isinstance(want.get("type"), str) \
            and not isinstance(want.get("value"), (dict, list)):
        if not isinstance(have, dict) or have.get("type") != want["type"]:
            return f"{path}: type {have.get('type') if isinstance(have, dict) else have!r}, " \
                   f"expected {want['type']}"
        t, w, h = want["type"], want["value"], have["value"]
        if t == "float":
            a, b = as_float(w), as_float(h)
            ok = (math.isnan(a) and math.isnan(b)) or a == b
        elif t == "integer":
            ok = int(w) == int(h)
        elif t in ("datetime", "datetime-local", "date-local", "time-local"):
            ok = datetime_fields(w) == datetime_fields(h) and datetime_fields(w) is not None
        else:
            ok = w == h
        return None if ok else f"{path}: {h!r}, expected {w!r}"
    if isinstance(want, dict):
        if not isinstance(have, dict) or set(want) != set(have):
            return f"{path}: keys {sorted(have) if isinstance(have, dict) else have!r}, " \
                   f"expected {sorted(want)}"
        for k in want:
            why = same(want[k], have[k], f"{path}.{k}")
            if why:
                return why
        return None
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return f"{path}: not an array of {len(want)}"
        for i, (a, b) in enumerate(zip(want, have)):
            why = same(a, b, f"{path}[{i}]")
            if why:
                return why
        return None
    return f"{path}: unexpected expectation {want!r}"


def cases(root, kind):
    for d, _, files in os.walk(os.path.join(root, kind)):
        for f in sorted(files):
            if f.endswith(".toml"):
                yield os.path.join(d, f)


def main():
    decoder, root = sys.argv[1], sys.argv[2]
    failed = 0
    counts = {}
    for kind in ("valid", "invalid"):
        n = bad = 0
        for path in sorted(cases(root, kind)):
            n += 1
            name = os.path.relpath(path, root)
            r = subprocess.run([decoder, path], capture_output=True, timeout=20)
            err = r.stderr.decode("utf-8", "replace").strip()
            if r.returncode < 0 or r.returncode > 1:
                why = f"crashed (status {r.returncode}): {err[:200]}"
            elif kind == "invalid":
                if r.returncode == 0:
                    why = "accepted"
                elif not re.match(re.escape(path) + r":\d+:\d+: \S", err) or "\n" in err:
                    why = f"error not one 'PATH:LINE:COL: what' line: {err[:200]!r}"
                else:
                    why = None
            elif r.returncode != 0:
                why = f"refused: {err[:200]}"
            else:
                with open(path[:-5] + ".json", encoding="utf-8") as f:
                    want = json.load(f)
                try:
                    have = json.loads(r.stdout.decode("utf-8"))
                    why = same(want, have, "")
                except ValueError as e:
                    why = f"decoder printed bad JSON: {e}"
            if why:
                bad += 1
                print(f"FAIL {name}: {why}")
        counts[kind] = (n, bad)
        failed += bad
    for kind, (n, bad) in counts.items():
        print(f"toml-test {kind}: {n - bad}/{n} pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
