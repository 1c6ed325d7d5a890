#!/usr/bin/env python3
"""Picture-and-sound transforms for the clip-tracing benchmark: heavy crops, boxes over the
picture, and clips whose sound is gone or is not the source's.

usage: python3 bench/media/picture_gen.py SET_DIR OUT_DIR [--per-transform N] [--negatives N]

SET_DIR is what the media benchmark's gen.py wrote (archive/, queries/, queries.jsonl).
OUT_DIR gets archive -> SET_DIR/archive (a link), queries/, queries.jsonl and queries.txt
in the same format, so bench/media/run and score.py read it as they read the main set:

  bench/media/run OUT_DIR RESULTS.jsonl     (or uncut_media_bench OUT_DIR RESULTS.jsonl)
  python3 score.py OUT_DIR/queries.jsonl RESULTS.jsonl

Each positive query is the material of one of the main set's single-segment video queries
(cut afresh from its archived source, so no other transform is applied), changed by one of:
  crop_60:         the central 60% of the frame (each side), scaled back to 640x360
  caption_quarter: a box over a quarter of the frame: a caption band over the bottom
                   quarter (odd queries) or an opaque logo panel over the top-right quarter
                   (even queries), with text on it
  sound_removed:   no sound track at all
  sound_replaced:  the sound swapped for music (a generated melody: a desk's clip with music
                   laid over it)
  mirror:          flipped left to right
  logo_corner:     an opaque logo panel with text in one corner (the corner turns with each
                   query), a quarter of the frame (half its width and height) or, every other
                   query, 40% of its width and height
  pip:             the clip scaled to half size inside other picture: moving generated
                   footage (odd queries) or a plain background (even queries), at a place
                   that turns with each query
Its truth is the main query's (every archived occurrence). Negatives are the main set's
negative video queries changed the same ways (truth empty). The transform name is the
query's only transform, so score.py's per-transform table gives F1 per transform, and
uncut_media_bench's claims table counts false cut / not-in-archive claims per transform.
Every choice is fixed (the first N suitable queries in file order, rotating per transform),
so two runs write the same list.
"""
import argparse
import json
import os
import sys

from ffmpeg_tools import ffmpeg, probe_duration

TRANSFORMS = ("crop_60", "caption_quarter", "sound_removed", "sound_replaced", "mirror",
              "logo_corner", "pip")
FONT = "DejaVu Sans"
# A melody of two voices over a slow pulse: notes change twice a second.
MUSIC = ("aevalsrc='0.25*sin(2*PI*t*(220*pow(2,floor(mod(t*2+{seed},7))/12)))"
         "+0.18*sin(2*PI*t*(330*pow(2,floor(mod(t*0.5+{seed},5))/12)))"
         "*(0.6+0.4*sin(2*PI*t*1.5))':s=44100:c=stereo")


def picture_filter(transform, k):
    if transform == "crop_60":
        return "crop=trunc(iw*0.6/2)*2:trunc(ih*0.6/2)*2,scale=640:360"
    if transform == "caption_quarter":
        if k % 2:
            return (f"scale=640:360,drawbox=x=0:y=ih*3/4:w=iw:h=ih/4:color=black@0.85:t=fill,"
                    f"drawtext=font='{FONT}':text='BREAKING\\: what the minister said':x=16:"
                    f"y=h*3/4+28:fontsize=26:fontcolor=white")
        return (f"scale=640:360,drawbox=x=iw/2:y=0:w=iw/2:h=ih/2:color=white@0.95:t=fill,"
                f"drawtext=font='{FONT}':text='NEWS 24':x=w*3/4-tw/2:y=h/4-th/2:fontsize=40:"
                f"fontcolor=navy")
    if transform == "mirror":
        return "hflip,scale=640:360"
    if transform == "logo_corner":
        side = 0.5 if k % 2 == 0 else 0.4
        x = "0" if k % 4 in (0, 3) else f"iw*{1 - side}"
        y = "0" if k % 4 in (0, 1) else f"ih*{1 - side}"
        tx = "16" if x == "0" else f"w*{1 - side}+16"
        ty = "16" if y == "0" else f"h*{1 - side}+16"
        return (f"scale=640:360,drawbox=x={x}:y={y}:w=iw*{side}:h=ih*{side}:color=0xC0392B:t=fill,"
                f"drawtext=font='{FONT}':text='CH 9':x={tx}:y={ty}:fontsize=36:fontcolor=white")
    return "scale=640:360"


# Where the half-size clip sits in the pip transform's frame (x, y of 640x360), per query.
PIP_PLACES = ((160, 90), (300, 20), (20, 170), (300, 170))


def pip_graph(k):
    """filter_complex putting input 0's picture at half size over input 1's, as [v]."""
    x, y = PIP_PLACES[k % len(PIP_PLACES)]
    return (f"[1:v]scale=640:360,format=yuv420p[bg];[0:v]scale=320:180[in];"
            f"[bg][in]overlay=x={x}:y={y}:shortest=1,format=yuv420p[v]")


def pip_background(k):
    """lavfi input for the pip transform: generated moving footage, or a plain colour."""
    if k % 2:
        return "testsrc2=s=640x360:r=25"
    return "color=c=0x2C3E50:s=640x360:r=25"


def encode(src, start, end, transform, k, out):
    """Cuts [start, end] of src (None: the whole file) and applies the transform."""
    cut = ["-ss", f"{start:.3f}", "-to", f"{end:.3f}"] if start is not None else []
    video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-threads", "1"]
    sound = ["-c:a", "aac", "-b:a", "128k"]
    vf = picture_filter(transform, k) + ",format=yuv420p"
    if transform == "pip":
        ffmpeg(cut + ["-i", src, "-f", "lavfi", "-i", pip_background(k), "-filter_complex",
                      pip_graph(k), "-map", "[v]", "-map", "0:a?"] + video + sound + [out])
    elif transform == "sound_removed":
        ffmpeg(cut + ["-i", src, "-vf", vf, "-an"] + video + [out])
    elif transform == "sound_replaced":
        ffmpeg(cut + ["-i", src, "-f", "lavfi", "-i", MUSIC.format(seed=k % 7), "-vf", vf,
                      "-map", "0:v", "-map", "1:a", "-shortest"] + video + sound + [out])
    else:
        ffmpeg(cut + ["-i", src, "-vf", vf, "-map", "0:v", "-map", "0:a?"] + video + sound + [out])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--per-transform", type=int, default=8, help="positive queries per transform")
    ap.add_argument("--negatives", type=int, default=2, help="negative queries per transform")
    a = ap.parse_args()
    main_set = [json.loads(l) for l in open(os.path.join(a.set_dir, "queries.jsonl"))]

    def usable(q):
        b = q.get("build", {})
        segs = b.get("segments", [])
        return (q["kind"] == "video" and q["structure"] == "single" and q.get("speed", 1.0) == 1.0
                and len(segs) == 1 and segs[0].get("from") == "archive" and q["truth"])

    positives = [q for q in main_set if usable(q)]
    negatives = [q for q in main_set if q["structure"] == "negative" and q["kind"] == "video"]
    os.makedirs(os.path.join(a.out_dir, "queries"), exist_ok=True)
    link = os.path.join(a.out_dir, "archive")
    if not os.path.exists(link):
        os.symlink(os.path.abspath(os.path.join(a.set_dir, "archive")), link)
    out = []
    n = 0
    for ti, transform in enumerate(TRANSFORMS):
        picks = [positives[(ti * a.per_transform + k) % len(positives)] for k in range(a.per_transform)]
        picks += [negatives[(ti * a.negatives + k) % len(negatives)] for k in range(a.negatives)]
        for k, base in enumerate(picks):
            n += 1
            qid = f"p{n:03d}"
            rel = f"queries/{qid}.mp4"
            path = os.path.join(a.out_dir, rel)
            if base["structure"] == "negative":
                encode(os.path.join(a.set_dir, base["file"]), None, None, transform, k, path)
                truth = []
            else:
                seg = base["build"]["segments"][0]
                encode(os.path.join(a.set_dir, "archive", seg["file"]), seg["start"], seg["end"],
                       transform, k, path)
                truth = base["truth"]
            out.append({"id": qid, "file": rel, "kind": "video", "structure": base["structure"],
                        "transforms": [transform], "speed": 1.0,
                        "duration": round(probe_duration(path), 3), "truth": truth,
                        "build": {"from_query": base["id"], "transform": transform}})
            print(qid, base["id"], transform, file=sys.stderr)
    with open(os.path.join(a.out_dir, "queries.jsonl"), "w") as fq:
        for q in out:
            fq.write(json.dumps(q) + "\n")
    with open(os.path.join(a.out_dir, "queries.txt"), "w") as ft:
        for q in out:
            ft.write(f"{q['id']}\t{q['file']}\n")


if __name__ == "__main__":
    main()
