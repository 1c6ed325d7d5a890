#!/usr/bin/env bash
# A local PostgreSQL cluster for an uncut archive: N shard servers and a
# coordinator, for tests, benchmarks and a first try (docs/cluster.md says how
# to deploy one for real).
#
#   scripts/cluster.sh start N DIR   initdb + start N shards and a coordinator
#                                    under DIR, create the archive's schema
#                                    (uncut init), print its URI last
#   scripts/cluster.sh stop DIR      stop them (the data stays under DIR)
#   scripts/cluster.sh status DIR    say which servers run; print the URI last
#
# Servers listen on free TCP ports of 127.0.0.1 only and on a private socket
# directory (DIR/sockets), with trust authentication for those local
# connections. Run as root, the data directories belong to the `postgres`
# user and the servers run as it. The uncut binary is $UNCUT_BIN, else
# build/uncut of this checkout, else `uncut` on the PATH.
# UNCUT_CLUSTER_FAST=1 turns fsync off (tests: the data need not survive a
# power cut); UNCUT_CLUSTER_INIT=0 leaves the database `uncut` of each server
# empty (tests make an archive of their own per test).
set -euo pipefail

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
root="$(cd "$(dirname "$0")/.." && pwd)"

die() { echo "cluster.sh: $*" >&2; exit 1; }

usage() {
  echo "usage: scripts/cluster.sh start N DIR | stop DIR | status DIR" >&2
  exit 2
}

# Runs a command as the servers' owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

owner_name() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

uncut_binary() {
  if [ -n "${UNCUT_BIN:-}" ]; then
    echo "$UNCUT_BIN"
  elif [ -x "$root/build/uncut" ]; then
    echo "$root/build/uncut"
  elif command -v uncut >/dev/null 2>&1; then
    command -v uncut
  else
    die "no uncut binary (set UNCUT_BIN, or build it: scripts/build.sh build)"
  fi
}

# N free TCP ports on 127.0.0.1, held open together so they differ.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# The names of the servers under DIR: coordinator, shard1..shardN.
servers() {
  local dir="$1"
  [ -f "$dir/cluster.env" ] || die "$dir: no cluster here (no cluster.env)"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  echo coordinator
  for i in $(seq 1 "$SHARDS"); do echo "shard$i"; done
}

start_server() {
  local dir="$1" name="$2" port="$3"
  local data="$dir/$name"
  if [ ! -f "$data/PG_VERSION" ]; then
    local sync=()
    [ "${UNCUT_CLUSTER_FAST:-}" = 1 ] && sync=(--no-sync)
    as_owner "$PGBIN/initdb" -D "$data" -A trust -E UTF8 --locale=C "${sync[@]}" >"$dir/$name.initdb.log" 2>&1 ||
      die "$name: initdb failed (see $dir/$name.initdb.log)"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $port"
      echo "unix_socket_directories = '$dir/sockets'"
      echo "shared_buffers = 32MB"
      echo "max_connections = 200"
      echo "max_worker_processes = 8"
      echo "logging_collector = off"
      if [ "${UNCUT_CLUSTER_FAST:-}" = 1 ]; then
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
      fi
    } | as_owner tee -a "$data/postgresql.conf" >/dev/null
  fi
  as_owner "$PGBIN/pg_ctl" -D "$data" -l "$dir/$name.log" -w -t 120 start >/dev/null ||
    die "$name: the server did not start (see $dir/$name.log)"
}

uri_of() {  # port
  echo "postgresql://$(owner_name)@127.0.0.1:$1/uncut"
}

cmd_start() {
  local n="$1" dir="$2"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number of shard servers, not \"$n\""
  [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb: PostgreSQL 15 is not installed (scripts/install-deps.sh)"
  [ -e "$dir/cluster.env" ] && die "$dir: a cluster is already there (scripts/cluster.sh status $dir)"
  local bin=""
  [ "${UNCUT_CLUSTER_INIT:-1}" = 0 ] || bin="$(uncut_binary)"
  mkdir -p "$dir/sockets"
  dir="$(cd "$dir" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir" "$dir/sockets"
    runuser -u postgres -- test -x "$dir" ||
      die "$dir: the postgres user cannot reach this directory (a parent is not searchable)"
  fi
  chmod 700 "$dir/sockets"
  read -r -a ports <<<"$(free_ports $((n + 1)))"
  {
    echo "SHARDS=$n"
    echo "OWNER=$(owner_name)"
    echo "PORT_coordinator=${ports[0]}"
    for i in $(seq 1 "$n"); do echo "PORT_shard$i=${ports[$i]}"; done
  } >"$dir/cluster.env"
  local names=(coordinator)
  for i in $(seq 1 "$n"); do names+=("shard$i"); done
  local shard_uris=()
  for i in "${!names[@]}"; do
    local name="${names[$i]}" port="${ports[$i]}"
    start_server "$dir" "$name" "$port"
    as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U "$(owner_name)" uncut ||
      die "$name: cannot create the database"
    [ "$i" -gt 0 ] && shard_uris+=("$(uri_of "$port")")
  done
  local uri shards
  uri="$(uri_of "${ports[0]}")"
  shards="$(IFS=,; echo "${shard_uris[*]}")"
  if [ -n "$bin" ]; then
    "$bin" init --archive "$uri" --shards "$shards" >&2 || die "uncut init failed on $uri"
  fi
  echo "URI=$uri" >>"$dir/cluster.env"
  echo "$uri"
}

cmd_stop() {
  local dir="$1" failed=0
  [ -d "$dir" ] && dir="$(cd "$dir" && pwd)"
  for name in $(servers "$dir"); do
    if [ -f "$dir/$name/postmaster.pid" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$dir/$name" -m fast -w -t 120 stop >/dev/null || failed=1
    fi
  done
  return $failed
}

cmd_status() {
  local dir="$1" down=0
  [ -d "$dir" ] && dir="$(cd "$dir" && pwd)"
  [ -f "$dir/cluster.env" ] || die "$dir: no cluster here (no cluster.env)"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  for name in $(servers "$dir"); do
    local var="PORT_$name"
    if as_owner "$PGBIN/pg_ctl" -D "$dir/$name" status >/dev/null 2>&1; then
      echo "$name: running on 127.0.0.1:${!var}"
    else
      echo "$name: stopped (port ${!var})"
      down=1
    fi
  done
  echo "${URI:-}"
  return $down
}

[ $# -ge 1 ] || usage
case "$1" in
  start) [ $# -eq 3 ] || usage; cmd_start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
  status) [ $# -eq 2 ] || usage; cmd_status "$2" ;;
  *) usage ;;
esac
