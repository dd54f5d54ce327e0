#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   scripts/test.sh [--sanitize=address|thread] [extra ctest arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."

build_args=()
ctest_args=()
dir=build
for arg in "$@"; do
  case "$arg" in
    --sanitize=*) build_args+=("$arg"); dir="build-${arg#--sanitize=}" ;;
    *) ctest_args+=("$arg") ;;
  esac
done

scripts/setup.sh
scripts/build.sh "${build_args[@]}"
# Leak detection is off by default: gRPC's and RocksDB's process-lifetime
# singletons would be reported. Set ASAN_OPTIONS to turn it on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$dir" --output-on-failure -j 2 "${ctest_args[@]}"
