#!/usr/bin/env bash
# Adding one long recording on one thread and on two:
#   bench/audio/jobs.sh [UNCUT_BIN] [WORK_DIR] [MINUTES] [ROUNDS]
#
# Generates a MINUTES-long recording (default 40; kept in WORK_DIR and
# reused): tones that jump to a new pitch several times a second (two
# voices) over pink noise, as a 44.1 kHz stereo 128 kb/s MP3. Then, in
# ROUNDS interleaved rounds (default 3), times with /usr/bin/time -v:
#   ffmpeg   `ffmpeg -threads 1 -i REC -f null -`: decoding alone;
#   jobs 1   `uncut add --jobs 1 REC` into a fresh archive;
#   jobs 2   `uncut add --jobs 2 REC` into a fresh archive (the sound
#            analysed in time chunks on two threads, audio/peak_chunks.h).
# Prints the minimum and median wall and CPU (user + system) seconds of
# each, the load average before and after (the machine may be shared), and
# whether both adds stored the same fingerprints (peaks blob and index
# segments; needs the sqlite3 command).
# Defaults: UNCUT_BIN=build/uncut, WORK_DIR=/tmp/uncut-audio-jobs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/uncut}"
work="${2:-/tmp/uncut-audio-jobs}"
minutes="${3:-40}"
rounds="${4:-3}"
mkdir -p "$work"
rec="$work/long-${minutes}min.mp3"
if [ ! -f "$rec" ]; then
  d=$(( minutes * 60 ))
  tones="0.3*sin(2*PI*(400+mod(floor(t*6)*7919\,2800))*t)+0.2*sin(2*PI*(500+mod(floor(t*4)*104729\,2500))*t)"
  ffmpeg -nostdin -loglevel error -y \
    -f lavfi -i "aevalsrc=${tones}:s=44100:d=${d}" \
    -f lavfi -i "anoisesrc=c=pink:a=0.05:r=44100:d=${d}" \
    -filter_complex "amix=inputs=2:normalize=0" -ac 2 -c:a libmp3lame -b:a 128k "$rec.tmp.mp3"
  mv "$rec.tmp.mp3" "$rec"
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
  (sqlite3 "$1/catalog.sqlite" "select hex(data) from blobs order by name" &&
   cat "$1"/index/*/*.seg) | md5sum | cut -c1-12
}

rm -f "$work"/*.times
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < rounds; ++r)); do
  timed ffmpeg ffmpeg -nostdin -loglevel error -threads 1 -i "$rec" -f null -
  for j in 1 2; do
    rm -rf "$work/archive-j$j"
    timed "jobs$j" "$bin" --archive "$work/archive-j$j" add --no-tsa --jobs "$j" "$rec"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

stats() {  # stats COLUMN FILE: min/median
  cut -d' ' -f"$1" "$2" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f/%.2f", v[1], v[int((NR + 1) / 2)] }'
}
echo "$(basename "$rec"): ${minutes} min; ${rounds} interleaved rounds; seconds min/median"
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
