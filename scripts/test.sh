#!/usr/bin/env bash
# Builds uncut and runs the whole test suite (unit and end-to-end tests).
# Usage: scripts/test.sh [ctest arguments...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
"$root/scripts/build.sh" "$build"
cd "$build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 600 "$@"
