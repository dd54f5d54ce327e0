#include "bench/load_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace junheng::load {

void OpStats::Merge(const OpStats& other) {
  latency_ms.insert(latency_ms.end(), other.latency_ms.begin(),
                    other.latency_ms.end());
  ok += other.ok;
  bytes += other.bytes;
  for (const auto& [k, v] : other.errors) errors[k] += v;
  throttled += other.throttled;
  throttle_wait_ms += other.throttle_wait_ms;
  cut_off += other.cut_off;
  for (const auto& [k, v] : other.notes) notes[k] += v;
}

int64_t OpStats::ErrorCount() const {
  int64_t n = 0;
  for (const auto& [k, v] : errors) n += v;
  return n;
}

Percentiles ComputePercentiles(std::vector<double>& s) {
  Percentiles p;
  if (s.empty()) return p;
  std::sort(s.begin(), s.end());
  // Nearest rank: the smallest sample with at least q of them at or below.
  auto at = [&s](double q) {
    size_t rank = static_cast<size_t>(std::ceil(q * s.size()));
    return s[std::clamp<size_t>(rank, 1, s.size()) - 1];
  };
  p.p50 = at(0.50);
  p.p95 = at(0.95);
  p.p99 = at(0.99);
  p.max = s.back();
  p.mean = std::accumulate(s.begin(), s.end(), 0.0) / s.size();
  return p;
}

}  // namespace junheng::load
