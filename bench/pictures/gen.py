#!/usr/bin/env python3
"""Builds the picture-tracing benchmark set from real material.

usage: python3 bench/pictures/gen.py OUT_DIR [--shared DIR] [--media DIR] [--texts DIR] [--pdq DIR]

--shared (default ../shared beside the repository) holds the inputs: --media
SHARED/data/media (real footage), --texts SHARED/bench/text (the quote
benchmark's public texts: corpus/ and heldout/), --pdq
SHARED/peer/threatexchange/pdq (PDQ's test photographs).

OUT_DIR gets:
  archive/        what the archive holds: the media set's programme and distractor
                  videos, the text set's corpus/ (plain text and HTML), PDQ's
                  original bridge photograph
  queries/        the pictures to trace
  queries.jsonl   one line per query: {"id", "file", "kind", "transform", "truth"};
                  truth is null for a negative, else {"source": archive-relative
                  path, and "time_s" (a frame's display time) or "start"/"end"
                  (the quoted bytes of a document)}

Kinds:
  frame       a frame grabbed from a programme video, changed one way (transform):
              scale50 (half size, JPEG q 75), jpeg_low (JPEG q 20), crop (5% off
              every side), caption (a caption band with text), tint (warm colour
              shift, lighter), mirror (left to right), border (a screenshot of a
              player: grey title bar with text and a dark control bar)
  picture     PDQ's bridge photograph as its modifications (blur, sharpen, shrink,
              squares, contrast, saturation): copies of an archived picture
  quote_en    a screenshot of 12-30 words of an archived English document, in
              one of four styles: plain (black on white PNG), dark (light on
              dark, JPEG), serif (serif on cream, scaled down, JPEG), post (a
              social-media header line above the quote)
  quote_fa    the same for the Persian document (right-aligned, shaped by fribidi)
  scan        a longer English passage set as a printed page, turned 0.8 degrees,
              with grain, grey, JPEG q 50
  frame_exif, quote_exif
              a frame or an English quote screenshot stored turned 90 degrees
              counter-clockwise with EXIF Orientation 6 (viewers turn it back)
  negative    frames of the media set's negative videos (never archived), PDQ's
              other test pictures, and screenshots of the text set's held-out
              texts (transform says which)

Every choice is fixed (sorted inputs, one seeded generator), so two runs write
the same list; ffmpeg writes with +bitexact.
"""
import argparse
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

# Roles as the media set's README gives them.
PROGRAMME = ["intel_bottle-detection.mp4", "intel_car-detection.mp4",
             "libopenshot_highway_traffic.mp4", "libopenshot_marathon_run.mp4",
             "libopenshot_seattle_eagle.avi", "libopenshot_sintel_trailer-720p.mp4",
             "mdn_his_girl_friday.mp4", "moviepy_big_buck_bunny_0_30.webm",
             "moviepy_chaplin.mp4", "opencv_tree.avi", "opencv_vtest.avi"]
DISTRACTOR = ["mdn_flower.mp4", "moviepy_fire2_homevideo.mp4", "opencv_js_cup.mp4",
              "grid_corpus/sbia1a.mpg", "intel_asl/asl_yes.mkv"]
NEGATIVE = ["mdn_stream-of-water.webm", "moviepy_airfield_homevideo.mp4", "opencv_pose_box.mp4",
            "grid_corpus/swiz3n.mpg", "intel_asl/asl_book.mkv", "intel_asl/asl_learn.mkv",
            "intel_asl/asl_school.mkv", "intel_asl/asl_walk.mkv"]
FRAME_TRANSFORMS = ["scale50", "jpeg_low", "crop", "caption", "tint", "mirror", "border"]
QUOTE_STYLES = ["plain", "dark", "serif", "post"]
FRAMES_PER_VIDEO = 5


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr.decode(errors='replace')}")
    return r.stdout


def ffmpeg(args):
    """Runs ffmpeg; the last argument is the output file."""
    run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + args[:-1] +
        ["-fflags", "+bitexact", "-flags", "+bitexact", args[-1]])


def duration(path):
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
               "default=nw=1:nk=1", path])
    return float(out.strip())


def grey_spread(path, t):
    """Standard deviation of a 64x36 grey thumbnail of the frame at t (0-255)."""
    raw = run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{t:.3f}", "-i", path,
               "-frames:v", "1", "-vf", "scale=64:36,format=gray", "-f", "rawvideo", "-"])
    if not raw:
        return 0.0
    mean = sum(raw) / len(raw)
    return (sum((b - mean) ** 2 for b in raw) / len(raw)) ** 0.5


def frame_filter(transform, k):
    if transform == "scale50":
        return "scale=trunc(iw/4)*2:trunc(ih/4)*2", "jpg", ["-q:v", "4"]
    if transform == "jpeg_low":
        return "null", "jpg", ["-q:v", "20"]
    if transform == "crop":
        return "crop=trunc(iw*0.9/2)*2:trunc(ih*0.9/2)*2", "png", []
    if transform == "caption":
        text = ["He said it here first", "Breaking - what they did not show",
                "Watch before it is deleted"][k % 3]
        return (f"drawbox=x=0:y=ih*0.82:w=iw:h=ih*0.18:color=black@0.6:t=fill,"
                f"drawtext=fontfile={SANS}:text='{text}':fontcolor=white:fontsize=h/16:"
                f"x=(w-tw)/2:y=h*0.86", "png", [])
    if transform == "tint":
        return "colorbalance=rs=0.25:bs=-0.2,eq=brightness=0.06", "jpg", ["-q:v", "3"]
    if transform == "mirror":
        return "hflip", "png", []
    if transform == "border":
        return (f"scale=640:-2,pad=iw+24:ih+84:12:44:color=0x3c3c3c,"
                f"drawbox=x=0:y=ih-28:w=iw:h=28:color=0x111111:t=fill,"
                f"drawtext=fontfile={SANS}:text='Video player - clip {k}':fontcolor=white:"
                f"fontsize=18:x=14:y=12", "png", [])
    raise ValueError(transform)


def wrap(words, width):
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return "\n".join(lines)


def pick_quote(rng, raw, n_words):
    """A span of `n_words` words of `raw` (bytes) from a sentence start: (start, end, words)."""
    text = raw.decode("utf-8")
    starts = [m.end() for m in re.finditer(r"(?:^|[.!?؟]\s+)(?=\S)", text, re.M)]
    rng.shuffle(starts)
    for s in starts:
        words = []
        for m in re.finditer(r"\S+", text[s:]):
            words.append((m.start() + s, m.end() + s, m.group()))
            if len(words) == n_words:
                break
        if len(words) < n_words or any("<" in w or ">" in w for _, _, w in words):
            continue
        b0 = len(text[:words[0][0]].encode())
        b1 = len(text[:words[-1][1]].encode())
        return b0, b1, [w for _, _, w in words]
    return None


def render_quote(out_dir, name, body, style, rtl=False, width_chars=46):
    """Draws `body` (a list of words) as a screenshot; returns the file name."""
    text = wrap(body, width_chars)
    if style == "post":
        text = "@harbour_watch  ·  2h\n\n" + text
    lines = text.count("\n") + 1
    font, size, fg, bg, fmt, scale, q = SANS, 22, "black", "white", "png", None, None
    if style == "dark":
        fg, bg, fmt, q = "0xe8e8e8", "0x1e1e1e", "jpg", "5"
    elif style == "serif":
        font, size, fg, bg, fmt, scale, q = SERIF, 26, "0x202020", "0xfaf6e8", "jpg", 0.75, "4"
    width = int(width_chars * size * 0.62) + 60
    height = lines * (size + 12) + 50
    txt = os.path.join(out_dir, name + ".txt")
    with open(txt, "w", encoding="utf-8") as f:
        f.write(text)
    x = "w-tw-30" if rtl else "30"
    vf = (f"drawtext=fontfile={font}:textfile={txt}:expansion=none:fontsize={size}:"
          f"fontcolor={fg}:x={x}:y=25:line_spacing=12")
    if scale:
        vf += f",scale=trunc(iw*{scale}/2)*2:-2"
    out = f"{name}.{fmt}"
    args = ["-f", "lavfi", "-i", f"color={bg}:size={width}x{height}", "-vf", vf, "-frames:v", "1"]
    if q:
        args += ["-q:v", q]
    ffmpeg(args + [os.path.join(out_dir, out)])
    os.remove(txt)
    return out


def render_scan(out_dir, name, body):
    text = wrap(body, 60)
    lines = text.count("\n") + 1
    txt = os.path.join(out_dir, name + ".txt")
    with open(txt, "w", encoding="utf-8") as f:
        f.write(text)
    vf = (f"drawtext=fontfile={SERIF}:textfile={txt}:expansion=none:fontsize=30:fontcolor=0x151515:"
          f"x=90:y=120:line_spacing=16,rotate=0.8*PI/180:fillcolor=white,"
          f"noise=alls=14:allf=t,format=gray")
    ffmpeg(["-f", "lavfi", "-i", f"color=0xf4f4f0:size=1240x{lines * 46 + 300}", "-vf", vf,
            "-frames:v", "1", "-q:v", "8", os.path.join(out_dir, name + ".jpg")])
    os.remove(txt)
    return name + ".jpg"


def exif_orientation_app1(orientation):
    """A JPEG APP1 segment holding a little-endian TIFF IFD0 with one entry: Orientation."""
    tiff = b"II" + struct.pack("<HI", 42, 8) + struct.pack("<H", 1)
    tiff += struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def store_turned(src_path, out_path):
    """`src_path` stored turned 90 degrees counter-clockwise as a JPEG tagged
    Orientation 6, so that a viewer shows it as `src_path` looks."""
    tmp = out_path + ".tmp.jpg"
    ffmpeg(["-i", src_path, "-vf", "transpose=2", "-q:v", "3", tmp])
    with open(tmp, "rb") as f:
        jpeg = f.read()
    os.remove(tmp)
    assert jpeg[:2] == b"\xff\xd8"
    with open(out_path, "wb") as f:
        f.write(jpeg[:2] + exif_orientation_app1(6) + jpeg[2:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--shared", default=SHARED)
    ap.add_argument("--media")
    ap.add_argument("--texts")
    ap.add_argument("--pdq")
    a = ap.parse_args()
    a.media = a.media or os.path.join(a.shared, "data", "media")
    a.texts = a.texts or os.path.join(a.shared, "bench", "text")
    a.pdq = a.pdq or os.path.join(a.shared, "peer", "threatexchange", "pdq")
    for d in (a.media, a.texts, a.pdq):
        if not os.path.isdir(d):
            sys.exit(f"{d}: no such folder (give --media, --texts, --pdq)")
    rng = random.Random(17)
    archive = os.path.join(a.out, "archive")
    qdir = os.path.join(a.out, "queries")
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(os.path.join(archive, "video"))
    os.makedirs(qdir)
    queries = []

    def add_query(file, kind, transform, truth):
        queries.append({"id": f"q{len(queries) + 1:04d}", "file": f"queries/{file}",
                        "kind": kind, "transform": transform, "truth": truth})

    # Archive: videos, the text set's corpus, the bridge photograph.
    for v in PROGRAMME + DISTRACTOR:
        dst = os.path.join(archive, "video", v.replace("/", "_"))
        shutil.copyfile(os.path.join(a.media, "video", v), dst)
    shutil.copytree(os.path.join(a.texts, "corpus"), os.path.join(archive, "text"))
    os.makedirs(os.path.join(archive, "photo"))
    shutil.copyfile(os.path.join(a.pdq, "bridge-mods", "aaa-orig.jpg"),
                    os.path.join(archive, "photo", "bridge.jpg"))

    # Frames of programme videos, one transform each in turn.
    k = 0
    exif_frames = []
    for v in PROGRAMME:
        path = os.path.join(a.media, "video", v)
        dur = duration(path)
        for i in range(FRAMES_PER_VIDEO):
            t = round((i + 0.5 + rng.uniform(-0.3, 0.3)) * (dur - 0.5) / FRAMES_PER_VIDEO, 2)
            while grey_spread(path, t) < 18 and t + 1.3 < dur - 0.2:
                t = round(t + 1.3, 2)  # a black or plain frame: the next shot
            transform = FRAME_TRANSFORMS[k % len(FRAME_TRANSFORMS)]
            vf, ext, opts = frame_filter(transform, k)
            name = f"frame_{k:03d}_{transform}.{ext}"
            ffmpeg(["-ss", f"{t:.3f}", "-i", path, "-frames:v", "1", "-vf", vf] + opts +
                   [os.path.join(qdir, name)])
            truth = {"source": "video/" + v.replace("/", "_"), "time_s": t}
            add_query(name, "frame", transform, truth)
            if i == 2:
                exif_frames.append((path, t, truth))
            k += 1
    for j, (path, t, truth) in enumerate(exif_frames):
        plain = os.path.join(qdir, f"exif_frame_{j:02d}.png")
        ffmpeg(["-ss", f"{t + 0.2:.3f}", "-i", path, "-frames:v", "1", plain])
        name = f"exif_frame_{j:02d}.jpg"
        store_turned(plain, os.path.join(qdir, name))
        os.remove(plain)
        add_query(name, "frame_exif", "orientation6", dict(truth, time_s=round(t + 0.2, 2)))

    # Copies of the archived photograph.
    for f in sorted(os.listdir(os.path.join(a.pdq, "bridge-mods"))):
        if f == "aaa-orig.jpg":
            continue
        shutil.copyfile(os.path.join(a.pdq, "bridge-mods", f), os.path.join(qdir, "bridge_" + f))
        add_query("bridge_" + f, "picture", f.rsplit(".", 1)[0], {"source": "photo/bridge.jpg"})

    # Quote screenshots of archived documents.
    corpus = os.path.join(a.texts, "corpus")
    english = sorted(os.path.join(d, f) for d in ("moby-dick", "sotu")
                     for f in os.listdir(os.path.join(corpus, d)) if f.endswith(".txt"))
    rng.shuffle(english)
    n = 0
    for doc in english:
        if n == 24:
            break
        with open(os.path.join(corpus, doc), "rb") as f:
            raw = f.read()
        q = pick_quote(rng, raw, rng.randint(12, 30))
        if q is None:
            continue
        b0, b1, words = q
        style = QUOTE_STYLES[n % len(QUOTE_STYLES)]
        name = render_quote(qdir, f"quote_en_{n:03d}_{style}", words, style)
        truth = {"source": "text/" + doc, "start": b0, "end": b1}
        add_query(name, "quote_en", style, truth)
        if n % 6 == 0:
            plain = os.path.join(qdir, f"exif_quote_{n:03d}.png")
            ffmpeg(["-i", os.path.join(qdir, name), plain])
            exif_name = f"exif_quote_{n:03d}.jpg"
            store_turned(plain, os.path.join(qdir, exif_name))
            os.remove(plain)
            add_query(exif_name, "quote_exif", "orientation6", truth)
        n += 1
    with open(os.path.join(corpus, "udhr", "pes_1.txt"), "rb") as f:
        persian = f.read()
    for n in range(12):
        q = pick_quote(rng, persian, rng.randint(10, 22))
        b0, b1, words = q
        style = ["plain", "dark", "post"][n % 3]
        name = render_quote(qdir, f"quote_fa_{n:03d}_{style}", words, style, rtl=True, width_chars=40)
        add_query(name, "quote_fa", style, {"source": "text/udhr/pes_1.txt", "start": b0, "end": b1})
    for n, doc in enumerate(english[24:32]):
        with open(os.path.join(corpus, doc), "rb") as f:
            raw = f.read()
        q = pick_quote(rng, raw, rng.randint(45, 70))
        if q is None:
            continue
        b0, b1, words = q
        name = render_scan(qdir, f"scan_{n:03d}", words)
        add_query(name, "scan", "printed_page", {"source": "text/" + doc, "start": b0, "end": b1})

    # Negatives: frames of videos never archived, other photographs, texts never archived.
    k = 0
    for v in NEGATIVE:
        path = os.path.join(a.media, "video", v)
        dur = duration(path)
        for t in (round(dur * 0.3, 2), round(dur * 0.7, 2)):
            transform = FRAME_TRANSFORMS[k % len(FRAME_TRANSFORMS)]
            vf, ext, opts = frame_filter(transform, k)
            name = f"neg_frame_{k:03d}_{transform}.{ext}"
            ffmpeg(["-ss", f"{t:.3f}", "-i", path, "-frames:v", "1", "-vf", vf] + opts +
                   [os.path.join(qdir, name)])
            add_query(name, "negative", "frame_" + transform, None)
            k += 1
    for f in sorted(os.listdir(os.path.join(a.pdq, "misc-images"))):
        shutil.copyfile(os.path.join(a.pdq, "misc-images", f), os.path.join(qdir, "neg_photo_" + f))
        add_query("neg_photo_" + f, "negative", "photo", None)
    heldout = os.path.join(a.texts, "heldout")
    for n, doc in enumerate(sorted(os.listdir(heldout))[::3]):
        with open(os.path.join(heldout, doc), "rb") as f:
            raw = f.read()
        q = pick_quote(rng, raw, rng.randint(8, 25))
        if q is None:
            continue
        style = QUOTE_STYLES[n % len(QUOTE_STYLES)]
        name = render_quote(qdir, f"neg_quote_{n:03d}_{style}", q[2], style)
        add_query(name, "negative", "quote_" + style, None)

    with open(os.path.join(a.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    kinds = {}
    for q in queries:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    print(f"{len(queries)} queries in {a.out}: " +
          ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


if __name__ == "__main__":
    main()
