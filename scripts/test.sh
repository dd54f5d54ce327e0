#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   scripts/test.sh [--sanitize=address|thread] [extra ctest arguments…]
# --sanitize=address runs the whole suite under ASan + UBSan. thread runs
# the in-process concurrency tests (the archive store's concurrent uploads
# and commits, the two-thread upload pipeline, the checklist's worker pool)
# under TSan: Debian's gRPC is
# not built with TSan, and tests through it drown in reports from inside it
# (RELIABILITY.md).
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

thread_tests=(rocks_store_test upload_pipeline_test in_order_test)
[ "$dir" = build-thread ] && build_args+=("${thread_tests[@]}")

scripts/setup.sh
# The archive's S3 tests start a real single-node Ceph (scripts/ceph.sh).
[ "$dir" = build-thread ] || scripts/ceph.sh install
scripts/build.sh "${build_args[@]}"
# The web console's npm packages (npm ci from the lock file) and its build,
# for the browser tests (tests/web, ctest test Web.console).
[ "$dir" = build-thread ] || scripts/console.sh
# Leak detection is off by default: gRPC's and RocksDB's process-lifetime
# singletons would be reported. Set ASAN_OPTIONS to turn it on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-second_deadlock_stack=1 suppressions=$(pwd)/tests/tsan.supp}"
if [ "$dir" = build-thread ] && [ ${#ctest_args[@]} -eq 0 ]; then
  ctest_args=(-R '^(StoreTest|PipelineTest|RunInOrderTest|WorkerPoolTest)\.')
fi
ctest --test-dir "$dir" --output-on-failure -j 2 "${ctest_args[@]}"
