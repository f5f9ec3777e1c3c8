#!/usr/bin/env python3
"""Checks `bloat --sections --message-format json -n 0` of one ELF file
against the file and binutils (e2e_bloat_sections.sh): the FILE column adds
up to the file's size, the VM column to the VM TOTAL (plus .tbss), which is
the PT_LOAD segments' memory size; each section's sizes are readelf -S's
(file: 0 if NOBITS; VM: the size if flag A) and size -A's. Prints "ok ..."
or one line of what differs. Usage: bloat_sections_check.py JSON_FILE ELF"""
import json
import os
import re
import subprocess
import sys

j = json.load(open(sys.argv[1]))
path = sys.argv[2]
errs = []
run = lambda *a: subprocess.run(a, capture_output=True, text=True).stdout
fs = sum(r["file-size"] for r in j["sections"])
if fs != os.stat(path).st_size or j["file-size"] != fs:
    errs.append(f"FILE column sums to {fs}, file is {os.stat(path).st_size}")
vs = sum(r["vm-size"] for r in j["sections"])
if vs != j["vm-size"] + j["tls-bss"]:
    errs.append(f"VM column sums to {vs}, TOTAL {j['vm-size']} + .tbss {j['tls-bss']}")
if sum(g["file-size"] for g in j["groups"].values()) != fs:
    errs.append("the kinds' file sizes do not add up to the file")
out = run("readelf", "-lSW", path)
load = sum(int(l.split()[5], 16) for l in out.splitlines() if l.split()[:1] == ["LOAD"])
if "REL (" not in run("readelf", "-h", path) and load != j["vm-size"]:
    errs.append(f"VM TOTAL {j['vm-size']}, PT_LOAD memory sizes {load}")
want = {}
for l in out.splitlines():
    m = re.match(r"\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s", l)
    if not m or m.group(1) == "0" or "[...]" in m.group(2):
        continue
    name, typ, size, flags = m.group(2), m.group(3), int(m.group(4), 16), m.group(5)
    a = want.setdefault(name, [0, 0])
    a[0] += 0 if typ == "NOBITS" else size
    a[1] += size if "A" in flags else 0
got = {r["name"]: (r["file-size"], r["vm-size"]) for r in j["sections"]}
for name, (f, v) in want.items():
    if (f or v) and got.get(name) != (f, v):
        errs.append(f"{name}: {got.get(name)}, readelf -S says {(f, v)}")
for l in run("size", "-A", path).splitlines()[2:]:
    p = l.split()
    if len(p) == 3 and p[0] != "Total" and p[0] in got and int(p[1]) != max(got[p[0]]):
        errs.append(f"{p[0]}: {got[p[0]]}, size -A says {p[1]}")
if not want:
    errs.append("readelf -S listed no section")
print("; ".join(errs[:4]) if errs else f"ok {len(j['sections'])} rows, {fs} bytes, VM {j['vm-size']}")
