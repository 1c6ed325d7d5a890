#!/usr/bin/env bash
# The rounds shared by bench/audio/jobs.sh and bench/media/video_jobs.sh:
#   bench/jobs_rounds.sh UNCUT_BIN WORK_DIR FILE ROUNDS LABEL BLOBS_SQL
#
# In ROUNDS interleaved rounds, times with /usr/bin/time -v:
#   ffmpeg   `ffmpeg -threads 1 -i FILE -f null -`: decoding alone;
#   jobs 1   `uncut add --jobs 1 FILE` into a fresh archive;
#   jobs 2   `uncut add --jobs 2 FILE` into a fresh archive.
# Prints LABEL, the minimum and median wall and CPU (user + system) seconds
# of each, the load average before and after (the machine may be shared),
# and whether both adds stored the same fingerprints: the catalog blobs
# BLOBS_SQL selects (a `select hex(data) from blobs …` statement) and the
# index segments (needs the sqlite3 command).
#
# On a shared machine Linux gives each session one share of the CPU however
# many threads it runs, so --jobs 2 cannot show a wall speed-up there. With
# BENCH_AUTOGROUP_NICE=N (e.g. -19; negative values need root), the rounds
# run in a session of their own whose scheduling group has nice N, ahead of
# other sessions' work; the figures then say so.
set -euo pipefail
if [ -n "${BENCH_AUTOGROUP_NICE:-}" ] && [ -z "${BENCH_IN_OWN_SESSION:-}" ]; then
  BENCH_IN_OWN_SESSION=1 exec setsid --wait "$0" "$@"
fi
if [ -n "${BENCH_AUTOGROUP_NICE:-}" ]; then
  echo "$BENCH_AUTOGROUP_NICE" >/proc/self/autogroup
fi
bin="$1"
work="$2"
file="$3"
rounds="$4"
label="$5"
blobs_sql="$6"

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
  (sqlite3 "$1/catalog.sqlite" "$blobs_sql" && cat "$1"/index/*/*.seg) | md5sum | cut -c1-12
}

stats() {  # stats COLUMN FILE: min/median
  cut -d' ' -f"$1" "$2" | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f/%.2f", v[1], v[int((NR + 1) / 2)] }'
}

rm -f "$work"/ffmpeg.times "$work"/jobs1.times "$work"/jobs2.times
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < rounds; ++r)); do
  timed ffmpeg ffmpeg -nostdin -loglevel error -threads 1 -i "$file" -f null -
  for j in 1 2; do
    rm -rf "$work/archive-j$j"
    timed "jobs$j" "$bin" --archive "$work/archive-j$j" add --no-tsa --jobs "$j" "$file"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "$(basename "$file"): ${label}; ${rounds} interleaved rounds; seconds min/median"
printf '%-8s %15s %15s\n' "" wall cpu
for n in ffmpeg jobs1 jobs2; do
  printf '%-8s %15s %15s\n' "$n" "$(stats 1 "$work/$n.times")" "$(stats 2 "$work/$n.times")"
done
echo "load average (1, 5, 15 min): before $load_before, after $load_after; $(nproc) cores"
if [ -n "${BENCH_AUTOGROUP_NICE:-}" ]; then
  echo "run in its own session, scheduling group $(cat /proc/self/autogroup)"
fi
d1=$(digest "$work/archive-j1")
d2=$(digest "$work/archive-j2")
if [ "$d1" = "$d2" ]; then
  echo "fingerprints stored by --jobs 1 and --jobs 2 are identical ($d1)"
else
  echo "fingerprints stored by --jobs 1 ($d1) and --jobs 2 ($d2) DIFFER"
fi
