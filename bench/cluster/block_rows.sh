#!/usr/bin/env bash
# What keeping posting blocks in their rows (toast_tuple_target, see
# docs/cluster.md "Layout") saves a lookup, on a shard of a grown archive:
#   bench/cluster/block_rows.sh SHARD_URI [MODALITY] [KEYS] [REPEAT]
#
# SHARD_URI: a shard server's database (e.g. the one bench/cluster/scale
# grows; the shards' ports are in its cluster.env). Copies the blocks of
# MODALITY (default 3, pictures) of the shard's largest postings partition
# into two scratch tables, one as PostgreSQL stores rows by default (a row
# over ~2 KiB moves its data to the TOAST relation) and one with
# toast_tuple_target = 8160 (what uncut makes), takes the first keys of KEYS
# random blocks (default 45,000, about what a 27 s clip's picture lookup asks
# of one shard at 1,000 synthetic hours) and times the lookup's statement on
# each table REPEAT times (default 3), alternating: EXPLAIN ANALYZE's
# execution time, the blocks' bytes read (get_byte forces them to be
# fetched). The scratch tables are dropped at the end.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/cluster/block_rows.sh SHARD_URI [MODALITY] [KEYS] [REPEAT]" >&2; exit 2; }
uri="$1"
modality="${2:-3}"
keys="${3:-45000}"
repeat="${4:-3}"
sql() { psql -qAt "$uri" -c "$1"; }
trap 'sql "DROP TABLE IF EXISTS bench_rows_out, bench_rows_in, bench_rows_keys" >/dev/null 2>&1 || true' EXIT
part="$(sql "SELECT relname FROM pg_class WHERE relname LIKE 'postings_p%' AND relkind = 'r'
             ORDER BY pg_total_relation_size(oid) DESC LIMIT 1")"
[ -n "$part" ] || { echo "block_rows.sh: $uri holds no postings partition" >&2; exit 2; }
sql "CREATE TABLE bench_rows_out (LIKE $part INCLUDING INDEXES) WITH (toast_tuple_target = 2032)"
sql "CREATE TABLE bench_rows_in (LIKE $part INCLUDING INDEXES) WITH (toast_tuple_target = 8160)"
for t in bench_rows_out bench_rows_in; do
  sql "INSERT INTO $t SELECT modality, span, n, data || ''::bytea, batch FROM $part WHERE modality = $modality"
  sql "ANALYZE $t"
done
sql "CREATE TABLE bench_rows_keys AS SELECT lower(span) AS f FROM bench_rows_in ORDER BY random() LIMIT $keys"
echo "partition $part, modality $modality: $(sql "SELECT count(*) FROM bench_rows_in") blocks of \
$(sql "SELECT avg(octet_length(data))::int FROM bench_rows_in") bytes on average; \
TOAST relation: $(sql "SELECT pg_size_pretty(pg_relation_size(reltoastrelid)) FROM pg_class WHERE relname = 'bench_rows_out'") \
out of line, $(sql "SELECT pg_size_pretty(pg_relation_size(reltoastrelid)) FROM pg_class WHERE relname = 'bench_rows_in'") in the rows"
for _ in $(seq "$repeat"); do
  for t in bench_rows_out bench_rows_in; do
    ms="$(sql "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON)
      WITH keys AS MATERIALIZED (SELECT range_agg(int8range(f, f, '[]')) AS m FROM bench_rows_keys)
      SELECT sum(get_byte(data, 5)) FROM $t WHERE modality = $modality AND span && (SELECT m FROM keys)" |
      sed -n 's/^Execution Time: \(.*\) ms$/\1/p')"
    echo "$([ $t = bench_rows_out ] && echo 'out of line' || echo 'in the rows'): $ms ms"
  done
done
