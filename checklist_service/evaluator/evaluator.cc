#include "checklist_service/evaluator/evaluator.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <memory_resource>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "checklist_service/evaluator/apportion.h"
#include "checklist_service/evaluator/coefficient.h"
#include "checklist_service/evaluator/county_indicators.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/evaluator/input_check.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/evaluator/school_checks.h"
#include "checklist_service/evaluator/school_indicators.h"
#include "checklist_service/standard/formula.h"
#include "checklist_service/standard/standard_check.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

constexpr v1::Level kLevels[] = {v1::LEVEL_PRIMARY, v1::LEVEL_JUNIOR};

// How many schools ahead of the one evaluated its statistics are asked for,
// and the cache line they are asked for by.
constexpr size_t kPrefetchAhead = 3;
constexpr size_t kCacheLine = 64;

// What every school's evaluation looks up in the standard, looked up once
// per county.
struct SchoolPlan {
  explicit SchoolPlan(const v1::IndicatorStandard& standard)
      : parameters(&standard.parameters()), levels(PlanSchoolLevels(standard)) {
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (indicator.scope() != v1::SCOPE_SCHOOL) continue;
      checks.push_back(&indicator);
      check_plans.emplace_back(indicator);
    }
  }
  const v1::Parameters* parameters;
  SchoolLevelPlan levels;
  // The SCOPE_SCHOOL indicators, in the standard's order, and their lookups.
  std::vector<const v1::Indicator*> checks;
  std::vector<SchoolCheckPlan> check_plans;
};

// Evaluates a school already checked, against a standard already checked,
// into `*out`, a default-constructed verdict (its parts and checks allocated
// where it says).
void EvaluateCheckedSchool(const SchoolPlan& plan, const SchoolStats& school,
                           SchoolVerdict* out) {
  SchoolVerdict& verdict = *out;
  verdict.school_code = school.school_code;
  verdict.school_name = school.school_name;
  verdict.type = school.type;
  const InclusionDecision inclusion = DecideInclusion(school, *plan.parameters);
  verdict.inclusion = inclusion.inclusion;
  verdict.inclusion_reason = inclusion.reason;
  Outcome outcome = inclusion.inclusion == Inclusion::kUnknown
                        ? Outcome::kNotReported
                        : Outcome::kNotApplicable;
  if (inclusion.inclusion == Inclusion::kCounted) {
    const absl::Span<const v1::Level> parts = PartsOf(school.type);
    verdict.levels.reserve(parts.size());
    for (v1::Level level : parts) {
      const std::optional<int64_t>& students =
          PartStats(school, level).students;
      // A part without students has no per-student values to judge.
      if (students.has_value() && *students == 0) continue;
      SchoolLevelVerdict& part = verdict.levels.emplace_back(
          verdict.levels.get_allocator().resource());
      EvaluateSchoolLevel(plan.levels, school, level, &part);
      outcome = Combine(outcome, part.outcome);
    }
  }
  verdict.checks.reserve(plan.checks.size());
  for (const SchoolCheckPlan& check_plan : plan.check_plans) {
    if (!Covers(check_plan.indicator().school_coverage(), school,
                inclusion.inclusion)) {
      continue;
    }
    IndicatorResult& check =
        verdict.checks.emplace_back(verdict.checks.get_allocator().resource());
    EvaluateSchoolCheck(check_plan, school, &check);
    outcome = Combine(outcome, check.outcome);
  }
  verdict.outcome = outcome;
}

std::optional<double> LimitFor(const v1::CoefficientRule& rule,
                               v1::Level level) {
  for (const v1::CoefficientLimit& limit : rule.limits()) {
    if (limit.level() == level) return limit.max_coefficient();
  }
  return std::nullopt;
}

// The school parts one coefficient is computed over, kept for the exact
// path (exact.h) and the composite.
struct CoefficientInputs {
  // Its terms in `scratch` (the evaluation's).
  explicit CoefficientInputs(std::pmr::memory_resource* scratch)
      : terms(scratch), schools(scratch) {}

  std::pmr::vector<CoefficientTerm> terms;
  // The school of each term, for its exact quantity.
  std::pmr::vector<const SchoolStats*> schools;
  Quantity quantity = Quantity::kNone;
  v1::Level level = v1::LEVEL_PRIMARY;
  const v1::ApportionFactors* factors = nullptr;

  mpq_class ExactQuantity(size_t i) const {
    return *ExactPartQuantity(*schools[i], level, quantity, *factors);
  }
};

// One coefficient's school parts, gathered from the verdicts.
struct CoefficientTerms {
  // Its values in `scratch` (the evaluation's).
  explicit CoefficientTerms(std::pmr::memory_resource* scratch)
      : values(scratch) {}

  // The indicator's slot among the school-level indicators.
  int slot = 0;
  std::pmr::vector<WeightedValue> values;
  // The names of the schools whose figures are missing, in school order.
  std::vector<std::string> missing;
  int64_t students = 0;
  CoefficientInputs* inputs = nullptr;
};

// Room for every school's term in each coefficient of `all`.
void ReserveTerms(size_t schools, std::vector<CoefficientTerms>& all) {
  for (CoefficientTerms& c : all) {
    c.values.reserve(schools);
    c.inputs->terms.reserve(schools);
    c.inputs->schools.reserve(schools);
  }
}

// Adds `school`'s part at `level` (the verdict of `stats`) to every
// coefficient of that level. Called right after the school is evaluated,
// while its results are still in cache: a second walk over a county's
// verdict for the coefficients cost more than their arithmetic, in misses.
void GatherSchool(v1::Level level, const SchoolVerdict& school,
                  const SchoolStats& stats,
                  std::vector<CoefficientTerms>& all) {
  if (school.inclusion == Inclusion::kUnknown && level == v1::LEVEL_PRIMARY) {
    for (CoefficientTerms& c : all) {
      c.missing.push_back(absl::StrCat(school.school_name, "（是否计入未知）"));
    }
    return;
  }
  for (const SchoolLevelVerdict& part : school.levels) {
    if (part.level != level) continue;
    for (CoefficientTerms& c : all) {
      const Measurement& m = part.indicators[c.slot].measurements.front();
      if (!m.value.has_value() || !m.quantity.has_value() ||
          !part.students.has_value()) {
        c.missing.push_back(school.school_name);
        continue;
      }
      const double students = static_cast<double>(*part.students);
      c.values.push_back({students, *m.value});
      c.inputs->terms.push_back({students, *m.quantity});
      c.inputs->schools.push_back(&stats);
      c.students += *part.students;
    }
  }
}

// The coefficient of `indicator` at `level` over the counted school parts
// gathered in `terms`.
CoefficientResult ComputeCoefficient(const v1::IndicatorStandard& standard,
                                     const v1::Indicator& indicator,
                                     v1::Level level, CoefficientTerms& terms) {
  CoefficientInputs& inputs = *terms.inputs;
  CoefficientResult result;
  result.code = indicator.code();
  result.name_zh = indicator.name_zh();
  result.name_en = indicator.name_en();
  result.level = level;
  const bool per_indicator = standard.coefficient_rule().method() ==
                             v1::COEFFICIENT_METHOD_PER_INDICATOR;
  if (per_indicator) {
    result.limit = LimitFor(standard.coefficient_rule(), level);
  }
  const FormulaSpec* spec = FindFormula(indicator.formula());
  inputs.quantity = spec == nullptr ? Quantity::kNone : spec->quantity;
  inputs.level = level;
  inputs.factors = &standard.parameters().apportion_factors();
  // Named only in a sentence, which a passing coefficient does not have.
  auto label = [&] {
    return absl::StrCat(indicator.code(), " ", indicator.name_zh(), "：",
                        LevelNameZh(level), "差异系数");
  };
  const std::pmr::vector<WeightedValue>& values = terms.values;
  const std::vector<std::string>& missing = terms.missing;
  result.students = terms.students;
  result.schools = static_cast<int>(values.size() + missing.size());
  if (!missing.empty()) {
    result.outcome = Outcome::kNotReported;
    result.reasons.push_back(absl::StrCat(label(), "无法计算，", missing.size(),
                                          " 所学校数据未填报：",
                                          absl::StrJoin(missing, "、")));
    return result;
  }
  if (values.empty()) {
    // No counted school at this level (all its students are in excluded
    // schools, or the county has none): there is no inter-school difference
    // to limit, so the condition holds vacuously and is not applicable —
    // never "not reported", which no data could ever cure (the decision and
    // its reasoning: checklist_service/README.md).
    result.outcome = Outcome::kNotApplicable;
    result.reasons.push_back(
        absl::StrCat(label(), "不适用：该学段没有计入的学校"));
    return result;
  }
  absl::StatusOr<Coefficient> coefficient = DifferenceCoefficient(values);
  if (!coefficient.ok()) {
    // X̄ = 0: no coefficient can be shown to be within its limit.
    result.county_value = 0;
    result.outcome = Outcome::kFail;
    result.reasons.push_back(absl::StrCat(label(), "无法计算：全县值为 0"));
    return result;
  }
  result.county_value = coefficient->county_value;
  result.std_dev = coefficient->std_dev;
  result.coefficient = coefficient->coefficient;
  if (!result.limit.has_value()) {
    result.outcome = Outcome::kNotApplicable;
  } else if (CoefficientWithin(inputs.terms, *result.limit, [&](size_t i) {
               return inputs.ExactQuantity(i);
             })) {
    result.outcome = Outcome::kPass;
  } else {
    result.outcome = Outcome::kFail;
    result.reasons.push_back(
        absl::StrCat(label(), " ",
                     FormatAgainst(*result.coefficient, v1::COMPARISON_AT_MOST,
                                   *result.limit, false, 4, /*trim=*/false),
                     "，超过上限 ", FormatNumber(*result.limit), "（全县值 ",
                     FormatNumber(*result.county_value), "）"));
  }
  return result;
}

CompositeResult ComputeComposite(const v1::IndicatorStandard& standard,
                                 v1::Level level,
                                 const std::vector<CoefficientResult>& members,
                                 const std::vector<CoefficientInputs>& inputs) {
  CompositeResult result;
  result.level = level;
  result.limit = LimitFor(standard.coefficient_rule(), level).value_or(0);
  std::vector<double> values;
  // The members' exact quantities: FunctionRefs in exact_members refer to
  // these, so the vector never grows once they are taken.
  std::vector<std::function<mpq_class(size_t)>> quantities;
  quantities.reserve(members.size());
  std::vector<CompositeMember> exact_members;
  Outcome members_outcome = Outcome::kNotApplicable;
  bool computed = false;
  for (size_t i = 0; i < members.size(); ++i) {
    const CoefficientResult& c = members[i];
    if (c.level != level) continue;
    result.codes.push_back(c.code);
    if (c.coefficient.has_value()) {
      computed = true;
      values.push_back(*c.coefficient);
      const CoefficientInputs& in = inputs[i];
      quantities.push_back([&in](size_t j) { return in.ExactQuantity(j); });
      exact_members.push_back({in.terms, quantities.back()});
    } else {
      members_outcome = Combine(members_outcome, c.outcome);
    }
  }
  const std::string label = absl::StrCat(LevelNameZh(level), "综合差异系数");
  if (members_outcome == Outcome::kFail ||
      members_outcome == Outcome::kNotReported) {
    result.outcome = members_outcome;
    result.reasons.push_back(absl::StrCat(
        label, "无法计算：", absl::StrJoin(result.codes, "、"), " 中有",
        members_outcome == Outcome::kFail ? "无法计算（全县值为 0）" : "未填报",
        "的差异系数"));
    return result;
  }
  if (!computed) {
    // Every member is not applicable: the level has no counted school.
    result.outcome = Outcome::kNotApplicable;
    result.reasons.push_back(
        absl::StrCat(label, "不适用：该学段没有计入的学校"));
    return result;
  }
  absl::StatusOr<double> composite = CompositeCoefficient(values);
  if (!composite.ok()) {
    result.outcome = Outcome::kNotReported;
    result.reasons.push_back(absl::StrCat(label, "无法计算：没有差异系数指标"));
    return result;
  }
  result.value = *composite;
  if (CompositeWithin(exact_members, result.limit)) {
    result.outcome = Outcome::kPass;
  } else {
    result.outcome = Outcome::kFail;
    result.reasons.push_back(
        absl::StrCat(label, " ",
                     FormatAgainst(*composite, v1::COMPARISON_AT_MOST,
                                   result.limit, false, 4, /*trim=*/false),
                     "，超过上限 ", FormatNumber(result.limit)));
  }
  return result;
}

// What the county needs of one SCOPE_SCHOOL indicator's checks, tallied
// school by school while each school's results are in cache: the outcomes
// combined, and where a check does not pass ((school, index in its checks),
// in school order). Most checks pass, and a second walk over every check of
// every school for the few that do not cost more than the tally.
struct CheckTally {
  Outcome outcome = Outcome::kNotApplicable;
  std::vector<std::pair<int, int>> not_passing;
};

// The county-level result of a SCOPE_SCHOOL indicator: every covered school
// must pass; the judgement, if needed, is the county's.
CountyIndicatorResult CountySchoolCheck(
    const v1::Indicator& indicator, const std::vector<SchoolVerdict>& schools,
    const CheckTally& tally, const Judgement* judgement) {
  CountyIndicatorResult result;
  StartResult(indicator, &result);
  std::vector<absl::string_view> failing;
  std::vector<absl::string_view> missing;
  result.schools_not_passing.reserve(tally.not_passing.size());
  for (const auto& [s, c] : tally.not_passing) {
    const SchoolVerdict& school = schools[s];
    const IndicatorResult& check = school.checks[c];
    if (check.outcome == Outcome::kFail) {
      failing.push_back(school.school_name);
    } else {
      missing.push_back(school.school_name);
    }
    result.schools_not_passing.push_back(school.school_code);
  }
  const Outcome outcome = tally.outcome;
  result.outcome = outcome;
  if (!failing.empty()) {
    result.notes.push_back(Note::Text(
        absl::StrCat(Label(result), "：", failing.size(), " 所学校未达标：",
                     absl::StrJoin(failing, "、"))));
  }
  if (!missing.empty()) {
    result.notes.push_back(Note::Text(
        absl::StrCat(Label(result), "：", missing.size(), " 所学校数据未填报：",
                     absl::StrJoin(missing, "、"))));
  }
  ApplyJudgement(indicator, judgement, result);
  return result;
}

// The county-level result of a SCOPE_SCHOOL_LEVEL indicator: its
// coefficients when each is limited on its own.
CountyIndicatorResult CountySchoolLevel(
    const v1::Indicator& indicator, const std::vector<CoefficientResult>& all) {
  CountyIndicatorResult result;
  StartResult(indicator, &result);
  Outcome outcome = Outcome::kNotApplicable;
  for (const CoefficientResult& c : all) {
    if (c.code != indicator.code() || !c.limit.has_value()) continue;
    outcome = Combine(outcome, c.outcome);
    Measurement& m = result.measurements.emplace_back();
    m.measure = "difference_coefficient";
    m.level = c.level;
    m.value = c.coefficient;
    m.threshold = c.limit;
    m.comparison = v1::COMPARISON_AT_MOST;
    m.outcome = c.outcome;
    for (const std::string& reason : c.reasons) {
      result.notes.push_back(Note::Text(reason));
    }
  }
  result.outcome = outcome;
  return result;
}

void AddItem(std::vector<FailingItem>& items, Outcome outcome,
             FailingItem item) {
  if (outcome != Outcome::kFail && outcome != Outcome::kNotReported) return;
  item.outcome = outcome;
  items.push_back(std::move(item));
}

// A failing item whose explanation is at `source`; `code` is the standard's
// or a literal.
FailingItem Item(absl::string_view code, v1::Level level, ReasonSource source,
                 int index) {
  FailingItem item;
  item.code = code;
  item.level = level;
  item.source = source;
  item.index = index;
  return item;
}

// The same, for an item at school `school`.
FailingItem SchoolItem(absl::string_view code, int school, v1::Level level,
                       ReasonSource source, int index) {
  FailingItem item = Item(code, level, source, index);
  item.school = school;
  return item;
}

}  // namespace

absl::StatusOr<SchoolVerdict> EvaluateSchool(
    const v1::IndicatorStandard& standard, const SchoolStats& school) {
  RETURN_IF_ERROR(CheckEvaluable(standard));
  RETURN_IF_ERROR(CheckSchool(school));
  SchoolVerdict verdict;
  EvaluateCheckedSchool(SchoolPlan(standard), school, &verdict);
  return verdict;
}

namespace {

// EvaluateCounty once the standard and the input are checked.
CountyVerdict EvaluateCheckedCounty(const v1::IndicatorStandard& standard,
                                    const CountyInput& input) {
  CountyVerdict verdict;
  verdict.standard_id = standard.id();
  verdict.county_code = input.county.county_code;
  verdict.county_name = input.county.county_name;
  verdict.year = input.county.year;

  absl::flat_hash_map<std::string, const Judgement*> judgements;
  for (const Judgement& judgement : input.judgements) {
    judgements[judgement.code] = &judgement;
  }
  auto judgement_for = [&judgements](const std::string& code) {
    auto it = judgements.find(code);
    return it == judgements.end() ? nullptr : it->second;
  };

  const SchoolPlan plan(standard);
  // Room for a county's results in one block (about 4.5 KB a school with
  // these types: two parts of seven results and six checks at most), so
  // that the arena seldom asks for more.
  verdict.arena = VerdictArenaHold(
      input.schools.size() *
          (2 * sizeof(SchoolLevelVerdict) +
           (2 * plan.levels.items.size() + plan.checks.size()) *
               sizeof(IndicatorResult)) +
      1024);
  // Coefficients, primary first, in the standard's indicator order.
  std::vector<const v1::Indicator*> coefficient_indicators;
  std::vector<int> coefficient_slots;
  {
    int slot = 0;
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (indicator.scope() != v1::SCOPE_SCHOOL_LEVEL) continue;
      if (indicator.difference_coefficient()) {
        coefficient_indicators.push_back(&indicator);
        coefficient_slots.push_back(slot);
      }
      ++slot;
    }
  }
  // The coefficients' terms in one block: each is a few kilobytes, past
  // what the allocator keeps at hand, and allocating and freeing the 42 of
  // them one by one was a twentieth of an evaluation.
  const size_t coefficients =
      std::size(kLevels) * coefficient_indicators.size();
  std::pmr::monotonic_buffer_resource scratch(
      coefficients * input.schools.size() *
          (sizeof(WeightedValue) + sizeof(CoefficientTerm) +
           sizeof(const SchoolStats*)) +
      1024);
  // Indexed like verdict.coefficients; never grows once terms point in.
  std::vector<CoefficientInputs> coefficient_inputs;
  coefficient_inputs.reserve(coefficients);
  for (size_t c = 0; c < coefficients; ++c) {
    coefficient_inputs.emplace_back(&scratch);
  }
  std::vector<CoefficientTerms> terms[std::size(kLevels)];
  for (size_t l = 0; l < std::size(kLevels); ++l) {
    terms[l].reserve(coefficient_indicators.size());
    for (size_t k = 0; k < coefficient_indicators.size(); ++k) {
      CoefficientTerms& t = terms[l].emplace_back(&scratch);
      t.slot = coefficient_slots[k];
      t.inputs = &coefficient_inputs[l * coefficient_indicators.size() + k];
    }
    ReserveTerms(input.schools.size(), terms[l]);
  }
  // Each SCOPE_SCHOOL indicator's checks (by its place in plan.checks).
  std::vector<CheckTally> tallies(plan.checks.size());

  // Each school is evaluated, and what the county needs of it gathered while
  // its results are in cache.
  verdict.schools.reserve(input.schools.size());
  for (size_t i = 0; i < input.schools.size(); ++i) {
    // A school's statistics are a kilobyte read in no order the hardware
    // foresees (the parts, then the shared resources, then the rooms); in a
    // province whose inputs are past the cache, asking for them a few
    // schools ahead took a tenth off (paired runs of the province bench).
    if (i + kPrefetchAhead < input.schools.size()) {
      const char* ahead =
          reinterpret_cast<const char*>(&input.schools[i + kPrefetchAhead]);
      for (size_t b = 0; b < sizeof(SchoolStats); b += kCacheLine) {
        __builtin_prefetch(ahead + b);
      }
    }
    SchoolVerdict& school = verdict.schools.emplace_back(verdict.arena.get());
    EvaluateCheckedSchool(plan, input.schools[i], &school);
    for (size_t l = 0; l < std::size(kLevels); ++l) {
      GatherSchool(kLevels[l], school, input.schools[i], terms[l]);
    }
    // A school's checks are in plan.checks' order, some left out.
    size_t k = 0;
    for (size_t c = 0; c < school.checks.size(); ++c) {
      while (plan.checks[k] != school.checks[c].indicator) ++k;
      const Outcome outcome = school.checks[c].outcome;
      CheckTally& tally = tallies[k];
      tally.outcome = Combine(tally.outcome, outcome);
      if (outcome == Outcome::kFail || outcome == Outcome::kNotReported) {
        tally.not_passing.emplace_back(static_cast<int>(i),
                                       static_cast<int>(c));
      }
    }
  }
  for (size_t l = 0; l < std::size(kLevels); ++l) {
    for (size_t k = 0; k < terms[l].size(); ++k) {
      verdict.coefficients.push_back(ComputeCoefficient(
          standard, *coefficient_indicators[k], kLevels[l], terms[l][k]));
    }
  }
  auto tally_of = [&](const v1::Indicator& indicator) -> const CheckTally& {
    const size_t k =
        std::find(plan.checks.begin(), plan.checks.end(), &indicator) -
        plan.checks.begin();
    return tallies[k];
  };
  const bool composite = standard.coefficient_rule().method() ==
                         v1::COEFFICIENT_METHOD_COMPOSITE_MEAN;
  std::string composite_area;
  if (composite) {
    for (v1::Level level : kLevels) {
      verdict.composites.push_back(ComputeComposite(
          standard, level, verdict.coefficients, coefficient_inputs));
    }
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (indicator.difference_coefficient()) {
        composite_area = indicator.area();
        break;
      }
    }
  }

  std::vector<FailingItem> items;
  // Room for a failing county's items without regrowing: a school rule item
  // or two and a check or two a school at most, in all but odd cases.
  items.reserve(2 * verdict.schools.size() + verdict.coefficients.size() + 64);
  Outcome county = Outcome::kNotApplicable;
  for (const v1::Area& area : standard.areas()) {
    AreaVerdict& av = verdict.areas.emplace_back();
    av.code = area.code();
    av.name_zh = area.name_zh();
    av.name_en = area.name_en();
    Outcome outcome = Outcome::kNotApplicable;

    if (standard.has_school_rule() &&
        standard.school_rule().area() == area.code()) {
      Outcome rule = Outcome::kNotApplicable;
      for (size_t i = 0; i < verdict.schools.size(); ++i) {
        const SchoolVerdict& school = verdict.schools[i];
        const int s = static_cast<int>(i);
        if (school.inclusion == Inclusion::kUnknown) {
          rule = Combine(rule, Outcome::kNotReported);
          AddItem(items, Outcome::kNotReported,
                  SchoolItem("school_rule", s, v1::LEVEL_ALL,
                             ReasonSource::kInclusion, -1));
        }
        for (size_t l = 0; l < school.levels.size(); ++l) {
          const SchoolLevelVerdict& part = school.levels[l];
          rule = Combine(rule, part.outcome);
          AddItem(items, part.outcome,
                  SchoolItem("school_rule", s, part.level,
                             ReasonSource::kSchoolRule, static_cast<int>(l)));
        }
      }
      av.school_rule = rule;
      outcome = Combine(outcome, rule);
    }

    const int area_index = static_cast<int>(verdict.areas.size()) - 1;
    for (const v1::Indicator& indicator : standard.indicators()) {
      if (indicator.area() != area.code()) continue;
      const Judgement* judgement = judgement_for(indicator.code());
      const int index = static_cast<int>(av.indicators.size());
      CountyIndicatorResult& result = av.indicators.emplace_back();
      switch (indicator.scope()) {
        case v1::SCOPE_SCHOOL_LEVEL:
          result = CountySchoolLevel(indicator, verdict.coefficients);
          break;
        case v1::SCOPE_SCHOOL:
          result = CountySchoolCheck(indicator, verdict.schools,
                                     tally_of(indicator), judgement);
          break;
        default:
          result = EvaluateCountyIndicator(indicator, input.county, judgement);
          break;
      }
      outcome = Combine(outcome, result.outcome);
      if (indicator.scope() == v1::SCOPE_SCHOOL_LEVEL) {
        // One item per coefficient, limited or (under the composite) not
        // computable.
        for (size_t c = 0; c < verdict.coefficients.size(); ++c) {
          const CoefficientResult& coefficient = verdict.coefficients[c];
          if (coefficient.code != indicator.code()) continue;
          AddItem(items, coefficient.outcome,
                  Item(indicator.code(), coefficient.level,
                       ReasonSource::kCoefficient, static_cast<int>(c)));
        }
      } else if (indicator.scope() == v1::SCOPE_SCHOOL) {
        // One item per school, with that school's reasons.
        for (const auto& [i, c] : tally_of(indicator).not_passing) {
          AddItem(items, verdict.schools[i].checks[c].outcome,
                  SchoolItem(indicator.code(), i, v1::LEVEL_ALL,
                             ReasonSource::kSchoolCheck, c));
        }
        if (result.judgement == Outcome::kFail ||
            result.judgement == Outcome::kNotReported) {
          FailingItem item = Item(indicator.code(), v1::LEVEL_ALL,
                                  ReasonSource::kJudgement, index);
          item.area = area_index;
          AddItem(items, result.judgement, std::move(item));
        }
      } else {
        FailingItem item = Item(indicator.code(), v1::LEVEL_ALL,
                                ReasonSource::kCountyIndicator, index);
        item.area = area_index;
        AddItem(items, result.outcome, std::move(item));
      }
    }

    if (composite && area.code() == composite_area) {
      for (size_t c = 0; c < verdict.composites.size(); ++c) {
        const CompositeResult& composite_result = verdict.composites[c];
        outcome = Combine(outcome, composite_result.outcome);
        av.reasons.insert(av.reasons.end(), composite_result.reasons.begin(),
                          composite_result.reasons.end());
        AddItem(items, composite_result.outcome,
                Item("composite_coefficient", composite_result.level,
                     ReasonSource::kComposite, static_cast<int>(c)));
      }
    }
    av.outcome = outcome;
    county = Combine(county, outcome);
  }

  for (size_t v = 0; v < static_cast<size_t>(standard.veto_items_size()); ++v) {
    const v1::VetoItem& veto = standard.veto_items(static_cast<int>(v));
    VetoResult& result = verdict.vetoes.emplace_back(
        EvaluateVeto(veto, judgement_for(veto.code())));
    county = Combine(county, result.outcome);
    AddItem(items, result.outcome,
            Item(veto.code(), v1::LEVEL_ALL, ReasonSource::kVeto,
                 static_cast<int>(v)));
  }

  // An empty standard certifies nothing.
  verdict.outcome =
      county == Outcome::kNotApplicable ? Outcome::kNotReported : county;
  std::stable_partition(items.begin(), items.end(), [](const FailingItem& i) {
    return i.outcome == Outcome::kFail;
  });
  verdict.failing_items = std::move(items);
  return verdict;
}

}  // namespace

absl::StatusOr<CountyVerdict> EvaluateCounty(
    const v1::IndicatorStandard& standard, const CountyInput& input) {
  ASSIGN_OR_RETURN(const CheckedStandard checked_standard,
                   CheckedStandard::Check(standard));
  ASSIGN_OR_RETURN(const CheckedCountyInput checked_input,
                   CheckedCountyInput::Check(input));
  return EvaluateCounty(checked_standard, checked_input);
}

CountyVerdict EvaluateCounty(const CheckedStandard& checked_standard,
                             const CheckedCountyInput& checked_input) {
  return EvaluateCheckedCounty(checked_standard.standard(),
                               checked_input.input());
}

}  // namespace junheng::checklist
