#!/usr/bin/env bash
# Configures and builds Junheng into build/ (or build-<sanitizer>/).
#   scripts/build.sh [--sanitize=address|thread] [cmake targets…]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=""
targets=()
for arg in "$@"; do
  case "$arg" in
    --sanitize=*) sanitize="${arg#--sanitize=}" ;;
    *) targets+=("$arg") ;;
  esac
done

dir=build
type=RelWithDebInfo
if [ -n "$sanitize" ]; then
  case "$sanitize" in address|thread) ;; *)
    echo "build: --sanitize takes address or thread" >&2; exit 2 ;;
  esac
  dir="build-$sanitize"
  type=Debug
fi

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DJUNHENG_SANITIZE="$sanitize" >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
else
  cmake --build "$dir" -j "$jobs"
fi
