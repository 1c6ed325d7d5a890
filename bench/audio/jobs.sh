#!/usr/bin/env bash
# Adding one long recording on one thread and on two:
#   bench/audio/jobs.sh [UNCUT_BIN] [WORK_DIR] [MINUTES] [ROUNDS]
#
# Generates a MINUTES-long recording (default 40; kept in WORK_DIR and
# reused): tones that jump to a new pitch several times a second (two
# voices) over pink noise, as a 44.1 kHz stereo 128 kb/s MP3. Then, in
# ROUNDS interleaved rounds (default 3), times (bench/jobs_rounds.sh)
# with /usr/bin/time -v:
#   ffmpeg   `ffmpeg -threads 1 -i REC -f null -`: decoding alone;
#   jobs 1   `uncut add --jobs 1 REC` into a fresh archive;
#   jobs 2   `uncut add --jobs 2 REC` into a fresh archive (the sound
#            analysed in time chunks on two threads, audio/peak_chunks.h).
# Prints the minimum and median wall and CPU (user + system) seconds of
# each, the load average before and after (the machine may be shared), and
# whether both adds stored the same fingerprints (peaks blob and index
# segments; needs the sqlite3 command). On a shared machine, set
# BENCH_AUTOGROUP_NICE=-19 (as root) to see the wall speed-up of --jobs 2
# (bench/jobs_rounds.sh says why).
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

exec "$root/bench/jobs_rounds.sh" "$bin" "$work" "$rec" "$rounds" "${minutes} min" \
  "select hex(data) from blobs order by name"
