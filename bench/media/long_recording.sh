#!/usr/bin/env bash
# Memory and time of adding long recordings:
#   bench/media/long_recording.sh [UNCUT_BIN] [WORK_DIR] [MINUTES...]
#
# Generates one recording per length (default 20 and 180 minutes; kept in
# WORK_DIR and reused by later runs), adds each to a fresh archive with
# /usr/bin/time -v, and prints for each add the peak resident memory, the
# wall time, the CPU time (user + system), the number of sound peaks stored
# and a digest of the stored fingerprints (peaks blob and index segments:
# the same for two builds that fingerprint alike; needs the sqlite3
# command). The sound is mono AAC at 16 kHz: tones that jump to a new pitch
# several times a second (two voices) over pink noise, so that every second
# has spectral peaks, as speech or music has.
# Defaults: UNCUT_BIN=build/uncut, WORK_DIR=/tmp/uncut-long-recording.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/uncut}"
work="${2:-/tmp/uncut-long-recording}"
shift $(( $# < 2 ? $# : 2 ))
minutes=("$@")
[ ${#minutes[@]} -gt 0 ] || minutes=(20 180)
mkdir -p "$work"

make_recording() {  # make_recording MINUTES OUT
  local d=$(( $1 * 60 ))
  local tones="0.3*sin(2*PI*(400+mod(floor(t*6)*7919\,2800))*t)+0.2*sin(2*PI*(500+mod(floor(t*4)*104729\,2500))*t)"
  ffmpeg -nostdin -loglevel error -y \
    -f lavfi -i "aevalsrc=${tones}:s=16000:d=${d}" \
    -f lavfi -i "anoisesrc=c=pink:a=0.05:r=16000:d=${d}" \
    -filter_complex "amix=inputs=2:normalize=0" -ac 1 -c:a aac -b:a 48k "$2.tmp.m4a"
  mv "$2.tmp.m4a" "$2"
}

printf '%-8s %12s %10s %8s %8s  %s\n' minutes peak_rss_mb wall_s cpu_s peaks fingerprint_md5
for m in "${minutes[@]}"; do
  rec="$work/long-${m}min.m4a"
  [ -f "$rec" ] || make_recording "$m" "$rec"
  archive="$work/archive-${m}min"
  rm -rf "$archive"
  /usr/bin/time -v "$bin" --archive "$archive" add "$rec" >"$work/add-${m}min.out" 2>"$work/add-${m}min.time"
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/add-${m}min.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/add-${m}min.time" |
         awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/add-${m}min.time")
  peaks=$("$bin" --archive "$archive" show 1 --json |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["info"]["audio"]["peaks"])')
  digest=$( (sqlite3 "$archive/catalog.sqlite" "select hex(data) from blobs order by name" &&
             cat "$archive"/index/*/*.seg) | md5sum | cut -c1-12)
  printf '%-8s %12.1f %10.1f %8.1f %8s  %s\n' "$m" "$(echo "$rss_kb / 1024" | bc -l)" "$wall" "$cpu" \
    "$peaks" "$digest"
done
