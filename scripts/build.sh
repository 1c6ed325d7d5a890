#!/usr/bin/env bash
# Builds uncut into BUILD_DIR (default: build). Installs dependencies first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
type="${UNCUT_BUILD_TYPE:-RelWithDebInfo}"
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="$type" ${UNCUT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" --parallel "$(nproc)"
