// Benchmarks of the pure evaluator, as a library call (no RPC, no storage).
//
//   BM_EvaluateCounty2017/300      one county of 300 schools against
//                                  moe-2017-quality: every school's R1–R7 and
//                                  per-school checks, 14 coefficients, the
//                                  county indicators, judgements and vetoes.
//                                  Target (issue 10): under 0.3 ms. The
//                                  standard and the input are checked once
//                                  before the timed loop, as the service checks
//                                  a standard and a snapshot when it loads
//                                  them and not at each evaluation.
//   BM_EvaluateCounty2012/300      the same county against moe-2012-basic
//                                  (16 coefficients and the composites).
//   BM_EvaluateProvince2017/20000  a province of 20,000 schools in counties of
//                                  300, evaluated one county after another, as
//                                  EvaluateProvince will. Target (issue 10):
//                                  under 15 ms.
//   BM_CheckCountyInput/300        the check of the same county's input on
//                                  its own: what EvaluateCounty on an
//                                  unchecked input adds (and CheckEvaluable of
//                                  the standard, a few microseconds).
//   BM_CoefficientsOnly/300        baseline in the same run: only the 14
//                                  weighted coefficients over the same number
//                                  of school parts, i.e. the arithmetic floor
//                                  of a county evaluation; the gap to
//                                  BM_EvaluateCounty2017 is verdict assembly
//                                  (reasons, shortfalls, copies).
//   BM_PlanCounty2017/300          the rectification planner on a county of
//                                  300 without blanks; x_evaluation: its time
//                                  over one evaluation of the same county.
//   BM_PlanProvince2017/20000      the planner over a province, county by
//                                  county.
//
// Counters: schools/s; x_floor, the case's time per iteration over that of
// the bare coefficients of a county (BM_CoefficientsOnly/300), measured in
// the same process just before, so a busy machine moves both; and
// peak_rss_mb, the process's peak resident memory so far (getrusage).
//
// The counties are bench_counties.h's: the same schools in every run.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_counties.h"
#include "benchmark/benchmark.h"
#include "checklist_service/evaluator/coefficient.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/planner/planner.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// The bare coefficients of a county of 300 schools: the arithmetic floor of
// its evaluation, in seconds per county (best of five timed batches).
std::vector<WeightedValue> FloorValues();

double FloorSeconds() {
  static const double kSeconds = [] {
    const std::vector<WeightedValue> values = FloorValues();
    double best = 1e9;
    for (int batch = 0; batch < 5; ++batch) {
      constexpr int kRounds = 2000;
      const auto start = std::chrono::steady_clock::now();
      for (int round = 0; round < kRounds; ++round) {
        for (int indicator = 0; indicator < 14; ++indicator) {
          benchmark::DoNotOptimize(DifferenceCoefficient(values));
        }
      }
      const std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start;
      best = std::min(best, took.count() / kRounds);
    }
    return best;
  }();
  return kSeconds;
}

// Sets x_floor from the wall time of `iterations` runs of the case.
void SetFloorRatio(benchmark::State& state, double seconds,
                   double counties_per_iteration) {
  const double per_iteration =
      seconds / static_cast<double>(state.iterations());
  state.counters["x_floor"] =
      per_iteration / (FloorSeconds() * counties_per_iteration);
}

void SetCounters(benchmark::State& state, int64_t schools) {
  state.counters["schools/s"] =
      benchmark::Counter(static_cast<double>(schools),
                         benchmark::Counter::kIsIterationInvariantRate);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024;
}

void EvaluateCountyBench(benchmark::State& state, const char* standard_id) {
  const v1::IndicatorStandard& standard = Standards().at(standard_id);
  const int schools = static_cast<int>(state.range(0));
  const CountyInput input =
      Generator(20250901).County("330106", schools, standard);
  const absl::StatusOr<CheckedStandard> checked_standard =
      CheckedStandard::Check(standard);
  const absl::StatusOr<CheckedCountyInput> checked =
      CheckedCountyInput::Check(input);
  if (!checked_standard.ok() || !checked.ok()) {
    state.SkipWithError("the standard or the county does not check");
    return;
  }
  int failing = 0;
  FloorSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    CountyVerdict verdict = EvaluateCounty(*checked_standard, *checked);
    failing = static_cast<int>(verdict.failing_items.size());
    benchmark::DoNotOptimize(verdict);
  }
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  SetFloorRatio(state, took.count(), 1);
  state.counters["failing_items"] = failing;
  SetCounters(state, schools);
}

void BM_EvaluateCounty2017(benchmark::State& state) {
  EvaluateCountyBench(state, "moe-2017-quality");
}
BENCHMARK(BM_EvaluateCounty2017)->Arg(300)->Unit(benchmark::kMillisecond);

void BM_EvaluateCounty2012(benchmark::State& state) {
  EvaluateCountyBench(state, "moe-2012-basic");
}
BENCHMARK(BM_EvaluateCounty2012)->Arg(300)->Unit(benchmark::kMillisecond);

void BM_CheckCountyInput(benchmark::State& state) {
  const v1::IndicatorStandard& standard = Standards().at("moe-2017-quality");
  const int schools = static_cast<int>(state.range(0));
  const CountyInput input =
      Generator(20250901).County("330106", schools, standard);
  FloorSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    absl::Status status = CheckCountyInput(input);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(status);
  }
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  SetFloorRatio(state, took.count(), 1);
  SetCounters(state, schools);
}
BENCHMARK(BM_CheckCountyInput)->Arg(300)->Unit(benchmark::kMillisecond);

void BM_EvaluateProvince2017(benchmark::State& state) {
  const v1::IndicatorStandard& standard = Standards().at("moe-2017-quality");
  const int total = static_cast<int>(state.range(0));
  constexpr int kPerCounty = 300;
  Generator generator(20250902);
  std::vector<CountyInput> counties;
  for (int done = 0, n = 0; done < total; done += kPerCounty, ++n) {
    counties.push_back(generator.County(absl::StrCat(330100 + n),
                                        std::min(kPerCounty, total - done),
                                        standard));
  }
  // Checked once, as the service checks the standard when it loads it and
  // each county's snapshot when it loads that.
  const absl::StatusOr<CheckedStandard> checked_standard =
      CheckedStandard::Check(standard);
  if (!checked_standard.ok()) {
    state.SkipWithError(
        std::string(checked_standard.status().message()).c_str());
    return;
  }
  std::vector<CheckedCountyInput> checked;
  for (const CountyInput& county : counties) {
    absl::StatusOr<CheckedCountyInput> c = CheckedCountyInput::Check(county);
    if (!c.ok()) {
      state.SkipWithError(std::string(c.status().message()).c_str());
      return;
    }
    checked.push_back(*c);
  }
  FloorSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const CheckedCountyInput& county : checked) {
      CountyVerdict verdict = EvaluateCounty(*checked_standard, county);
      benchmark::DoNotOptimize(verdict);
    }
  }
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  // The floor of a province: one county's coefficients per 300 schools.
  SetFloorRatio(state, took.count(), static_cast<double>(total) / kPerCounty);
  state.counters["counties"] = static_cast<double>(counties.size());
  SetCounters(state, total);
}
BENCHMARK(BM_EvaluateProvince2017)->Arg(20000)->Unit(benchmark::kMillisecond);

// Planning: the same generator without blanks, so every gap can be planned.
// x_evaluation is the plan's time over one evaluation of the same county,
// measured in the same run: the planner re-evaluates after each step, so
// this is roughly the number of evaluations a plan costs.
CostModel BenchCosts() {
  CostModel costs;
  for (Quantity q :
       {Quantity::kTeachersAboveDegree, Quantity::kBackboneTeachers,
        Quantity::kPeArtTeachers, Quantity::kTeachingArea,
        Quantity::kSportsArea, Quantity::kEquipmentValue,
        Quantity::kMultimediaClassrooms}) {
    costs.unit_cost_yuan[q] = 1000;
  }
  costs.rotation_cost_yuan = 100;
  return costs;
}

double EvaluationSeconds(const v1::IndicatorStandard& standard,
                         const std::vector<CountyInput>& counties) {
  double best = 1e9;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (const CountyInput& county : counties) {
      benchmark::DoNotOptimize(EvaluateCounty(standard, county));
    }
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

void PlanBench(benchmark::State& state, int total, uint32_t seed) {
  const v1::IndicatorStandard& standard = Standards().at("moe-2017-quality");
  constexpr int kPerCounty = 300;
  Generator generator(seed);
  generator.set_blank_one_in(0);
  std::vector<CountyInput> counties;
  for (int done = 0, n = 0; done < total; done += kPerCounty, ++n) {
    counties.push_back(generator.County(absl::StrCat(330100 + n),
                                        std::min(kPerCounty, total - done),
                                        standard));
  }
  // Areas and money as reported: to the cent and the 0.01 m² (the
  // generator's raw doubles have more digits than an import admits).
  auto cents = [](std::optional<double>& figure) {
    if (figure.has_value()) *figure = std::round(*figure * 100) / 100;
  };
  for (CountyInput& county : counties) {
    for (SchoolStats& school : county.schools) {
      for (SharedResources* r :
           {&school.shared, &school.primary.own, &school.junior.own}) {
        cents(r->teaching_area_m2);
        cents(r->sports_area_m2);
        cents(r->equipment_value_yuan);
      }
    }
  }
  const double evaluation = EvaluationSeconds(standard, counties);
  const CostModel costs = BenchCosts();
  size_t actions = 0;
  int feasible = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    actions = 0;
    feasible = 0;
    for (const CountyInput& county : counties) {
      absl::StatusOr<Plan> plan = PlanRectification(standard, county, costs);
      if (!plan.ok()) {
        state.SkipWithError(std::string(plan.status().message()).c_str());
        return;
      }
      actions += plan->actions.size();
      feasible += plan->feasible ? 1 : 0;
      benchmark::DoNotOptimize(plan);
    }
  }
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  state.counters["x_evaluation"] =
      took.count() / static_cast<double>(state.iterations()) / evaluation;
  state.counters["actions"] = static_cast<double>(actions);
  state.counters["feasible_counties"] = feasible;
  state.counters["counties"] = static_cast<double>(counties.size());
  SetCounters(state, total);
}

void BM_PlanCounty2017(benchmark::State& state) {
  PlanBench(state, static_cast<int>(state.range(0)), 20261203);
}
BENCHMARK(BM_PlanCounty2017)->Arg(300)->Unit(benchmark::kMillisecond);

void BM_PlanProvince2017(benchmark::State& state) {
  PlanBench(state, static_cast<int>(state.range(0)), 20261204);
}
BENCHMARK(BM_PlanProvince2017)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

std::vector<WeightedValue> CoefficientValues(int64_t schools) {
  Generator generator(20250903);
  // About 1.13 parts per school (nine- and twelve-year schools have two).
  std::vector<WeightedValue> values;
  for (int64_t i = 0; i < schools * 113 / 100; ++i) {
    values.push_back({generator.Uniform(50, 2000), generator.Uniform(3, 8)});
  }
  return values;
}

std::vector<WeightedValue> FloorValues() { return CoefficientValues(300); }

void BM_CoefficientsOnly(benchmark::State& state) {
  const std::vector<WeightedValue> values = CoefficientValues(state.range(0));
  for (auto _ : state) {
    for (int indicator = 0; indicator < 14; ++indicator) {
      benchmark::DoNotOptimize(DifferenceCoefficient(values));
    }
  }
  SetCounters(state, state.range(0));
}
BENCHMARK(BM_CoefficientsOnly)->Arg(300)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace junheng::checklist

BENCHMARK_MAIN();
