#!/usr/bin/env bash
# Installs every Debian 12 package uncut needs to build, test and run its demo.
# Safe to run again: it does nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config python3
  libabsl-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libsqlite3-dev libicu-dev libssl-dev zlib1g-dev libxxhash-dev libzip-dev
  libgumbo-dev libgmime-3.0-dev libpoppler-cpp-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libfftw3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg espeak-ng
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "uncut: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
