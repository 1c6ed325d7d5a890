#!/usr/bin/env python3
"""The relations table of the peer reference README, checked with `uncut trace`.

usage: relations.py UNCUT PEER_DIR WORK_DIR [--tolerance S]

Builds an archive in WORK_DIR with the two originals the folder holds
(chair-orig-22-sd-bar, pattern-hd-no-bar), traces every related video and
clip, and compares what uncut reports with the table: the source, and each
segment's source interval, each boundary within the tolerance (default
0.25 s, the media benchmark's target for the median boundary error; 0.5 s
where the table itself says "about"). A related video must match its
original only; the unrelated videos (doorknob, test-padded-dimensions) must
match nothing. Prints one line per relation and exits non-zero when one
fails.

The table is run twice: with the videos as they are (uncut traces picture
and sound and fuses them), and with their sound removed (`ffmpeg -an -c:v
copy`), so that each relation must also be recovered from the picture alone,
which is what the peers (TMK+PDQF, vPDQ) are measured on.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

CHAIR = "chair-orig-22-sd-bar.mp4"
PATTERN = "pattern-hd-no-bar.mp4"

# (query file, source, expected source intervals, approximate?, what). An
# interval end of None means "to the end of the query" (a whole copy).
RELATIONS = [
    ("tmk-sample-videos/chair-19-sd-bar.mp4", CHAIR, [(3.7, 22.47)], False, "later start"),
    ("tmk-sample-videos/chair-20-sd-bar.mp4", CHAIR, [(2.0, 22.43)], True, "later start (about 2.0)"),
    ("tmk-sample-videos/chair-22-sd-grey-bar.mp4", CHAIR, [(0.0, None)], False, "whole, greyscale"),
    ("tmk-sample-videos/chair-22-sd-sepia-bar.mp4", CHAIR, [(0.0, None)], False, "whole, sepia"),
    ("tmk-sample-videos/chair-22-with-small-logo-bar.mp4", CHAIR, [(0.0, None)], False, "whole, small overlay"),
    ("tmk-sample-videos/chair-22-with-large-logo-bar.mp4", CHAIR, [(0.0, None)], False, "whole, large overlay"),
    ("tmk-sample-videos/pattern-longer-no-bar.mp4", PATTERN, [(0.0, 6.891)], False,
     "offset 0, ~1 s more at the end"),
    ("tmk-sample-videos/pattern-sd-grey-bar.mp4", PATTERN, [(0.0, None)], False, "whole, SD, bars, greyscale"),
    ("tmk-sample-videos/pattern-sd-with-small-logo-bar.mp4", PATTERN, [(0.0, None)], False,
     "whole, SD, bars, small overlay"),
    ("tmk-sample-videos/pattern-sd-with-large-logo-bar.mp4", PATTERN, [(0.0, None)], False,
     "whole, SD, bars, large overlay"),
    ("clips/chair-clip-8to13.mp4", CHAIR, [(8.0, 13.0)], False, "5 s clip"),
    ("clips/chair-clip-8to13-small-bright.mp4", CHAIR, [(8.0, 13.0)], False, "5 s clip, half size, bright"),
    ("clips/chair-splice-3to7+15to19.mp4", CHAIR, [(3.0, 7.0), (15.0, 19.0)], False, "splice"),
    ("clips/pattern-clip-2to5.mp4", PATTERN, [(2.0, 5.0)], False, "3 s clip"),
    ("tmk-sample-videos/doorknob-hd-no-bar.mp4", None, [], False, "unrelated"),
    ("tmk-sample-videos/test-padded-dimensions.mp4", None, [], False, "unrelated"),
]


def uncut(binary, archive, *args):
    return subprocess.run([binary, "--archive", archive, "-q", *args], capture_output=True, text=True)


def fmt_iv(ivs):
    return " + ".join("[%.2f, %.2f]" % iv for iv in ivs) if ivs else "nothing"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("uncut")
    ap.add_argument("peer")
    ap.add_argument("work")
    ap.add_argument("--tolerance", type=float, default=0.25)
    a = ap.parse_args()
    archive = os.path.join(a.work, "peer-archive")
    if os.path.exists(archive):
        subprocess.run(["rm", "-rf", archive], check=True)
    originals = [os.path.join(a.peer, "tmk-sample-videos", n) for n in (CHAIR, PATTERN)]
    r = uncut(a.uncut, archive, "add", *originals)
    if r.returncode != 0:
        print(r.stdout + r.stderr, file=sys.stderr)
        sys.exit(1)
    print("archive: %s, %s; tolerance %.2f s (0.5 s where the table says 'about')" % (CHAIR, PATTERN, a.tolerance))
    failed = 0
    for picture_only in (False, True):
        failed += check(a, archive, picture_only)
    sys.exit(1 if failed else 0)


def check(a, archive, picture_only):
    print()
    print("picture only (the queries' sound removed):" if picture_only else "picture and sound:")
    print("%-34s %-21s %-30s %-28s %-34s %-11s %-8s %s" % (
        "query", "source", "relation", "expected", "found", "evidence", "max err", "result"))
    failed = 0
    for query, source, want, approx, what in RELATIONS:
        path = os.path.join(a.peer, query)
        if picture_only:
            silent = os.path.join(a.work, "picture-only-" + os.path.basename(query))
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", path, "-an", "-c:v", "copy", silent],
                           check=True)
            path = silent
        r = uncut(a.uncut, archive, "trace", path, "--json")
        try:
            report = json.loads(r.stdout)
        except ValueError:
            print("%-34s trace failed: %s" % (os.path.basename(query)[:-4], (r.stderr or r.stdout).strip()[:100]))
            failed += 1
            continue
        qlen = report["query"]["length"]
        expected = [(s, qlen if e is None else e) for s, e in want]
        found, evidence, others = [], set(), []
        for src in report.get("sources", []):
            name = src["item"]["name"]
            if name != source:
                others.append(name)
                continue
            for seg in src["segments"]:
                found.append((seg["source"]["start"], seg["source"]["end"]))
                evidence.update(seg.get("evidence", []))
        found.sort()
        tol = 0.5 if approx else a.tolerance
        err = None
        if not source:
            ok = not report.get("sources")
        else:
            ok = len(found) == len(expected) and not others
            if len(found) == len(expected):
                err = max(max(abs(f[0] - e[0]), abs(f[1] - e[1])) for f, e in zip(found, expected))
                ok = ok and err <= tol
        shown = fmt_iv(found) + ("; also " + ", ".join(others) if others else "")
        if not source and report.get("sources"):
            shown = ", ".join(s["item"]["name"] for s in report["sources"])
        failed += not ok
        print("%-34s %-21s %-30s %-28s %-34s %-11s %-8s %s" % (
            os.path.basename(query)[:-4], source[:-4] if source else "-", what, fmt_iv(expected),
            shown, "+".join(sorted(evidence)) or "-", "%.2f s" % err if err is not None else "-",
            "pass" if ok else "FAIL"))
    print("relations (%s): %d of %d as the table says" % (
        "picture only" if picture_only else "picture and sound", len(RELATIONS) - failed, len(RELATIONS)))
    return failed


if __name__ == "__main__":
    main()
