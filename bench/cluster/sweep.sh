#!/usr/bin/env bash
# What `uncut sweep` costs on a cluster (scripts/cluster.sh, fsync off):
#   bench/cluster/sweep.sh [DOCS] [SHARDS] [WORK_DIR]
#
# Adds DOCS generated documents (default 1000, about 600 words each from a
# 12-word vocabulary, so that items share index keys and their postings
# share blocks) to a fresh archive on SHARDS shard servers (default 3),
# removes every tenth, then times with /usr/bin/time `sweep --dry-run`,
# `sweep`, a second `sweep` and `verify`, printing what each said, its wall
# seconds and peak memory, and the posting blocks (rows) before and after.
# The cluster is stopped and removed at the end.
#
# With $UNCUT_BIN_BEFORE (another build, e.g. the main branch's), the same
# documents go into two archives on the one cluster (added and removed by
# $UNCUT_BIN alike) and each step is timed with both binaries in turn, the
# one before first, on its own archive.
# Defaults: WORK_DIR a temporary directory; the binary is $UNCUT_BIN, else
# build/uncut.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
docs="${1:-1000}"
shards="${2:-3}"
work="${3:-$(mktemp -d)}"
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
export UNCUT_BIN="${UNCUT_BIN:-$root/build/uncut}"
mkdir -p "$work/docs"
trap 'UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work/cluster"' EXIT
python3 - "$work/docs" "$docs" <<'PY'
import random, sys
words = "river bridge council harvest border winter market treaty station letter court village".split()
rng = random.Random(7)
for i in range(int(sys.argv[2])):
    body = " ".join(rng.choice(words) + ("." if w % 17 == 16 else "") for w in range(600))
    with open(f"{sys.argv[1]}/doc{i:05d}.txt", "w") as f:
        f.write(f"Document {i} records that {body}\nThe marker sentence number {i} closes it.\n")
PY
uri=$(UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" start "$shards" "$work/cluster" | tail -n 1)
# shellcheck disable=SC1091
. "$work/cluster/cluster.env"

# A second archive on the same servers: database uncut_NAME on each.
second_archive() {
  local name="uncut_$1" list="" port
  for i in $(seq 1 "$SHARDS") coordinator; do
    [ "$i" = coordinator ] && port=$PORT_coordinator || eval "port=\$PORT_shard$i"
    "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U "$OWNER" "$name"
    [ "$i" = coordinator ] || list+="${list:+,}postgresql://$OWNER@127.0.0.1:$port/$name"
  done
  "$UNCUT_BIN" --archive "postgresql://$OWNER@127.0.0.1:$PORT_coordinator/$name" init --shards "$list" >&2
  echo "postgresql://$OWNER@127.0.0.1:$PORT_coordinator/$name"
}

timed() {  # timed LABEL BINARY URI ARGS...: prints the run's last line, wall seconds, peak memory
  local label="$1" bin="$2" at="$3"
  shift 3
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --archive "$at" "$@" >"$work/out" 2>&1 || true
  read -r wall kb <"$work/time"
  printf '%-22s %7.2f s %5d MB  %s\n' "$label" "$wall" "$((kb / 1024))" "$(tail -n 1 "$work/out")"
}
blocks() { "$pgbin/psql" -qAt "$1" -c "SELECT count(*) FROM postings"; }

labels=(after)
declare -A bin_of=([after]="$UNCUT_BIN") uri_of=([after]="$uri")
if [ -n "${UNCUT_BIN_BEFORE:-}" ]; then
  labels=(before after)
  bin_of[before]="$UNCUT_BIN_BEFORE"
  uri_of[before]="$(second_archive before)"
fi
echo "$docs documents ($(du -sm "$work/docs" | cut -f1) MB) on $shards shards; load $(cut -d' ' -f1 /proc/loadavg)"
for l in "${labels[@]}"; do
  timed "add ($l)" "$UNCUT_BIN" "${uri_of[$l]}" add -q --no-tsa "$work/docs"
  ids=$("$UNCUT_BIN" --archive "${uri_of[$l]}" list --json |
    python3 -c 'import json,sys; print(" ".join(str(it["id"]) for it in json.load(sys.stdin)[::10]))')
  timed "remove ($l)" "$UNCUT_BIN" "${uri_of[$l]}" remove --yes $ids
  echo "posting blocks ($l): $(blocks "${uri_of[$l]}")"
done
for step in "sweep --dry-run" sweep "sweep again" verify; do
  for l in "${labels[@]}"; do
    args=$step
    [ "$step" = "sweep again" ] && args=sweep
    # shellcheck disable=SC2086
    timed "$step ($l)" "${bin_of[$l]}" "${uri_of[$l]}" $args
  done
done
for l in "${labels[@]}"; do echo "posting blocks after ($l): $(blocks "${uri_of[$l]}")"; done
