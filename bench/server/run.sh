#!/usr/bin/env bash
# Load check of `uncut serve`: many concurrent traces and listings against a
# server on a sample archive, with wrk (Debian's package). Reports
# throughput, p50/p99 latency, errors and the server's peak memory.
#
# Usage: bench/server/run.sh [DURATION_S] [CONNECTIONS] [DOCS]
#        SLOW=200 bench/server/run.sh ...  (the list mix, alone and then while
#        200 slow clients dribble headers; see slow_clients.py)
# Sends traffic to 127.0.0.1 only, for a bounded time. Not part of the tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
duration="${1:-15}"
connections="${2:-32}"
docs="${3:-1000}"
uncut="${UNCUT_BIN:-$root/build/uncut}"
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh installs it" >&2; exit 2; }
[ -x "$uncut" ] || { echo "build uncut first (scripts/build.sh)" >&2; exit 2; }

work="$(mktemp -d /tmp/uncut-load-XXXXXX)"
server_pid=""
slow_pid=""
slow="${SLOW:-0}"
cleanup() {
  if [ -n "$slow_pid" ]; then kill "$slow_pid" 2>/dev/null || true; wait "$slow_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$root/bench/server/make_corpus.py" "$work" "$docs"
"$uncut" --quiet --archive "$work/archive" add "$root/examples/text" "$work/docs"
items=$("$uncut" --archive "$work/archive" list | wc -l)
size=$(du -sh "$work/archive" | cut -f1)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$uncut" --quiet --archive "$work/archive" serve --listen "127.0.0.1:$port" --threads 64 \
  > "$work/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$work/serve.out" || { cat "$work/serve.out"; exit 1; }
export TOKEN="$(cat "$work/archive/server-token")" QUOTES="$work/quotes.txt"

echo "uncut $("$uncut" --version) | archive: $items items, $size | $(nproc) cores"
echo "wrk -t2 -c$connections -d${duration}s --latency, per mix:"
printf '%-9s %10s %10s %10s %10s %8s %8s %8s %9s\n' mix requests req/s p50 p99 non2xx sockerr failed not_found
mixes=(list trace mixed)
[ "$slow" -gt 0 ] && mixes=(list list+slow)
for run in "${mixes[@]}"; do
  mix="${run%+slow}"
  if [ "$run" != "$mix" ]; then
    python3 "$root/bench/server/slow_clients.py" "$port" "$slow" "$((duration + 3))" \
      > "$work/slow.out" &
    slow_pid=$!
    sleep 2  # let them all connect and start dribbling
  fi
  out=$(MIX=$mix wrk -t2 -c"$connections" -d"${duration}s" --latency --timeout 30s \
        -s "$root/bench/server/load.lua" "http://127.0.0.1:$port")
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  sockerr=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  failed=$(echo "$out" | awk '/failed_jobs/ {print $2}')
  not_found=$(echo "$out" | awk '/^not_found/ {print $2}')
  printf '%-9s %10s %10s %10s %10s %8s %8s %8s %9s\n' "$run" "$reqs" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "${sockerr:-0}" "${failed:-0}" "${not_found:-0}"
  if [ -n "$slow_pid" ]; then wait "$slow_pid"; slow_pid=""; cat "$work/slow.out"; fi
done
echo "server peak memory (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")"
"$uncut" --quiet --archive "$work/archive" verify && echo "archive verifies after the run"
