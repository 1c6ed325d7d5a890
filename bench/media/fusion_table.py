#!/usr/bin/env python3
"""Scores before and after fusion, side by side.

usage: fusion_table.py VIDEO.json AUDIO.json BOTH.json

Each file is what the media benchmark's `score.py --json` writes for one
results file: the queries traced with the picture only, with the sound only,
and with both (the product's default). Prints, per query kind, structure and
transform, segment F1 for each, and for the fused run its precision,
recall, median boundary error and false-positive rate.
"""
import json
import sys


def fmt(x, pct=False):
    if x is None or x != x:
        return "    -"
    return ("%5.1f" % x) if pct else ("%5.3f" % x)


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n")[2], file=sys.stderr)
        sys.exit(2)
    runs = []
    for path in sys.argv[1:]:
        with open(path) as f:
            runs.append(json.load(f))
    video, audio, both = runs
    print("segment F1 by evidence used: picture only, sound only, both (fused); then the fused run's P, R, "
          "boundary error, fp%")
    head = "%-22s %4s %8s %8s %8s %6s %6s %7s %6s" % ("group", "n", "picture", "sound", "fused", "P", "R",
                                                    "bnd_s", "fp%")
    for prefix in ("all", "kind", "structure", "transform"):
        keys = ["all"] if prefix == "all" else sorted(k for k in both if k.startswith(prefix + ":"))
        if not keys:
            continue
        print("\nper %s" % prefix)
        print(head)
        for k in keys:
            b = both[k]
            print("%-22s %4d %8s %8s %8s %6s %6s %7s %6s" % (
                k.split(":", 1)[-1], b["n"], fmt(video.get(k, {}).get("f1")), fmt(audio.get(k, {}).get("f1")),
                fmt(b["f1"]), fmt(b["precision"]), fmt(b["recall"]), fmt(b["boundary_med_s"]),
                fmt(b["fp_pct"], True)))


if __name__ == "__main__":
    main()
