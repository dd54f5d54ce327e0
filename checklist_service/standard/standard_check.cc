#include "checklist_service/standard/standard_check.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "checklist_service/standard/formula.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

class Checker {
 public:
  explicit Checker(const v1::IndicatorStandard& standard)
      : standard_(standard) {
    // Sized up front: every evaluation checks its standard, and growing
    // these sets was most of the check's cost.
    areas_.reserve(standard.areas_size());
    codes_.reserve(standard.indicators_size() + standard.veto_items_size());
  }

  std::vector<StandardProblem> Run() {
    if (standard_.id().empty()) Add({{"id", -1}}, "missing standard id");
    CheckAreas();
    for (int i = 0; i < standard_.indicators_size(); ++i) CheckIndicator(i);
    CheckVetoItems();
    CheckSchoolRule();
    CheckCoefficientRule();
    CheckParameters();
    return std::move(problems_);
  }

 private:
  void Add(FieldPath path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  void CheckAreas() {
    for (int i = 0; i < standard_.areas_size(); ++i) {
      const v1::Area& area = standard_.areas(i);
      if (area.code().empty()) {
        Add({{"areas", i}, {"code", -1}}, "missing area code");
      } else if (!areas_.insert(area.code()).second) {
        Add({{"areas", i}, {"code", -1}},
            absl::StrCat("duplicate area code \"", area.code(), "\""));
      }
    }
  }

  bool InSchoolRule(const v1::Indicator& indicator) const {
    return standard_.has_school_rule() &&
           indicator.scope() == v1::SCOPE_SCHOOL_LEVEL &&
           indicator.area() == standard_.school_rule().area();
  }

  // `at` builds the field's path only for a problem: a standard is checked
  // before every evaluation, and the paths were most of the check's
  // allocations.
  template <typename At>
  void CheckCode(At at, const std::string& code) {
    if (code.empty()) {
      Add(at(), "missing code");
    } else if (!codes_.insert(code).second) {
      Add(at(), absl::StrCat("duplicate code \"", code, "\""));
    }
  }

  void CheckIndicator(int i) {
    const v1::Indicator& indicator = standard_.indicators(i);
    auto at = [i](const char* field, int index = -1) {
      return FieldPath{{"indicators", i}, {field, index}};
    };
    CheckCode([&] { return at("code"); }, indicator.code());
    const std::string& code = indicator.code();
    if (indicator.name_zh().empty()) {
      Add(at("name_zh"), absl::StrCat(code, ": missing Chinese name"));
    }
    if (!areas_.contains(indicator.area())) {
      Add(at("area"),
          absl::StrCat(code, ": unknown area \"", indicator.area(), "\""));
    }
    const FormulaSpec* spec = FindFormula(indicator.formula());
    if (spec == nullptr) {
      Add(at("formula"), absl::StrCat(code, ": unknown or missing formula ",
                                      static_cast<int>(indicator.formula())));
      return;
    }
    // For messages only: the name lookup is most of a passing check's cost,
    // and the evaluator checks its standard on every evaluation.
    auto formula_name = [&] { return v1::Formula_Name(indicator.formula()); };
    if (indicator.scope() != spec->scope) {
      Add(at("scope"),
          absl::StrCat(code, ": scope ",
                       v1::Scope_IsValid(indicator.scope())
                           ? v1::Scope_Name(indicator.scope())
                           : absl::StrCat(static_cast<int>(indicator.scope())),
                       " does not match ", formula_name(), ", which is ",
                       v1::Scope_Name(spec->scope)));
    }
    if (spec->judgement_only && !indicator.needs_judgement()) {
      Add(at("needs_judgement"), absl::StrCat(code, ": ", formula_name(),
                                              " needs needs_judgement: true"));
    }
    if (spec->scope == v1::SCOPE_SCHOOL &&
        (indicator.school_coverage() == v1::SCHOOL_COVERAGE_UNSPECIFIED ||
         !v1::SchoolCoverage_IsValid(indicator.school_coverage()))) {
      Add(at("school_coverage"),
          absl::StrCat(code, ": missing or unknown school_coverage"));
    }
    if (indicator.difference_coefficient() &&
        spec->scope != v1::SCOPE_SCHOOL_LEVEL) {
      Add(at("difference_coefficient"),
          absl::StrCat(code,
                       ": a difference coefficient needs a "
                       "SCOPE_SCHOOL_LEVEL formula"));
    }
    CheckThresholds(i, *spec);
  }

  void CheckThresholds(int i, const FormulaSpec& spec) {
    const v1::Indicator& indicator = standard_.indicators(i);
    const std::string& code = indicator.code();
    // (level, measure) of the thresholds so far: a handful an indicator.
    absl::InlinedVector<std::pair<int, absl::string_view>, 8> seen;
    for (int t = 0; t < indicator.thresholds_size(); ++t) {
      const v1::Threshold& threshold = indicator.thresholds(t);
      auto at = [i, t](const char* field) {
        return FieldPath{{"indicators", i}, {"thresholds", t}, {field, -1}};
      };
      const MeasureSpec* measure = nullptr;
      for (const MeasureSpec& candidate : spec.measures) {
        if (threshold.measure() == candidate.name) measure = &candidate;
      }
      if (measure == nullptr) {
        Add(at("measure"),
            absl::StrCat(code, ": ", v1::Formula_Name(spec.formula),
                         threshold.measure().empty()
                             ? " takes no threshold without a measure"
                             : absl::StrCat(" has no measure \"",
                                            threshold.measure(), "\"")));
        continue;
      }
      const v1::Level level = threshold.level();
      const bool level_ok = measure->per_level ? (level == v1::LEVEL_PRIMARY ||
                                                  level == v1::LEVEL_JUNIOR)
                                               : level == v1::LEVEL_ALL;
      if (!level_ok) {
        Add(at("level"),
            absl::StrCat(code, ": bad level ",
                         v1::Level_IsValid(level)
                             ? v1::Level_Name(level)
                             : absl::StrCat(static_cast<int>(level)),
                         measure->per_level
                             ? ", expected LEVEL_PRIMARY or LEVEL_JUNIOR"
                             : ", expected LEVEL_ALL"));
      }
      const v1::Comparison comparison = threshold.comparison();
      if (comparison == v1::COMPARISON_UNSPECIFIED ||
          !v1::Comparison_IsValid(comparison)) {
        Add(at("comparison"),
            absl::StrCat(code, ": missing or unknown comparison"));
      } else if (HigherIsBetter(comparison) != measure->higher_is_better) {
        Add(at("comparison"),
            absl::StrCat(code, ": ", v1::Comparison_Name(comparison),
                         " is the wrong direction for this ",
                         measure->higher_is_better ? "floor" : "ceiling"));
      }
      if (!std::isfinite(threshold.value()) || threshold.value() < 0) {
        Add(at("value"), absl::StrCat(code,
                                      ": threshold must be a finite, "
                                      "non-negative number"));
      }
      const std::pair<int, absl::string_view> key{static_cast<int>(level),
                                                  threshold.measure()};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        Add(at("level"),
            absl::StrCat(code, ": duplicate threshold for ",
                         v1::Level_IsValid(level)
                             ? v1::Level_Name(level)
                             : absl::StrCat(static_cast<int>(level)),
                         " \"", threshold.measure(), "\""));
      } else {
        seen.push_back(key);
      }
    }
    // A ratio indicator may go without thresholds when it only enters a
    // difference coefficient (2012 B1–B8); a per-school rule indicator may not.
    if (spec.scope == v1::SCOPE_SCHOOL_LEVEL &&
        indicator.thresholds_size() == 0 &&
        indicator.difference_coefficient() && !InSchoolRule(indicator)) {
      return;
    }
    for (const MeasureSpec& measure : spec.measures) {
      static constexpr v1::Level kPerLevel[] = {v1::LEVEL_PRIMARY,
                                                v1::LEVEL_JUNIOR};
      static constexpr v1::Level kAll[] = {v1::LEVEL_ALL};
      for (v1::Level level : measure.per_level
                                 ? absl::Span<const v1::Level>(kPerLevel)
                                 : absl::Span<const v1::Level>(kAll)) {
        if (FindThreshold(indicator, level, measure.name) == nullptr) {
          Add({{"indicators", i}, {"thresholds", -1}},
              absl::StrCat(
                  code, ": missing threshold for ", v1::Level_Name(level),
                  *measure.name == '\0'
                      ? ""
                      : absl::StrCat(" measure \"", measure.name, "\"")));
        }
      }
    }
  }

  void CheckVetoItems() {
    for (int i = 0; i < standard_.veto_items_size(); ++i) {
      const v1::VetoItem& veto = standard_.veto_items(i);
      CheckCode(
          [i] {
            return FieldPath{{"veto_items", i}, {"code", -1}};
          },
          veto.code());
      if (veto.name_zh().empty()) {
        Add({{"veto_items", i}, {"name_zh", -1}},
            absl::StrCat(veto.code(), ": missing Chinese name"));
      }
    }
  }

  void CheckSchoolRule() {
    if (!standard_.has_school_rule()) return;
    const v1::SchoolRule& rule = standard_.school_rule();
    if (!areas_.contains(rule.area())) {
      Add({{"school_rule", -1}, {"area", -1}},
          absl::StrCat("unknown area \"", rule.area(), "\""));
    }
    int covered = 0;
    for (const v1::Indicator& indicator : standard_.indicators()) {
      if (InSchoolRule(indicator)) ++covered;
    }
    if (rule.min_met() < 1 || rule.min_met() > covered) {
      Add({{"school_rule", -1}, {"min_met", -1}},
          absl::StrCat("min_met ", rule.min_met(), " is not between 1 and the ",
                       covered, " school-level indicators of area \"",
                       rule.area(), "\""));
    }
    if (!(rule.floor_fraction() > 0 && rule.floor_fraction() <= 1)) {
      Add({{"school_rule", -1}, {"floor_fraction", -1}},
          "floor_fraction must be in (0, 1]");
    }
  }

  void CheckCoefficientRule() {
    bool needed = false;
    for (const v1::Indicator& indicator : standard_.indicators()) {
      needed = needed || indicator.difference_coefficient();
    }
    const v1::CoefficientRule& rule = standard_.coefficient_rule();
    if (!needed && !standard_.has_coefficient_rule()) return;
    if (rule.method() == v1::COEFFICIENT_METHOD_UNSPECIFIED ||
        !v1::CoefficientMethod_IsValid(rule.method())) {
      Add({{"coefficient_rule", -1}, {"method", -1}},
          "missing or unknown coefficient method");
    }
    absl::flat_hash_set<int> levels;
    for (int i = 0; i < rule.limits_size(); ++i) {
      const v1::CoefficientLimit& limit = rule.limits(i);
      if (limit.level() != v1::LEVEL_PRIMARY &&
          limit.level() != v1::LEVEL_JUNIOR) {
        Add({{"coefficient_rule", -1}, {"limits", i}, {"level", -1}},
            "bad level, expected LEVEL_PRIMARY or LEVEL_JUNIOR");
      } else if (!levels.insert(limit.level()).second) {
        Add({{"coefficient_rule", -1}, {"limits", i}, {"level", -1}},
            absl::StrCat("duplicate limit for ",
                         v1::Level_Name(limit.level())));
      }
      if (!(limit.max_coefficient() > 0) ||
          !std::isfinite(limit.max_coefficient())) {
        Add({{"coefficient_rule", -1}, {"limits", i}, {"max_coefficient", -1}},
            "max_coefficient must be positive");
      }
    }
    for (v1::Level level : {v1::LEVEL_PRIMARY, v1::LEVEL_JUNIOR}) {
      if (!levels.contains(level)) {
        Add({{"coefficient_rule", -1}, {"limits", -1}},
            absl::StrCat("missing limit for ", v1::Level_Name(level)));
      }
    }
  }

  void CheckParameters() {
    const v1::Parameters& parameters = standard_.parameters();
    if (!standard_.has_parameters()) {
      Add({{"parameters", -1}}, "missing parameters");
      return;
    }
    if (parameters.teaching_point_min_students() < 0) {
      Add({{"parameters", -1}, {"teaching_point_min_students", -1}},
          "teaching_point_min_students must not be negative");
    }
    const v1::ApportionFactors& factors = parameters.apportion_factors();
    const std::pair<const char*, double> named[] = {
        {"primary", factors.primary()},
        {"junior", factors.junior()},
        {"senior", factors.senior()}};
    for (const auto& [name, value] : named) {
      if (!(value > 0) || !std::isfinite(value)) {
        Add({{"parameters", -1}, {"apportion_factors", -1}, {name, -1}},
            absl::StrCat("apportion factor ", name, " must be positive"));
      }
    }
  }

  const v1::IndicatorStandard& standard_;
  // Views into `standard_`, which outlives the checker.
  absl::flat_hash_set<absl::string_view> areas_;
  absl::flat_hash_set<absl::string_view> codes_;
  std::vector<StandardProblem> problems_;
};

}  // namespace

std::string FieldPathString(const FieldPath& path) {
  std::string text;
  for (const FieldPathSegment& segment : path) {
    if (!text.empty()) text += '.';
    absl::StrAppend(&text, segment.field);
    if (segment.index >= 0) absl::StrAppend(&text, "[", segment.index, "]");
  }
  return text;
}

std::vector<StandardProblem> FindProblems(
    const v1::IndicatorStandard& standard) {
  return Checker(standard).Run();
}

absl::Status CheckEvaluable(const v1::IndicatorStandard& standard) {
  std::vector<StandardProblem> problems = FindProblems(standard);
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "standard \"", standard.id(), "\" cannot be evaluated: ",
      FieldPathString(problems.front().path), ": ", problems.front().message));
}

absl::StatusOr<CheckedStandard> CheckedStandard::Check(
    const v1::IndicatorStandard& standard) {
  absl::Status status = CheckEvaluable(standard);
  if (!status.ok()) return status;
  return CheckedStandard(standard);
}

}  // namespace junheng::checklist
