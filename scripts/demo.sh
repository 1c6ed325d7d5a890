#!/usr/bin/env bash
# The main job on the bundled samples: install what is missing, build, add
# examples/ to a fresh archive, trace sample excerpts, print the results.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
"$root/scripts/build.sh" "$build" >/dev/null
uncut="$build/uncut"
archive="${UNCUT_DEMO_ARCHIVE:-$root/demo-archive}"
rm -rf "$archive"
export UNCUT_ARCHIVE="$archive"

echo "== Adding the samples in examples/ to a fresh archive ($archive)"
"$uncut" add "$root/examples/text" \
  --source-url "https://github.com/stdlib-js/datasets-sotu" --captured-at 2024-01-01T00:00:00Z

echo
echo "== A quote circulates. Where is it from, and what did it leave out or change?"
quote='In the future days, which we seek to make secure, we look forward to a world founded upon four essential human freedoms. The first is freedom of speech and expression ... The third is freedom from fear'
echo "   \"$quote\""
echo
"$uncut" trace --text "$quote" || true

echo
echo "== A Persian quote, typed with Arabic letters and without the zero-width non-joiners:"
fa='همه افراد بشر آزاد بدنيا مي آيند و از لحاظ حيثيت و حقوق با هم برابرند'
echo "   \"$fa\""
echo
"$uncut" trace --text "$fa" || true
