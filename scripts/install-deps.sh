#!/usr/bin/env bash
# Installs every Debian 12 package uncut needs to build, test and run its demo,
# and the browser test's npm packages (tests/browser, from its lockfile).
# Safe to run again: it does nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config python3
  libabsl-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libsqlite3-dev libpq-dev postgresql-15 libicu-dev libssl-dev zlib1g-dev libxxhash-dev libzip-dev
  libgumbo-dev libgmime-3.0-dev libpoppler-cpp-dev libexif-dev
  libtesseract-dev tesseract-ocr-eng tesseract-ocr-fas tesseract-ocr-ara
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libfftw3-dev
  libpocketsphinx-dev pocketsphinx-en-us
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg espeak-ng fonts-dejavu-core wget openssl yt-dlp
  chromium wrk
)
# Node.js and npm for the browser test, unless a Node.js is already installed.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
root="$(cd "$(dirname "$0")/.." && pwd)"

# The browser test's npm packages (playwright-core, which downloads no browser).
install_browser_test_packages() {
  local dir="$root/tests/browser"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "uncut: installing the browser test's npm packages" >&2
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_browser_test_packages
  exit 0
fi
echo "uncut: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_browser_test_packages
