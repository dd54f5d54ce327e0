#include "checklist_service/evaluator/school_indicators.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/evaluator/apportion.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/evaluator/outcome.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/standard/formula.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

const char* Prefix(v1::Level level) {
  return level == v1::LEVEL_JUNIOR ? "j_" : "p_";
}

// Why PartQuantity found nothing, naming the columns to fill in.
Note MissingReason(const SchoolStats& school, v1::Level level,
                   const FormulaSpec& spec,
                   const v1::ApportionFactors& factors) {
  const char* column = InfoOf(spec.quantity).column;
  const bool shared = spec.quantity != Quantity::kTeachersAboveDegree &&
                      spec.quantity != Quantity::kBackboneTeachers &&
                      spec.quantity != Quantity::kPeArtTeachers &&
                      spec.quantity != Quantity::kTeachers &&
                      spec.quantity != Quantity::kSeniorTitleTeachers;
  if (!shared) return Note::Blank(Prefix(level), column);
  if (!ApportionShare(school, level, factors).has_value()) {
    Note note = Note::Blank("", column, Note::Kind::kNoShare);
    note.twelve_year = school.type == SchoolType::kTwelveYear;
    return note;
  }
  return Note::Blank(Prefix(level), column, Note::Kind::kBlankSharedAndPart);
}

}  // namespace

bool InSchoolRule(const v1::IndicatorStandard& standard,
                  const v1::Indicator& indicator) {
  return standard.has_school_rule() &&
         indicator.scope() == v1::SCOPE_SCHOOL_LEVEL &&
         indicator.area() == standard.school_rule().area();
}

SchoolLevelPlan PlanSchoolLevels(const v1::IndicatorStandard& standard) {
  SchoolLevelPlan plan;
  plan.factors = &standard.parameters().apportion_factors();
  if (standard.has_school_rule()) plan.rule = &standard.school_rule();
  for (const v1::Indicator& indicator : standard.indicators()) {
    if (indicator.scope() != v1::SCOPE_SCHOOL_LEVEL) continue;
    SchoolLevelPlan::Item& item = plan.items.emplace_back();
    item.indicator = &indicator;
    item.code = indicator.code();
    item.spec = FindFormula(indicator.formula());
    if (item.spec != nullptr) item.reader = QuantityReader(item.spec->quantity);
    item.threshold[0] = FindThreshold(indicator, v1::LEVEL_PRIMARY, "");
    item.threshold[1] = FindThreshold(indicator, v1::LEVEL_JUNIOR, "");
    item.in_school_rule = InSchoolRule(standard, indicator);
  }
  return plan;
}

SchoolLevelVerdict EvaluateSchoolLevel(const v1::IndicatorStandard& standard,
                                       const SchoolStats& school,
                                       v1::Level level) {
  return EvaluateSchoolLevel(PlanSchoolLevels(standard), school, level);
}

SchoolLevelVerdict EvaluateSchoolLevel(const SchoolLevelPlan& plan,
                                       const SchoolStats& school,
                                       v1::Level level) {
  SchoolLevelVerdict verdict;
  EvaluateSchoolLevel(plan, school, level, &verdict);
  return verdict;
}

void EvaluateSchoolLevel(const SchoolLevelPlan& plan, const SchoolStats& school,
                         v1::Level level, SchoolLevelVerdict* out) {
  SchoolLevelVerdict& verdict = *out;
  verdict.level = level;
  const LevelStats& part = PartStats(school, level);
  verdict.students = part.students;
  const v1::ApportionFactors& factors = *plan.factors;
  verdict.indicators.reserve(plan.items.size());
  QuantityReader::Share share(school, level, factors);

  for (const SchoolLevelPlan::Item& item : plan.items) {
    const v1::Indicator& indicator = *item.indicator;
    const FormulaSpec* spec = item.spec;
    IndicatorResult& result = verdict.indicators.emplace_back(
        verdict.indicators.get_allocator().resource());
    StartResult(indicator, item.code, &result);
    Measurement& m = result.measurements.emplace_back();
    m.level = level;
    const v1::Threshold* threshold =
        item.threshold[level == v1::LEVEL_JUNIOR ? 1 : 0];
    if (threshold != nullptr) {
      m.threshold = threshold->value();
      m.comparison = threshold->comparison();
    }
    std::optional<double> quantity;
    if (spec == nullptr) {
      result.notes.push_back(Note::Phrase("标准未定义计算公式"));
    } else if (!part.students.has_value()) {
      result.notes.push_back(Note::Blank(Prefix(level), "students",
                                         Note::Kind::kBlankCannotCompute));
    } else {
      quantity = item.reader.Read(school, part, share);
      if (!quantity.has_value()) {
        result.notes.push_back(MissingReason(school, level, *spec, factors));
      }
    }
    // The value Q·per/P: Q within kQuantityError, then a product and a
    // quotient.
    const double value_error = kQuantityError + 2 * kUnitRoundoff;
    const double per = spec == nullptr ? 1 : spec->per_students;
    const double students =
        part.students.has_value() ? static_cast<double>(*part.students) : 0;
    auto exact_quantity = [&] {
      return *ExactPartQuantity(school, level, spec->quantity, factors);
    };
    auto exact_value = [&] {
      return mpq_class(exact_quantity() * mpq_class(per) / mpq_class(students));
    };
    if (quantity.has_value() && *part.students > 0) {
      m.value = *quantity * per / students;
      m.quantity = *quantity;
      if (!m.threshold.has_value()) {
        m.outcome = Outcome::kNotApplicable;
      } else if (MeetsExact(*m.value, value_error, m.comparison, *m.threshold,
                            exact_value)) {
        m.outcome = Outcome::kPass;
      } else {
        m.outcome = Outcome::kFail;
        const QuantityInfo info = InfoOf(spec->quantity);
        const bool higher = HigherIsBetter(m.comparison);
        // What the part needs, T·P/per (within 3u), against what it has.
        const double needed = *m.threshold * students / per;
        double amount = higher ? needed - *quantity : *quantity - needed;
        if (info.whole) {
          const double error = 4 * kUnitRoundoff * std::fabs(needed) +
                               kQuantityError * std::fabs(*quantity) +
                               kUnitRoundoff * std::fabs(amount);
          amount = CeilExact(amount, error, [&] {
            const mpq_class exact_needed = ReportedDecimal(*m.threshold) *
                                           mpq_class(students) / mpq_class(per);
            const mpq_class have = exact_quantity();
            return mpq_class(higher ? exact_needed - have
                                    : have - exact_needed);
          });
        }
        // A strict comparison met exactly still needs one unit more.
        if (amount <= 0) amount = info.whole ? 1 : 0;
        m.shortfall = Shortfall{amount, !higher, info.unit, info.unit_zh};
        result.measurement_reasons_at = static_cast<int>(result.notes.size());
      }
    }
    result.outcome = m.outcome;

    if (!item.in_school_rule) continue;
    result.in_school_rule = true;
    ++verdict.rule_indicators;
    switch (m.outcome) {
      case Outcome::kPass:
        ++verdict.met;
        break;
      case Outcome::kFail: {
        ++verdict.missed;
        // The floor T·f (or T/f for a ceiling): two decimals and one
        // operation, within 2u.
        const double fraction = plan.rule->floor_fraction();
        const bool higher = HigherIsBetter(m.comparison);
        const double floor =
            higher ? *m.threshold * fraction : *m.threshold / fraction;
        const int sign = CompareExact(
            *m.value, value_error, floor, 2 * kUnitRoundoff, exact_value, [&] {
              const mpq_class t = ReportedDecimal(*m.threshold);
              const mpq_class f = ReportedDecimal(fraction);
              return higher ? mpq_class(t * f) : mpq_class(t / f);
            });
        m.below_floor = !Satisfies(sign, m.comparison);
        if (m.below_floor) ++verdict.below_floor;
        break;
      }
      default:
        ++verdict.not_reported;
        break;
    }
  }

  if (plan.rule == nullptr) {
    verdict.outcome = Outcome::kNotApplicable;
    return;
  }
  verdict.min_met = plan.rule->min_met();
  verdict.floor_fraction = plan.rule->floor_fraction();
  const int allowed = verdict.rule_indicators - plan.rule->min_met();
  if (verdict.below_floor > 0 || verdict.missed > allowed) {
    verdict.outcome = Outcome::kFail;
  } else if (verdict.not_reported > 0) {
    verdict.outcome = Outcome::kNotReported;
  } else {
    verdict.outcome = Outcome::kPass;
  }
}

}  // namespace junheng::checklist
