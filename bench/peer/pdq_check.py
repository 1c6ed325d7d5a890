#!/usr/bin/env python3
"""PDQ and vPDQ compatibility of uncut's frame hashes.

usage: pdq_check.py PDQ_TOOL PEER_DIR

PEER_DIR is the peer reference folder (pdq/, tmk-sample-videos/,
vpdq-sample-hashes/). Prints two tables and exits non-zero when a check
fails:

1. PDQ: every image listed in pdq/expected-hashes.csv that exists, hashed
   with `pdq_tool image`; the Hamming distance to the published hash. The
   compatibility rule: images of quality >= 80 within 10 bits.
2. vPDQ: every frame of each TMK sample video that has reference hashes,
   hashed as vPDQ did (`pdq_tool frames FILE` at full resolution, and with
   `--128`: frames scaled to 128x128 with bicubic filtering first), compared
   frame by frame (by frame number) with vpdq-sample-hashes/. The target is
   a per-frame mean distance <= 2 bits. vPDQ's matching ignores frames of
   PDQ quality < 50, so the mean that is judged is over the frames whose
   reference quality is >= 50; the mean over all frames and the number of
   low-quality frames are shown beside it, with the mean over frames of
   quality >= 80 (the rule PDQ's image check uses).
"""
import os
import subprocess
import sys


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def pdq_images(tool, peer):
    base = os.path.join(peer, "pdq")
    rows = []
    with open(os.path.join(base, "expected-hashes.csv")) as f:
        next(f)
        for line in f:
            path, want = line.strip().split(",")
            if len(want) != 64:  # not a PDQ hash (the csv lists video digests too)
                continue
            full = os.path.join(base, path)
            if not os.path.exists(full):
                rows.append((path, None, None, want, None))
                continue
            got, quality, _ = run([tool, "image", full]).strip().split(",", 2)
            rows.append((path, got, int(quality), want, hamming(got, want)))
    print("PDQ: images of pdq/expected-hashes.csv (rule: quality >= 80 -> within 10 bits)")
    print("%-34s %7s %8s  %s" % ("image", "quality", "distance", "result"))
    failed = 0
    for path, got, quality, want, dist in rows:
        if got is None:
            print("%-34s %7s %8s  %s" % (path, "-", "-", "missing (listed, not in the folder)"))
            continue
        if quality < 80:
            verdict = "not judged (quality < 80)"
        elif dist <= 10:
            verdict = "pass"
        else:
            verdict = "FAIL"
            failed += 1
        print("%-34s %7d %8d  %s" % (path, quality, dist, verdict))
    judged = [r for r in rows if r[1] is not None and r[2] >= 80]
    print("PDQ: %d of %d judged images within 10 bits; max distance %d" %
          (len(judged) - failed, len(judged), max((r[4] for r in judged), default=0)))
    return failed


def read_frames(text):
    frames = {}
    for line in text.splitlines():
        parts = line.strip().split(",")
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        frames[int(parts[0])] = (int(parts[1]), parts[2])
    return frames


def vpdq(tool, peer):
    ref_dir = os.path.join(peer, "vpdq-sample-hashes")
    vid_dir = os.path.join(peer, "tmk-sample-videos")
    print()
    print("vPDQ: per-frame distance to vpdq-sample-hashes/ (target: mean <= 2 bits over frames of "
          "reference quality >= 50)")
    print("%-30s %-8s %11s %6s %10s %10s %10s %5s %8s  %s" % (
        "video", "frames", "ours/ref", "q<50", "mean q>=50", "mean q>=80", "mean all", "max", "<=31",
        "result"))
    failed = 0
    names = sorted({n[:-4] for n in os.listdir(ref_dir) if n.endswith(".txt") and not n.endswith("-128x128.txt")} |
                   {n[:-4] for n in os.listdir(vid_dir) if n.endswith(".mp4")})
    for name in names:
        video = os.path.join(vid_dir, name + ".mp4")
        for variant, suffix, flag in (("full", ".txt", []), ("128x128", "-128x128.txt", ["--128"])):
            missing = ("video not in the folder" if not os.path.exists(video) else
                       "no reference hashes" if not os.path.exists(os.path.join(ref_dir, name + suffix)) else "")
            if missing:
                print("%-30s %-8s %11s %6s %10s %10s %10s %5s %8s  %s" % (
                    name, variant, "-", "-", "-", "-", "-", "-", "-", missing))
                continue
            with open(os.path.join(ref_dir, name + suffix)) as f:
                ref = read_frames(f.read())
            ours = read_frames(run([tool, "frames", video] + flag))
            common = sorted(set(ref) & set(ours))
            dists = [hamming(ours[k][1], ref[k][1]) for k in common]
            good = [hamming(ours[k][1], ref[k][1]) for k in common if ref[k][0] >= 50]
            best = [hamming(ours[k][1], ref[k][1]) for k in common if ref[k][0] >= 80]
            mean_best = sum(best) / len(best) if best else float("nan")
            low = sum(1 for k in common if ref[k][0] < 50)
            mean_good = sum(good) / len(good) if good else float("nan")
            mean_all = sum(dists) / len(dists) if dists else float("nan")
            within = sum(1 for d in dists if d <= 31) / len(dists) if dists else 0
            if not good:
                verdict = "no frame of quality >= 50"
            elif mean_good <= 2.0 and len(ours) == len(ref):
                verdict = "pass"
            else:
                verdict = "FAIL"
                failed += 1
            print("%-30s %-8s %5d/%-5d %6d %10.2f %10.2f %10.2f %5d %7.1f%%  %s" % (
                name, variant, len(ours), len(ref), low, mean_good, mean_best, mean_all, max(dists, default=0),
                100 * within, verdict))
    return failed


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n")[2], file=sys.stderr)
        sys.exit(2)
    tool, peer = sys.argv[1], sys.argv[2]
    failed = pdq_images(tool, peer) + vpdq(tool, peer)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
