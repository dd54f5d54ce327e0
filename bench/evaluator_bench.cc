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
// The county generator is deterministic (a fixed-seed std::mt19937 used
// through its raw 32-bit outputs, not library distributions whose results
// differ between standard libraries): the same schools in every run. About
// one figure in seven is drawn below its threshold and one in forty left
// blank, so verdicts carry failing and not-reported items as real ones do.
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
#include "benchmark/benchmark.h"
#include "checklist_service/evaluator/coefficient.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/planner/planner.h"
#include "checklist_service/standard/standard_loader.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// The source tree's standards/, as the build configured it: __FILE__ is
// relative under a compiler cache's base directory, and the bench is run
// from anywhere.
std::string StandardsDir() {
  if (const char* dir = std::getenv("JUNHENG_STANDARDS_DIR")) return dir;
  return std::string(JUNHENG_SOURCE_DIR) + "/standards";
}

const StandardMap& Standards() {
  static const StandardMap* const kStandards = [] {
    absl::StatusOr<StandardMap> standards =
        LoadStandardsDirectory(StandardsDir());
    if (!standards.ok()) {
      std::cerr << standards.status() << "\n";
      std::exit(1);
    }
    return new StandardMap(*std::move(standards));
  }();
  return *kStandards;
}

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

  LevelStats Part(int64_t students, bool primary) {
    LevelStats p;
    const double per100 = static_cast<double>(students) / 100.0;
    p.students = students;
    p.classes = std::max<int64_t>(1, students / (primary ? 42 : 47));
    p.max_class_size = primary ? 40 + rng_() % 7 : 44 + rng_() % 8;
    p.teachers_above_degree = Maybe<int64_t>(
        static_cast<int64_t>(Around(primary ? 4.2 : 5.3) * per100));
    p.backbone_teachers =
        Maybe<int64_t>(static_cast<int64_t>(Around(1.0) * per100));
    p.pe_art_teachers =
        Maybe<int64_t>(static_cast<int64_t>(Around(0.9) * per100));
    p.teachers = static_cast<int64_t>(per100 * (primary ? 6 : 8));
    p.certified_teachers =
        OneIn(30) && *p.teachers > 0 ? *p.teachers - 1 : *p.teachers;
    p.senior_title_teachers = static_cast<int64_t>(*p.teachers * 0.4);
    return p;
  }

  SchoolStats School(const std::string& county, int index) {
    SchoolStats s;
    s.county_code = county;
    s.school_code = absl::StrCat(county, 1000 + index);
    s.school_name = absl::StrCat("第", index, "小学");
    s.year = 2025;
    const uint32_t kind = rng_() % 100;
    s.type = kind < 55   ? SchoolType::kPrimary
             : kind < 80 ? SchoolType::kJunior
             : kind < 90 ? SchoolType::kNineYear
             : kind < 93 ? SchoolType::kTwelveYear
             : kind < 98 ? SchoolType::kTeachingPoint
                         : SchoolType::kSpecial;
    double primary = 0;
    double junior = 0;
    switch (s.type) {
      case SchoolType::kPrimary:
        primary = Uniform(200, 2000);
        break;
      case SchoolType::kJunior:
        junior = Uniform(300, 2000);
        break;
      case SchoolType::kNineYear:
      case SchoolType::kTwelveYear:
        primary = Uniform(300, 1300);
        junior = Uniform(200, 1000);
        break;
      case SchoolType::kTeachingPoint:
        primary = Uniform(10, 120);
        break;
      case SchoolType::kSpecial:
        primary = Uniform(40, 150);
        break;
    }
    if (primary > 0) s.primary = Part(static_cast<int64_t>(primary), true);
    if (junior > 0) s.junior = Part(static_cast<int64_t>(junior), false);
    if (s.type == SchoolType::kTwelveYear) {
      s.senior_students = static_cast<int64_t>(Uniform(300, 1200));
    }
    const double students = primary + junior * 1.1;
    s.shared.teaching_area_m2 = Maybe(Around(5.2) * students);
    s.shared.sports_area_m2 = Maybe(Around(8.8) * students);
    s.shared.equipment_value_yuan = Maybe(Around(2300) * students);
    s.shared.multimedia_classrooms =
        Maybe<int64_t>(static_cast<int64_t>(Around(2.4) * students / 100));
    s.shared.computers = static_cast<int64_t>(students * 0.15);
    s.shared.books = static_cast<int64_t>(students * 30);
    s.music_rooms = 1 + static_cast<int64_t>(students / 500);
    s.art_rooms = 1 + static_cast<int64_t>(students / 500);
    s.music_room_min_area_m2 = Uniform(94, 120);
    s.art_room_min_area_m2 = Uniform(88, 110);
    s.public_funds_yuan = students * 900;
    s.training_funds_yuan = *s.public_funds_yuan * Uniform(0.045, 0.08);
    s.has_charter = !OneIn(50);
    return s;
  }

  CountyInput County(const std::string& code, int schools,
                     const v1::IndicatorStandard& standard) {
    CountyInput input;
    CountyStats& c = input.county;
    c.county_code = code;
    c.county_name = "县" + code;
    c.year = 2025;
    c.special_ed_funds_per_student_yuan = Uniform(5500, 9000);
    c.small_schools_funded_as_100 = true;
    c.teacher_avg_salary_yuan = Uniform(100000, 130000);
    c.civil_servant_avg_salary_yuan = 110000;
    c.training_360h_completion_rate = OneIn(3) ? 0.98 : 1.0;
    c.rotation_eligible_teachers = 2000;
    c.rotated_teachers = static_cast<int64_t>(Uniform(180, 300));
    c.rotated_backbone_teachers = static_cast<int64_t>(Uniform(40, 80));
    c.nearby_enrollment_rate_primary = 1.0;
    c.nearby_enrollment_rate_junior = Uniform(0.93, 1.0);
    c.quality_high_school_quota_ratio = Uniform(0.45, 0.7);
    c.migrant_children_public_ratio = Uniform(0.8, 0.95);
    c.junior_consolidation_rate = Uniform(0.93, 0.99);
    c.disabled_enrollment_rate = Uniform(0.94, 0.99);
    c.monitoring_min_level = 3;
    c.monitoring_interschool_difference = Uniform(0.08, 0.17);
    c.satisfaction_rate = Uniform(0.82, 0.95);
    for (int i = 0; i < schools; ++i) input.schools.push_back(School(code, i));
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (!indicator.needs_judgement()) continue;
      Judgement j;
      j.code = indicator.code();
      j.passed = !OneIn(10);
      j.score = Uniform(80, 98);
      input.judgements.push_back(j);
    }
    for (const v1::VetoItem& veto : standard.veto_items()) {
      Judgement j;
      j.code = veto.code();
      j.passed = true;
      input.judgements.push_back(j);
    }
    return input;
  }

 private:
  std::mt19937 rng_;
  uint32_t blank_one_in_ = 40;
};

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
