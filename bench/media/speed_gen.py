#!/usr/bin/env python3
"""Speed-changed queries for the clip-tracing benchmark.

usage: python3 bench/media/speed_gen.py SET_DIR OUT_DIR [--per-speed N] [--negatives N]

SET_DIR is what the media benchmark's gen.py wrote (archive/, queries/, queries.jsonl).
OUT_DIR gets archive -> SET_DIR/archive (a link), queries/, queries.jsonl and queries.txt
in the same format, so bench/media/run and score.py read it as they read the main set:

  bench/media/run OUT_DIR RESULTS.jsonl     (or uncut_media_bench OUT_DIR RESULTS.jsonl)
  python3 score.py OUT_DIR/queries.jsonl RESULTS.jsonl

Each positive query is the material of one of the main set's single-segment queries (cut
afresh from its archived source, so no other transform is applied), played at a speed F in
0.75, 0.9, 1.1, 1.25, 1.5, in one of two ways:
  tempo_F: time-stretched, pitch kept: picture setpts=PTS/F,fps=25; sound atempo=F
  tape_F:  resampled like a tape played fast or slow, pitch moved by F: picture as above;
           sound aresample=44100,asetrate=44100*F,aresample=44100
Its truth is the main query's (every archived occurrence), with query times divided by F.
Negatives are the main set's negative queries played the same ways (truth empty).
The transform name carries the speed, so score.py's per-transform table gives F1 per speed
and mode. Every choice is fixed (the first N suitable queries in file order, alternating
video and audio), so two runs write the same list.
"""
import argparse
import json
import os
import sys

from ffmpeg_tools import ffmpeg, probe_duration

SPEEDS = (0.75, 0.9, 1.1, 1.25, 1.5)
MODES = ("tempo", "tape")


def sound_filter(mode, f):
    if mode == "tempo":
        return f"atempo={f}"
    return f"aresample=44100,asetrate=44100*{f},aresample=44100"


def encode(src, start, end, kind, mode, f, out):
    """Cuts [start, end] of src (None: the whole file) and plays it at speed f."""
    cut = ["-ss", f"{start:.3f}", "-to", f"{end:.3f}"] if start is not None else []
    if kind == "video":
        fc = f"[0:v]setpts=PTS/{f},fps=25,format=yuv420p[v];[0:a]{sound_filter(mode, f)}[a]"
        ffmpeg(cut + ["-i", src, "-filter_complex", fc, "-map", "[v]", "-map", "[a]",
                      "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-threads", "1",
                      "-c:a", "aac", "-b:a", "128k", out])
    else:
        ffmpeg(cut + ["-i", src, "-vn", "-af", sound_filter(mode, f), "-c:a", "libvorbis",
                      "-q:a", "4", out])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--per-speed", type=int, default=4,
                    help="positive queries per speed and mode (half video, half audio)")
    ap.add_argument("--negatives", type=int, default=2, help="negative queries per speed and mode")
    a = ap.parse_args()
    main_set = [json.loads(l) for l in open(os.path.join(a.set_dir, "queries.jsonl"))]

    def usable(q):
        b = q.get("build", {})
        segs = b.get("segments", [])
        return (q["structure"] == "single" and q.get("speed", 1.0) == 1.0 and len(segs) == 1
                and segs[0].get("from") == "archive" and q["truth"])

    video = [q for q in main_set if usable(q) and q["kind"] == "video"]
    audio = [q for q in main_set if usable(q) and q["kind"] == "audio"]
    negatives = [q for q in main_set if q["structure"] == "negative"]
    os.makedirs(os.path.join(a.out_dir, "queries"), exist_ok=True)
    link = os.path.join(a.out_dir, "archive")
    if not os.path.exists(link):
        os.symlink(os.path.abspath(os.path.join(a.set_dir, "archive")), link)
    out = []
    n = 0
    for mode in MODES:
        for si, f in enumerate(SPEEDS):
            picks = []
            for k in range(a.per_speed):
                pool = video if k % 2 == 0 else audio
                picks.append(pool[(si * a.per_speed // 2 + k // 2 + MODES.index(mode))
                                  % len(pool)])
            for k in range(a.negatives):
                picks.append(negatives[(si * a.negatives + k + MODES.index(mode)) % len(negatives)])
            for base in picks:
                n += 1
                qid = f"s{n:03d}"
                ext = ".mp4" if base["kind"] == "video" else ".ogg"
                rel = f"queries/{qid}{ext}"
                path = os.path.join(a.out_dir, rel)
                if base["structure"] == "negative":
                    encode(os.path.join(a.set_dir, base["file"]), None, None, base["kind"], mode, f,
                           path)
                    truth = []
                else:
                    seg = base["build"]["segments"][0]
                    encode(os.path.join(a.set_dir, "archive", seg["file"]), seg["start"], seg["end"],
                           base["kind"], mode, f, path)
                    truth = [dict(t, query_start=round(t["query_start"] / f, 4),
                                  query_end=round(t["query_end"] / f, 4)) for t in base["truth"]]
                out.append({"id": qid, "file": rel, "kind": base["kind"],
                            "structure": base["structure"], "transforms": [f"{mode}_{f}"],
                            "speed": f, "duration": round(probe_duration(path), 3),
                            "truth": truth, "build": {"from_query": base["id"], "mode": mode,
                                                      "factor": f}})
                print(qid, base["id"], mode, f, file=sys.stderr)
    with open(os.path.join(a.out_dir, "queries.jsonl"), "w") as fq:
        for q in out:
            fq.write(json.dumps(q) + "\n")
    with open(os.path.join(a.out_dir, "queries.txt"), "w") as ft:
        for q in out:
            ft.write(f"{q['id']}\t{q['file']}\n")


if __name__ == "__main__":
    main()
