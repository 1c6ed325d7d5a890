#!/usr/bin/env bash
# What `uncut sweep` costs on a cluster (scripts/cluster.sh, fsync off):
#   bench/cluster/sweep.sh [DOCS] [SHARDS] [WORK_DIR]
#
# Adds DOCS generated documents (default 1000, about 600 words each from a
# 12-word vocabulary, so that items share index keys and their postings
# share blocks) to a fresh archive on SHARDS shard servers (default 3),
# removes every tenth, then times with /usr/bin/time `sweep --dry-run`,
# `sweep`, a second `sweep` and `verify`, printing what each said, its wall
# seconds and peak memory. The cluster is stopped and removed at the end.
# Defaults: WORK_DIR a temporary directory; the binary is $UNCUT_BIN, else
# build/uncut.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
docs="${1:-1000}"
shards="${2:-3}"
work="${3:-$(mktemp -d)}"
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
uncut() { "$UNCUT_BIN" --archive "$uri" "$@"; }
timed() {  # timed LABEL ARGS...: runs uncut ARGS, prints its output, wall seconds, peak memory
  local label="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$UNCUT_BIN" --archive "$uri" "$@" >"$work/out" 2>&1 || true
  read -r wall kb <"$work/time"
  printf '%-14s %7.1f s %7.0f MB  %s\n' "$label" "$wall" "$((kb / 1024))" "$(tail -n 1 "$work/out")"
}
echo "$docs documents ($(du -sm "$work/docs" | cut -f1) MB) on $shards shards; load $(cut -d' ' -f1 /proc/loadavg)"
timed add add -q --no-tsa "$work/docs"
ids=$(uncut list --json | python3 -c 'import json,sys; print(" ".join(str(it["id"]) for it in json.load(sys.stdin)[::10]))')
timed remove remove --yes $ids
timed "sweep --dry-run" sweep --dry-run
timed sweep sweep
timed "sweep again" sweep
timed verify verify
