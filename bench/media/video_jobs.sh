#!/usr/bin/env bash
# Adding one long video on one thread and on two:
#   bench/media/video_jobs.sh [UNCUT_BIN] [WORK_DIR] [MINUTES] [ROUNDS]
#
# Uses WORK_DIR/h264-MINUTESmin.mp4, the 1080p25 H.264 file bench/media/decode
# generates (default 10 minutes; made here the same way when missing: 60 s
# of testsrc2 with noise, x264 ultrafast with 3 B-frames in a pyramid,
# 6 Mb/s, copied end to end). Then, in ROUNDS interleaved rounds (default 3),
# times with /usr/bin/time -v:
#   ffmpeg   `ffmpeg -threads 1 -i VIDEO -f null -`: a full decode alone;
#   jobs 1   `uncut add --jobs 1 VIDEO` into a fresh archive;
#   jobs 2   `uncut add --jobs 2 VIDEO` into a fresh archive (the picture
#            analysed in time chunks on two threads, video/video_chunks.h).
# Prints the minimum and median wall and CPU (user + system) seconds of
# each, the load average before and after (the machine may be shared), and
# whether both adds stored the same fingerprints (signature blob and index
# segments; needs the sqlite3 command).
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

# timed NAME CMD...: runs CMD under /usr/bin/time -v, appends "wall cpu" to $work/NAME.times.
timed() {
  local name="$1"
  shift
  /usr/bin/time -v "$@" >/dev/null 2>"$work/$name.time"
  local wall cpu
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$name.time" |
         awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/$name.time")
  echo "$wall $cpu" >>"$work/$name.times"
}

digest() {  # digest ARCHIVE
  (sqlite3 "$1/catalog.sqlite" "select hex(data) from blobs where name = 'video.sig'" &&
   cat "$1"/index/*/*.seg) | md5sum | cut -c1-12
}

rm -f "$work"/ffmpeg.times "$work"/jobs1.times "$work"/jobs2.times
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < rounds; ++r)); do
  timed ffmpeg ffmpeg -nostdin -loglevel error -threads 1 -i "$video" -f null -
  for j in 1 2; do
    rm -rf "$work/archive-j$j"
    timed "jobs$j" "$bin" --archive "$work/archive-j$j" add --no-tsa --jobs "$j" "$video"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

stats() {  # stats COLUMN FILE: min/median
  cut -d' ' -f"$1" "$2" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f/%.2f", v[1], v[int((NR + 1) / 2)] }'
}
echo "$(basename "$video"): ${minutes} min 1080p25 H.264; ${rounds} interleaved rounds; seconds min/median"
printf '%-8s %15s %15s\n' "" wall cpu
for n in ffmpeg jobs1 jobs2; do
  printf '%-8s %15s %15s\n' "$n" "$(stats 1 "$work/$n.times")" "$(stats 2 "$work/$n.times")"
done
echo "load average (1, 5, 15 min): before $load_before, after $load_after; $(nproc) cores"
d1=$(digest "$work/archive-j1")
d2=$(digest "$work/archive-j2")
if [ "$d1" = "$d2" ]; then
  echo "fingerprints stored by --jobs 1 and --jobs 2 are identical ($d1)"
else
  echo "fingerprints stored by --jobs 1 ($d1) and --jobs 2 ($d2) DIFFER"
fi
