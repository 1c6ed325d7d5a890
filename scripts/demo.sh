#!/usr/bin/env bash
# The main job on the bundled samples: install what is missing, build, add
# examples/ to a fresh archive, trace sample excerpts and a spliced video
# clip made here with ffmpeg, print the results.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
"$root/scripts/build.sh" "$build" >/dev/null
uncut="$build/uncut"
archive="${UNCUT_DEMO_ARCHIVE:-$root/demo-archive}"
rm -rf "$archive"
export UNCUT_ARCHIVE="$archive"

out="$root/demo-output"
mkdir -p "$out"

echo "== Adding the samples in examples/ to a fresh archive ($archive)"
# Each sample with where it comes from (examples/README.md).
"$uncut" add "$root/examples/text/1941_franklin_d_roosevelt_d.txt" \
  --title "F. D. Roosevelt, Annual Message to Congress, 6 January 1941" \
  --source-url "https://github.com/stdlib-js/datasets-sotu" --captured-at 2024-01-01T00:00:00Z
"$uncut" add "$root/examples/text/press-archive-1941.html" \
  --note "a made-up news page quoting the same speech"
"$uncut" add "$root/examples/text/udhr_eng.txt" "$root/examples/text/udhr_fa.txt" \
  --source-url "https://www.unicode.org/udhr/" --note "Universal Declaration of Human Rights (OHCHR)"
"$uncut" add "$root/examples/media/sintel-trailer.mp4" --title "Sintel, trailer (first 36 s)" \
  --source-url "https://durian.blender.org/" --note "(c) Blender Foundation, CC-BY 3.0"

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

echo
echo "== A video clip circulates. It joins two moments of the trailer (0:04.5-0:08.5 and"
echo "   0:28-0:34), shrunk, letterboxed and re-encoded. Which moments, and what was cut?"
ffmpeg -nostdin -loglevel error -y -i "$root/examples/media/sintel-trailer.mp4" -filter_complex \
  "[0:v]trim=4.5:8.5,setpts=PTS-STARTPTS[v1];[0:a]atrim=4.5:8.5,asetpts=PTS-STARTPTS[a1];
   [0:v]trim=28:34,setpts=PTS-STARTPTS[v2];[0:a]atrim=28:34,asetpts=PTS-STARTPTS[a2];
   [v1][a1][v2][a2]concat=n=2:v=1:a=1[v][a];[v]scale=480:204,pad=480:270:0:33[vo]" \
  -map "[vo]" -map "[a]" -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p \
  -c:a aac -b:a 48k "$out/clip.mp4"
echo
"$uncut" trace "$out/clip.mp4" --html "$out/clip-report.html" || true
echo
echo "The report with the frames of clip and source side by side: $out/clip-report.html"
