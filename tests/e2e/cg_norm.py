#!/usr/bin/env python3
"""Puts cg_annotate 3.19's report in a canonical order, so that sonde's and
valgrind's Perl output compare byte for byte: Perl prints rows whose sort
counts tie, the annotated files and the user-named files in hash order,
which changes from run to run. Usage: cg_norm.py SORT_COLUMNS < report
(SORT_COLUMNS: the 0-based columns of the sort events among those shown,
comma-separated)."""
import re
import sys

FANCY = "-" * 80 + "\n"


def counts(row):
    # "1,234 (12.34%)" columns, "." columns; the name is last
    toks = re.sub(r"\(\s*-?[\d.]+%\)", " ", row).split()
    return toks[:-1], toks[-1]


def key(row, cols):
    c, name = counts(row)
    k = []
    for i in cols:
        v = c[i] if i < len(c) else "."
        k.append(-1 if v == "." else -abs(int(v.replace(",", ""))))
    return (k, name)


def main():
    cols = [int(x) for x in sys.argv[1].split(",")] if len(sys.argv) > 1 else [0]
    lines = sys.stdin.readlines()
    out, i = [], 0
    # the preamble: user-annotated files sorted
    while i < len(lines) and not lines[i].startswith("User annotated:"):
        out.append(lines[i]); i += 1
    users = []
    if i < len(lines):
        users.append(lines[i][18:]); i += 1
        while i < len(lines) and lines[i].startswith(" " * 18):
            users.append(lines[i][18:]); i += 1
        users.sort()
        out.append("User annotated:   " + users[0])
        out += [" " * 18 + u for u in users[1:]]
    # up to the table's rows
    while i < len(lines) and not lines[i].endswith(" file:function\n"):
        out.append(lines[i]); i += 1
    out += lines[i:i + 2]; i += 2
    rows = []
    while i < len(lines) and lines[i] != "\n":
        rows.append(lines[i]); i += 1
    out += sorted(rows, key=lambda r: key(r, cols))
    # the annotated files' sections, sorted; the rest in place
    rest = lines[i:]
    sections, cur = [], None
    tail = []
    j = 0
    while j < len(rest):
        if rest[j] == FANCY and j + 1 < len(rest) and re.match(r"-- (Auto|User)-annotated source:", rest[j + 1]):
            cur = rest[j:j + 3]; sections.append(cur); j += 3; continue
        if rest[j] == FANCY and j + 1 < len(rest) and not rest[j + 1].startswith("--"):
            cur = None
        if cur is None:
            tail.append(rest[j])
        else:
            cur.append(rest[j])
        j += 1
    lead = []
    while tail and tail[0] == "\n":
        lead.append(tail.pop(0))
    out += lead
    for s in sorted(sections, key=lambda s: s[1]):
        out += s
    out += tail
    sys.stdout.write("".join(out))


main()
