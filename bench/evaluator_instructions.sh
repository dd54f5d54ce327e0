#!/usr/bin/env bash
# Instructions one county evaluation executes, counted by callgrind: a figure
# that does not move with the machine's load, for comparing two builds of the
# evaluator when wall times swing by half from one minute to the next (as on
# this kind of shared two-core machine). Wall times stay the measure of the
# targets (junheng-evaluator-bench); this says whether a change did less work.
#
#   bench/evaluator_instructions.sh [bench binary …]
#
# Each binary defaults to build/bin/junheng-evaluator-bench; give an old and
# a new build to compare them. Counted: one EvaluateCounty of the bench's
# county of 300 schools (2017 and 2012) and the destruction of its verdict.
# Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 2; }
[ $# -gt 0 ] || set -- build/bin/junheng-evaluator-bench

# This tree's standards, for binaries built elsewhere too.
export JUNHENG_STANDARDS_DIR="$PWD/standards"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for bench in "$@"; do
  [ -x "$bench" ] || { echo "$bench: not an executable" >&2; exit 2; }
  for case in BM_EvaluateCounty2017 BM_EvaluateCounty2012; do
    # One iteration (the first run is long enough for any minimum time), and
    # symbols bound at load so that no lazy binding is counted.
    LD_BIND_NOW=1 valgrind --tool=callgrind --dump-instr=no \
      --callgrind-out-file="$out/cg" \
      --toggle-collect='junheng::checklist::EvaluateCounty(*' \
      --toggle-collect='junheng::checklist::CountyVerdict::~CountyVerdict*' \
      "$bench" --benchmark_filter="^$case/" --benchmark_min_time=0.000001 \
      > "$out/stdout" 2> "$out/stderr" || {
      cat "$out/stderr" >&2
      exit 1
    }
    iterations=$(awk -v c="$case/" 'index($1, c) == 1 {print $6}' \
      "$out/stdout")
    total=$(awk '/^summary:/ {print $2}' "$out/cg")
    awk -v b="$bench" -v c="$case" -v t="$total" -v i="$iterations" \
      'BEGIN {printf "%-22s %10.0f instructions a county  %s\n", c, t / i, b}'
  done
done
