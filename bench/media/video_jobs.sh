#!/usr/bin/env bash
# Adding one long video on one thread and on two:
#   bench/media/video_jobs.sh [UNCUT_BIN] [WORK_DIR] [MINUTES] [ROUNDS]
#
# Uses WORK_DIR/h264-MINUTESmin.mp4, the 1080p25 H.264 file bench/media/decode
# generates (default 10 minutes; made here the same way when missing: 60 s
# of testsrc2 with noise, x264 ultrafast with 3 B-frames in a pyramid,
# 6 Mb/s, copied end to end). Then, in ROUNDS interleaved rounds (default 3),
# times (bench/jobs_rounds.sh) with /usr/bin/time -v:
#   ffmpeg   `ffmpeg -threads 1 -i VIDEO -f null -`: a full decode alone;
#   jobs 1   `uncut add --jobs 1 VIDEO` into a fresh archive;
#   jobs 2   `uncut add --jobs 2 VIDEO` into a fresh archive (the picture
#            analysed in time chunks on two threads, video/video_chunks.h).
# Prints the minimum and median wall and CPU (user + system) seconds of
# each, the load average before and after (the machine may be shared), and
# whether both adds stored the same fingerprints (signature blob and index
# segments; needs the sqlite3 command). On a shared machine, set
# BENCH_AUTOGROUP_NICE=-19 (as root) to see the wall speed-up of --jobs 2
# (bench/jobs_rounds.sh says why).
# Defaults: UNCUT_BIN=build/uncut, WORK_DIR=/tmp/uncut-decode-bench.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/uncut}"
work="${2:-/tmp/uncut-decode-bench}"
minutes="${3:-10}"
rounds="${4:-3}"
mkdir -p "$work"
video="$work/h264-${minutes}min.mp4"
if [ ! -f "$video" ]; then
  piece="$work/h264-piece.mp4"
  if [ ! -f "$piece" ]; then
    ffmpeg -nostdin -loglevel error -y \
      -f lavfi -i testsrc2=size=1920x1080:rate=25:duration=60 -vf noise=alls=10:allf=t \
      -pix_fmt yuv420p -c:v libx264 -preset ultrafast \
      -x264-params bframes=3:b-pyramid=normal:cabac=1:deblock=1 -b:v 6M -maxrate 8M -bufsize 8M \
      "$piece.tmp.mp4"
    mv "$piece.tmp.mp4" "$piece"
  fi
  for ((i = 0; i < minutes; ++i)); do echo "file '$(basename "$piece")'"; done >"$work/h264.txt"
  ffmpeg -nostdin -loglevel error -y -f concat -safe 0 -i "$work/h264.txt" -c copy "$video.tmp.mp4"
  mv "$video.tmp.mp4" "$video"
fi

exec "$root/bench/jobs_rounds.sh" "$bin" "$work" "$video" "$rounds" "${minutes} min 1080p25 H.264" \
  "select hex(data) from blobs where name = 'video.sig'"
