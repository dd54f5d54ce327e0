#!/usr/bin/env bash
# Installs the Debian 12 packages Junheng builds with. Idempotent: runs
# apt-get only when something is missing, and refreshes the package lists
# first (a fresh machine has none).
set -euo pipefail

packages=(
  g++ make cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libssl-dev libgmp-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl
  libzip-dev libexpat1-dev libxlsxwriter-dev
  # junheng-web: the HTTP server (clients/web/)
  libcpp-httplib-dev
  # tests: workbooks written by another program, the report printed to PDF
  python3-openpyxl chromium poppler-utils fonts-noto-cjk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
