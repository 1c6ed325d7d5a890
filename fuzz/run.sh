#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 180), seeded from tests/fixtures/ (media:
# tiny files made with the ffmpeg command in many containers and codecs).
# Crashes are left as fuzz/artifacts/<target>/crash-*.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-180}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(mbox eml pdf subtitles warc wacz media server); fi
"$root/scripts/install-deps.sh"
if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev
fi
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DUNCUT_FUZZ=ON >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")
# Seeds for fuzz_server: requests on one connection ("@TOKEN@" becomes the
# server's token).
server_seeds() {
  local dir="$1" crlf=$'\r\n' auth="Authorization: Bearer @TOKEN@"
  local form="--XyZ${crlf}Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"${crlf}${crlf}The river rose over the northern lock and the inspectors wrote it down.${crlf}--XyZ--${crlf}"
  local json='{"text": "the inspectors wrote it down", "context": 1}'
  printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /app.js HTTP/1.1\r\n\r\nGET /api/status HTTP/1.1\r\n\r\n' > "$dir/page"
  printf 'GET /api/items?q=river&kind=text&limit=5 HTTP/1.1\r\n%s\r\n\r\nGET /api/items/1 HTTP/1.1\r\n%s\r\n\r\n' "$auth" "$auth" > "$dir/items"
  printf 'GET /api/items/1/original HTTP/1.1\r\n%s\r\nRange: bytes=0-3\r\n\r\nGET /api/items/1/text HTTP/1.1\r\n%s\r\n\r\n' "$auth" "$auth" > "$dir/original"
  printf 'POST /api/items HTTP/1.1\r\n%s\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s' "$auth" "${#form}" "$form" > "$dir/add"
  printf 'POST /api/items HTTP/1.1\r\n%s\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n' "$auth" "${#form}" "$form" > "$dir/add-chunked"
  printf 'POST /api/trace HTTP/1.1\r\n%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' "$auth" "${#json}" "$json" > "$dir/trace"
  printf 'GET /api/jobs HTTP/1.1\r\n%s\r\n\r\nGET /api/traces/1.json HTTP/1.1\r\n%s\r\n\r\nDELETE /api/items/9 HTTP/1.1\r\n%s\r\n\r\n' "$auth" "$auth" "$auth" > "$dir/jobs"
}
# Seeds for fuzz_media: one second or less of picture and sound, small.
media_seeds() {
  local dir="$1" v a
  v=(-f lavfi -i "testsrc2=size=64x48:rate=10:duration=1")
  a=(-f lavfi -i "sine=frequency=440:sample_rate=8000:duration=1")
  ff() { ffmpeg -nostdin -loglevel error -y "$@" || true; }
  ff "${v[@]}" "${a[@]}" -c:v libx264 -preset ultrafast -c:a aac -b:a 16k "$dir/seed.mp4"
  ff "${v[@]}" "${a[@]}" -c:v libx264 -preset ultrafast -c:a aac -b:a 16k -f mpegts "$dir/seed.ts"
  ff "${v[@]}" "${a[@]}" -c:v libvpx -b:v 50k -c:a libopus -b:a 12k "$dir/seed.webm"
  ff "${v[@]}" "${a[@]}" -c:v mpeg4 -c:a mp3 -b:a 16k "$dir/seed.avi"
  ff "${v[@]}" "${a[@]}" -c:v mjpeg -q:v 20 -c:a pcm_s16le "$dir/seed.mkv"
  ff "${v[@]}" -c:v libtheora -q:v 1 "$dir/seed.ogv"
  ff "${v[@]}" -c:v mpeg2video -f mpeg "$dir/seed.mpg"
  ff "${v[@]}" -frames:v 2 -pix_fmt yuv420p "$dir/seed.y4m"
  ff "${v[@]}" -frames:v 3 "$dir/seed.gif"
  ff "${a[@]}" -c:a libmp3lame -b:a 8k "$dir/seed.mp3"
  ff "${a[@]}" -c:a flac "$dir/seed.flac"
  ff "${a[@]}" -c:a libvorbis -q:a 0 "$dir/seed.ogg"
  ff "${a[@]}" -c:a pcm_u8 "$dir/seed.wav"
  ff "${a[@]}" -c:a aac -b:a 16k "$dir/seed.m4a"
}
seed() {  # seed corpus for a target
  case "$1" in
    mbox|eml) printf 'From a@b Tue Aug 20 12:00:00 2002\nFrom: a@b\nSubject: s\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nHello caf=E9 br=\nidge\n> quoted\n' ;;
    subtitles) printf '1\n00:00:01,000 --> 00:00:02,000\n<i>Hello</i> &amp; bye\n\n2\n00:00:03.000 --> 00:00:04.000\n<v Ann>Again\n' ;;
  esac
}
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$root/fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seed "$t" > "$corpus/seed-text"
  case "$t" in
    pdf) cp "$root"/tests/fixtures/pdf/*.pdf "$corpus/" ;;
    warc) cp "$root"/tests/fixtures/web/*.warc.gz "$corpus/"; zcat "$root/tests/fixtures/web/capture.warc.gz" > "$corpus/capture.warc" ;;
    media) media_seeds "$corpus" ;;
    server) server_seeds "$corpus" ;;
  esac
  echo "== fuzz_$t for ${seconds}s"
  "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" || true
done
