#!/usr/bin/env python3
"""Compares the 5 source lines with the most D1mr (file:line, summed over
functions) of two cachegrind.out files, sonde's and valgrind's: the same
lines, in the same order wherever valgrind's counts are more than 5 %
apart. A line tied within 5 % with valgrind's 5th may stand in for it.
Usage: cg_top5.py SONDE.out VALGRIND.out [EVENT]. Prints "ok" and both
lists, or what differs; exits 1 when they differ."""
import sys


def per_line(path, event):
    counts, fl, col = {}, "???", None
    with open(path, errors="replace") as f:
        for ln in f:
            if ln.startswith("events:"):
                col = ln.split()[1:].index(event) + 1
            elif ln.startswith("fl="):
                fl = ln[3:].rstrip("\n")
            elif ln[:1].isdigit() and col is not None:
                t = ln.split()
                if col < len(t) and t[col] != ".":
                    key = "%s:%s" % (fl, t[0])
                    counts[key] = counts.get(key, 0) + int(t[col])
    return counts


def close(a, b):
    return abs(a - b) <= 0.05 * max(a, b)


def main():
    event = sys.argv[3] if len(sys.argv) > 3 else "D1mr"
    s, v = per_line(sys.argv[1], event), per_line(sys.argv[2], event)
    top = lambda c: sorted(c, key=lambda k: (-c[k], k))[:5]
    ts, tv = top(s), top(v)
    why = []
    fifth = v[tv[-1]] if tv else 0
    for k in tv:
        if k not in ts and not close(v[k], fifth):
            why.append("valgrind's %s (%d) not in sonde's top 5 (sonde: %d)" % (k, v[k], s.get(k, 0)))
    for k in ts:
        if k not in tv and not close(v.get(k, 0), fifth):
            why.append("sonde's %s (%d) not in valgrind's top 5 (valgrind: %d)" % (k, s[k], v.get(k, 0)))
    both = [k for k in ts if k in tv]
    for i, a in enumerate(both):
        for b in both[i + 1:]:  # a before b in sonde's list
            if v[a] < v[b] and not close(v[a], v[b]):
                why.append("order: sonde puts %s before %s, valgrind's counts %d < %d" % (a, b, v[a], v[b]))
    show = lambda t, c: "; ".join("%s %d" % (k, c[k]) for k in t)
    print("ok" if not why else "DIFFER: " + " | ".join(why))
    print("sonde:    " + show(ts, s))
    print("valgrind: " + show(tv, v))
    return 1 if why else 0


if __name__ == "__main__":
    sys.exit(main())
