#!/usr/bin/env bash
# What a compaction's planning costs on a large archive:
#   bench/cluster/compaction_plan.sh [BLOCKS] [WORK_DIR]
#
# Starts a 3-shard cluster (scripts/cluster.sh, fsync off), makes an archive
# on it and plants one run of BLOCKS posting blocks (default 1,000,000; one
# batch, 512 postings each, data of one byte), written on the shards
# directly: a run of a high level, which no compaction merges. Then times
# `uncut compact` three times (nothing is due) and adds 4 batches of 10
# items x 30,000 postings with bench/cluster/compaction_bench.cc (levels),
# whose lines give each add's compaction time and the rows its planning
# read: nothing is due after adds 1-3, a level-0 merge after add 4.
# ($UNCUT_BIN, $UNCUT_COMPACTION_BENCH: the binaries to time.) The cluster
# is stopped and removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
blocks="${1:-1000000}"
work="${2:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  chmod 755 "$work"  # the postgres user keeps its cluster there
fi
pgbin="${PGBIN:-/usr/lib/postgresql/15/bin}"
uncut="${UNCUT_BIN:-$root/build/uncut}"
bench="${UNCUT_COMPACTION_BENCH:-$root/build/bench/uncut_compaction_bench}"
trap 'UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" stop "$work/cluster" >/dev/null 2>&1 || true; rm -rf "$work/cluster"' EXIT
UNCUT_CLUSTER_FAST=1 "$root/scripts/cluster.sh" start 3 "$work/cluster" >/dev/null
# shellcheck disable=SC1091
. "$work/cluster/cluster.env"
sql() { "$pgbin/psql" -qAt -h 127.0.0.1 -p "$1" -U "$OWNER" uncut_plan "${@:2}"; }
list=""
for i in 1 2 3 coordinator; do
  [ "$i" = coordinator ] && port=$PORT_coordinator || eval "port=\$PORT_shard$i"
  "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U "$OWNER" uncut_plan
  [ "$i" = coordinator ] || list+="${list:+,}postgresql://$OWNER@127.0.0.1:$port/uncut_plan"
done
uri="postgresql://$OWNER@127.0.0.1:$PORT_coordinator/uncut_plan"
"$uncut" --archive "$uri" init --shards "$list" >/dev/null
batch=$(sql "$PORT_coordinator" -c "SELECT pg_current_xact_id()")
sql "$PORT_coordinator" -c "INSERT INTO index_batches(modality, postings, batch) VALUES (1, $blocks * 512, $batch)"
for i in 1 2 3; do
  eval "port=\$PORT_shard$i"
  tables=$(sql "$port" -c "SELECT tablename FROM pg_tables WHERE tablename LIKE 'postings_p%'")
  count=$(echo "$tables" | wc -l)
  for t in $tables; do
    sql "$port" -c "INSERT INTO $t(modality, span, n, data, batch) SELECT 1, int8range(g * 1000, g * 1000 + 999), 512, '\\x00', $batch FROM generate_series(1, $blocks / 3 / $count) g" -c "VACUUM ANALYZE $t"
  done
done
echo "== planted $(sql "$PORT_coordinator" -c 'SELECT count(*) FROM postings') blocks; uncut compact, nothing due:"
for _ in 1 2 3; do /usr/bin/time -f "%e s, %M KB" "$uncut" --archive "$uri" compact; done
echo "== 4 adds, each compacted as an add compacts"
"$bench" "$uri" levels 4 10 30000
