#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan) into
# build-fuzz/ and runs each for a while on its corpus.
#   scripts/fuzz.sh [--seconds N] [--merge] [target…]
#
# --seconds N  how long each target runs (default 60)
# --merge      afterwards, add to tests/fuzz/corpus/<target>/ the fewest new
#              inputs that reach code the corpus does not
# target…      some of: csv_import_fuzz standard_loader_fuzz
#              resource_name_fuzz upload_header_fuzz (default: all)
#
# New inputs go to build-fuzz/corpus/<target>/, never into the repository
# unless --merge; crash, hang, leak and out-of-memory reproducers go to
# build-fuzz/artifacts/<target>/. Exits 1 if any target failed, printing the
# reproducer; copy it into tests/fuzz/corpus/<target>/ with the fix, so that
# ctest replays it on every scripts/test.sh run.
#
# The build takes /tmp/junheng-build.lock (JUNHENG_BUILD_LOCK), so that it
# does not compete with other builds on a shared machine; the fuzzing itself
# runs one process per target, one target at a time, without the lock.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(csv_import_fuzz standard_loader_fuzz resource_name_fuzz
             upload_header_fuzz)
seconds=60
merge=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds takes a number}"; shift ;;
    --seconds=*) seconds="${1#--seconds=}" ;;
    --merge) merge=1 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *)
      if [[ " ${all_targets[*]} " != *" $1 "* ]]; then
        echo "fuzz: unknown target $1 (one of: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$1") ;;
  esac
  shift
done
case "$seconds" in ''|*[!0-9]*)
  echo "fuzz: --seconds takes a whole number" >&2; exit 2 ;;
esac
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# The longest input worth trying: a name is at most 256 bytes (more shows the
# cap), a header a few hundred; a standard file is up to ~20 KiB.
max_len() {
  case "$1" in
    csv_import_fuzz) echo 16384 ;;
    standard_loader_fuzz) echo 32768 ;;
    resource_name_fuzz) echo 512 ;;
    upload_header_fuzz) echo 4096 ;;
  esac
}

scripts/setup.sh

# clang and libFuzzer's runtime, the same way setup.sh installs the rest.
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

dir=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DJUNHENG_FUZZ=ON \
  >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
flock "${JUNHENG_BUILD_LOCK:-/tmp/junheng-build.lock}" \
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"

# Leaks are bugs here: every input must give back what it took.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for t in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$t"
  scratch="$dir/corpus/$t"
  artifacts="$dir/artifacts/$t"
  log="$dir/logs/$t.log"
  mkdir -p "$scratch" "$artifacts" "$dir/logs"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  start=$(date +%s)
  rc=0
  # The scratch directory comes first: libFuzzer writes new inputs there.
  # One process (no -jobs: with it libFuzzer forks and logs to ./fuzz-N.log).
  "$dir/bin/$t" "$scratch" "$corpus" -max_total_time="$seconds" \
    -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
  grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' \
    "$log" | sed "s/^/fuzz: $t: /" || true
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc); the end of its log:" >&2
    tail -n 40 "$log" >&2
    # The reproducers written during this run.
    find "$artifacts" -type f -newermt "@$start" -printf 'fuzz: reproducer: %p\n' >&2
    echo "fuzz: replay with $dir/bin/$t REPRODUCER" >&2
    continue
  fi
  if [ "$merge" -eq 1 ]; then
    before=$(find "$corpus" -type f | wc -l)
    # Edges only (no hit counts) and a greedy set cover: the fewest inputs
    # that reach the same code, so the corpus in the repository stays small.
    "$dir/bin/$t" -set_cover_merge=1 -use_counters=0 \
      -max_len="$(max_len "$t")" "$corpus" "$scratch" \
      >"$dir/logs/$t.merge.log" 2>&1
    after=$(find "$corpus" -type f | wc -l)
    echo "fuzz: $t: merged $((after - before)) new inputs into $corpus"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no failures"
