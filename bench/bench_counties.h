// The counties the benchmarks evaluate: the source tree's standards, and a
// deterministic generator of counties (a fixed-seed std::mt19937 used
// through its raw 32-bit outputs, not library distributions whose results
// differ between standard libraries), so every run evaluates the same
// schools. About one figure in seven is drawn below its threshold and one
// in forty left blank, so verdicts carry failing and not-reported items as
// real ones do.
#ifndef JUNHENG_BENCH_BENCH_COUNTIES_H_
#define JUNHENG_BENCH_BENCH_COUNTIES_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "checklist_service/evaluator/stats.h"
#include "checklist_service/standard/standard_loader.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// The source tree's standards (JUNHENG_STANDARDS_DIR overrides where they
// are read from); exits with the reason when they do not load.
const StandardMap& Standards();

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  // One figure in `n` is left blank; 0: none (a county a planner can plan
  // completely).
  void set_blank_one_in(uint32_t n) { blank_one_in_ = n; }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng_()) / 4294967296.0);
  }
  bool OneIn(uint32_t n) { return rng_() % n == 0; }

  // A figure per student around `threshold`: usually 1.0–1.6 times it,
  // one time in seven 0.8–1.0 times it.
  double Around(double threshold) {
    return threshold * (OneIn(7) ? Uniform(0.8, 1.0) : Uniform(1.0, 1.6));
  }

  template <typename T>
  std::optional<T> Maybe(T value) {
    if (blank_one_in_ > 0 && OneIn(blank_one_in_)) return std::nullopt;
    return value;
  }

  LevelStats Part(int64_t students, bool primary);
  SchoolStats School(const std::string& county, int index);
  // A county of `schools` schools, with a judgement for every indicator of
  // `standard` that needs one and every veto item.
  CountyInput County(const std::string& code, int schools,
                     const junheng::v1::IndicatorStandard& standard);

 private:
  std::mt19937 rng_;
  uint32_t blank_one_in_ = 40;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_BENCH_BENCH_COUNTIES_H_
