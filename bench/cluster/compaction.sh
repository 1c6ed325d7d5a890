#!/usr/bin/env bash
# Write amplification and blocks per key as a cluster grows by adds, with
# each compaction policy (bench/cluster/compaction_bench.cc):
#   bench/cluster/compaction.sh [BATCHES] [ITEMS] [POSTINGS] [SHARDS] [WORK_DIR]
#
# ($POLICIES: the policies to run, default "levels full none".)
# Starts a cluster of SHARDS shard servers (default 3; scripts/cluster.sh,
# fsync off), makes one archive per policy on it (levels, full, none) and
# adds BATCHES batches (default 20) of ITEMS items (default 10) of POSTINGS
# generated postings each (default 30000) to each, printing a line per add.
# The cluster is stopped and removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
batches="${1:-20}"
items="${2:-10}"
postings="${3:-30000}"
shards="${4:-3}"
work="${5:-$(mktemp -d)}"
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
uncut="${UNCUT_BIN:-$root/build/uncut}"
bench="${UNCUT_COMPACTION_BENCH:-$root/build/bench/uncut_compaction_bench}"
trap 'UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work/cluster"' EXIT
UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" start "$shards" "$work/cluster" >/dev/null
# shellcheck disable=SC1091
. "$work/cluster/cluster.env"
for policy in ${POLICIES:-levels full none}; do
  name="uncut_$policy" list=""
  for i in $(seq 1 "$SHARDS") coordinator; do
    [ "$i" = coordinator ] && port=$PORT_coordinator || eval "port=\$PORT_shard$i"
    "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U "$OWNER" "$name"
    [ "$i" = coordinator ] || list+="${list:+,}postgresql://$OWNER@127.0.0.1:$port/$name"
  done
  uri="postgresql://$OWNER@127.0.0.1:$PORT_coordinator/$name"
  "$uncut" --archive "$uri" init --shards "$list" >/dev/null
  echo "== $policy: $batches adds of $items items x $postings postings, $SHARDS shards"
  "$bench" "$uri" "$policy" "$batches" "$items" "$postings"
done
