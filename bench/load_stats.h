// What junheng-load records per operation kind: every latency sample, bytes
// moved, errors by gRPC status code, and the RESOURCE_EXHAUSTED answers
// that carried a retry hint ("throttled"), which are a server asking the
// client to slow down and so are not errors.
//
// Each client thread keeps its own OpStats per kind (no sharing while the
// load runs); Merge() folds them together at the end.
#ifndef JUNHENG_BENCH_LOAD_STATS_H_
#define JUNHENG_BENCH_LOAD_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace junheng::load {

struct OpStats {
  std::vector<double> latency_ms;  // completed calls, success or error
  int64_t ok = 0;
  int64_t bytes = 0;  // bytes of successful calls
  // Error label (gRPC code name, or SHA256_MISMATCH) -> count.
  std::map<std::string, int64_t> errors;
  int64_t throttled = 0;
  int64_t throttle_wait_ms = 0;
  // Calls still running when the drain time ran out, cancelled by the tool.
  int64_t cut_off = 0;
  // Kind-specific remarks (e.g. evaluations whose evidence status was
  // unknown) -> count.
  std::map<std::string, int64_t> notes;

  void Merge(const OpStats& other);
  int64_t ErrorCount() const;
};

struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
};
// Sorts `samples`.
Percentiles ComputePercentiles(std::vector<double>& samples);

}  // namespace junheng::load

#endif  // JUNHENG_BENCH_LOAD_STATS_H_
