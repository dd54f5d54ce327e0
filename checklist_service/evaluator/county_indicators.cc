#include "checklist_service/evaluator/county_indicators.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/outcome.h"
#include "checklist_service/evaluator/reasons.h"
#include "checklist_service/standard/formula.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

struct Unit {
  const char* unit;
  const char* unit_zh;
  // Shortfall = |threshold − value| × scale, rounded up when whole.
  double scale;
  bool whole;
};

constexpr Unit kRate = {"percentage_points", "个百分点", 100, false};
constexpr Unit kYuanPerStudent = {"yuan_per_student", "元/生", 1, true};
constexpr Unit kLevels = {"levels", "级", 1, false};
constexpr Unit kDifference = {"points", "（差异率）", 1, false};
constexpr Unit kScore = {"points", "分", 1, false};

// Decides `m` exactly: its double value is within `value_error` of the
// exact value `exact` gives.
void Decide(Measurement& m, const Unit& unit, double value_error,
            ExactValue exact) {
  if (!m.value.has_value() || !m.threshold.has_value()) {
    m.outcome = Outcome::kNotReported;
    return;
  }
  if (MeetsExact(*m.value, value_error, m.comparison, *m.threshold, exact)) {
    m.outcome = Outcome::kPass;
    return;
  }
  m.outcome = Outcome::kFail;
  double amount = std::fabs(*m.threshold - *m.value) * unit.scale;
  if (unit.whole) {
    const double error =
        2 * kUnitRoundoff * (std::fabs(*m.threshold) + std::fabs(*m.value));
    const double threshold = *m.threshold;
    amount = CeilExact(amount, error * unit.scale, [&] {
      mpq_class gap = ReportedDecimal(threshold) - exact();
      if (gap < 0) gap = -gap;
      return mpq_class(gap * ReportedDecimal(unit.scale));
    });
  }
  m.shortfall =
      Shortfall{amount, !HigherIsBetter(m.comparison), unit.unit, unit.unit_zh};
}

// A reported decimal figure: its double is within u/2 of it.
void DecideReported(Measurement& m, const Unit& unit) {
  const double value = m.value.value_or(0);
  Decide(m, unit, kUnitRoundoff, [value] { return ReportedDecimal(value); });
}

Measurement Start(const v1::Indicator& indicator, v1::Level level,
                  const char* measure) {
  Measurement m;
  m.level = level;
  m.measure = measure;
  if (const v1::Threshold* t = FindThreshold(indicator, level, measure)) {
    m.threshold = t->value();
    m.comparison = t->comparison();
  }
  return m;
}

// One measurement of one column.
void FromColumn(const v1::Indicator& indicator, v1::Level level,
                const std::optional<double>& value, const char* column,
                const Unit& unit, IndicatorResult& result) {
  Measurement m = Start(indicator, level, "");
  m.value = value;
  if (!value.has_value()) {
    result.notes.push_back(Note::Blank("", column));
  }
  DecideReported(m, unit);
  result.measurements.push_back(m);
}

template <typename T>
std::optional<double> AsDouble(const std::optional<T>& value) {
  if (!value.has_value()) return std::nullopt;
  return static_cast<double>(*value);
}

// numerator / denominator, or nullopt with a reason when either is blank or
// the denominator is 0.
std::optional<double> Ratio(const std::optional<double>& numerator,
                            const char* numerator_column,
                            const std::optional<double>& denominator,
                            const char* denominator_column,
                            IndicatorResult& result) {
  if (!numerator.has_value()) {
    result.notes.push_back(Note::Blank("", numerator_column));
  }
  if (!denominator.has_value()) {
    result.notes.push_back(Note::Blank("", denominator_column));
  }
  if (!numerator.has_value() || !denominator.has_value()) return std::nullopt;
  if (*denominator == 0) {
    result.notes.push_back(Note::Text(absl::StrCat(
        Label(result), "：", denominator_column, " 为 0，无法计算比例")));
    return std::nullopt;
  }
  return *numerator / *denominator;
}

// numerator / denominator exactly, from the decimals as reported.
mpq_class ExactRatio(double numerator, double denominator) {
  return ReportedDecimal(numerator) / ReportedDecimal(denominator);
}

// ⌈threshold × base − have⌉ (at least 1), exactly: what to add so that
// have / base meets the threshold.
double WholeGap(double threshold, double base, double have) {
  const double gap = threshold * base - have;
  const double error =
      3 * kUnitRoundoff * (std::fabs(threshold * base) + std::fabs(have));
  return std::max(
      1.0, CeilExact(gap, error, [&] {
        return mpq_class(ReportedDecimal(threshold) * ReportedDecimal(base) -
                         ReportedDecimal(have));
      }));
}

// A quotient of two reported figures is within 2u of the exact quotient.
constexpr double kRatioError = 2 * kUnitRoundoff;

void SalaryRatio(const v1::Indicator& indicator, const CountyStats& county,
                 IndicatorResult& result) {
  Measurement m = Start(indicator, v1::LEVEL_ALL, "");
  m.value = Ratio(county.teacher_avg_salary_yuan, "teacher_avg_salary_yuan",
                  county.civil_servant_avg_salary_yuan,
                  "civil_servant_avg_salary_yuan", result);
  const double teachers = county.teacher_avg_salary_yuan.value_or(0);
  const double civil = county.civil_servant_avg_salary_yuan.value_or(1);
  Decide(m, kRate, kRatioError, [&] { return ExactRatio(teachers, civil); });
  if (m.outcome == Outcome::kFail) {
    // The gap in pay, not in ratio, is what a county budgets for.
    m.shortfall = Shortfall{WholeGap(*m.threshold, civil, teachers), false,
                            "yuan_per_teacher", "元/人·年（教师年平均工资）"};
  }
  result.measurements.push_back(m);
}

void Rotation(const v1::Indicator& indicator, const CountyStats& county,
              IndicatorResult& result) {
  const std::optional<double> eligible =
      AsDouble(county.rotation_eligible_teachers);
  const std::optional<double> rotated = AsDouble(county.rotated_teachers);
  const std::optional<double> backbone =
      AsDouble(county.rotated_backbone_teachers);

  Measurement rate = Start(indicator, v1::LEVEL_ALL, "rotation_rate");
  rate.value = Ratio(rotated, "rotated_teachers", eligible,
                     "rotation_eligible_teachers", result);
  Decide(rate, kRate, kRatioError,
         [&] { return ExactRatio(rotated.value_or(0), eligible.value_or(1)); });
  if (rate.outcome == Outcome::kFail) {
    rate.shortfall = Shortfall{WholeGap(*rate.threshold, *eligible, *rotated),
                               false, "teachers", "名交流轮岗教师"};
  }
  result.measurements.push_back(rate);

  Measurement share = Start(indicator, v1::LEVEL_ALL, "backbone_share");
  share.value = Ratio(backbone, "rotated_backbone_teachers", rotated,
                      "rotated_teachers", result);
  Decide(share, kRate, kRatioError,
         [&] { return ExactRatio(backbone.value_or(0), rotated.value_or(1)); });
  if (share.outcome == Outcome::kFail) {
    share.shortfall = Shortfall{WholeGap(*share.threshold, *rotated, *backbone),
                                false, "teachers", "名交流轮岗骨干教师"};
  }
  result.measurements.push_back(share);
}

void Monitoring(const v1::Indicator& indicator, const CountyStats& county,
                IndicatorResult& result) {
  Measurement level = Start(indicator, v1::LEVEL_ALL, "min_level");
  level.value = AsDouble(county.monitoring_min_level);
  if (!level.value.has_value()) {
    result.notes.push_back(Note::Blank("", "monitoring_min_level"));
  }
  DecideReported(level, kLevels);
  result.measurements.push_back(level);

  Measurement difference =
      Start(indicator, v1::LEVEL_ALL, "interschool_difference");
  difference.value = county.monitoring_interschool_difference;
  if (!difference.value.has_value()) {
    result.notes.push_back(
        Note::Blank("", "monitoring_interschool_difference"));
  }
  DecideReported(difference, kDifference);
  result.measurements.push_back(difference);
}

void Flag(const std::optional<bool>& flag, const char* column,
          IndicatorResult& result) {
  Measurement m;
  m.level = v1::LEVEL_ALL;
  m.measure = column;
  if (!flag.has_value()) {
    m.outcome = Outcome::kNotReported;
    result.notes.push_back(Note::Blank("", column));
  } else {
    m.value = *flag ? 1 : 0;
    m.outcome = *flag ? Outcome::kPass : Outcome::kFail;
    if (!*flag) {
      result.notes.push_back(Note::Phrase("未落实"));
    }
  }
  result.measurements.push_back(m);
}

void Score(const v1::Indicator& indicator, const Judgement* judgement,
           CountyIndicatorResult& result) {
  Measurement m = Start(indicator, v1::LEVEL_ALL, "");
  if (judgement != nullptr) {
    m.value = judgement->score;
    result.judgement_comment = judgement->comment;
    result.judgement_evidence = judgement->evidence;
  }
  if (!m.value.has_value()) {
    result.notes.push_back(Note::Phrase("评估得分未记录"));
  }
  DecideReported(m, kScore);
  result.judgement = m.outcome;
  result.measurements.push_back(m);
}

}  // namespace

void ApplyJudgement(const v1::Indicator& indicator, const Judgement* judgement,
                    CountyIndicatorResult& result) {
  if (!indicator.needs_judgement() ||
      indicator.formula() == v1::FORMULA_JUDGEMENT_SCORE) {
    return;
  }
  if (judgement == nullptr || !judgement->passed.has_value()) {
    result.judgement = Outcome::kNotReported;
    result.notes.push_back(Note::Phrase("督导评估结论未记录"));
  } else {
    result.judgement = *judgement->passed ? Outcome::kPass : Outcome::kFail;
    result.judgement_comment = judgement->comment;
    result.judgement_evidence = judgement->evidence;
    if (!*judgement->passed) {
      result.notes.push_back(Note::Text(absl::StrCat(
          Label(result), "：督导评估结论为不达标",
          judgement->comment.empty() ? "" : "（", judgement->comment,
          judgement->comment.empty() ? "" : "）")));
    }
  }
  result.outcome = Combine(result.outcome, result.judgement);
}

CountyIndicatorResult EvaluateCountyIndicator(const v1::Indicator& indicator,
                                              const CountyStats& county,
                                              const Judgement* judgement) {
  CountyIndicatorResult result;
  StartResult(indicator, &result);
  const v1::Level kAll = v1::LEVEL_ALL;
  switch (indicator.formula()) {
    case v1::FORMULA_SMALL_SCHOOLS_FUNDED_AS_100:
      Flag(county.small_schools_funded_as_100, "small_schools_funded_as_100",
           result);
      break;
    case v1::FORMULA_SPECIAL_ED_FUNDS_PER_STUDENT:
      FromColumn(indicator, kAll, county.special_ed_funds_per_student_yuan,
                 "special_ed_funds_per_student_yuan", kYuanPerStudent, result);
      break;
    case v1::FORMULA_TEACHER_SALARY_RATIO:
      SalaryRatio(indicator, county, result);
      break;
    case v1::FORMULA_TRAINING_360H_COMPLETION:
      FromColumn(indicator, kAll, county.training_360h_completion_rate,
                 "training_360h_completion_rate", kRate, result);
      break;
    case v1::FORMULA_TEACHER_ROTATION:
      Rotation(indicator, county, result);
      break;
    case v1::FORMULA_NEARBY_ENROLLMENT:
      FromColumn(indicator, v1::LEVEL_PRIMARY,
                 county.nearby_enrollment_rate_primary,
                 "nearby_enrollment_rate_primary", kRate, result);
      FromColumn(indicator, v1::LEVEL_JUNIOR,
                 county.nearby_enrollment_rate_junior,
                 "nearby_enrollment_rate_junior", kRate, result);
      break;
    case v1::FORMULA_QUALITY_HIGH_SCHOOL_QUOTA:
      FromColumn(indicator, kAll, county.quality_high_school_quota_ratio,
                 "quality_high_school_quota_ratio", kRate, result);
      break;
    case v1::FORMULA_MIGRANT_CHILDREN_PUBLIC:
      FromColumn(indicator, kAll, county.migrant_children_public_ratio,
                 "migrant_children_public_ratio", kRate, result);
      break;
    case v1::FORMULA_JUNIOR_CONSOLIDATION:
      FromColumn(indicator, kAll, county.junior_consolidation_rate,
                 "junior_consolidation_rate", kRate, result);
      break;
    case v1::FORMULA_DISABLED_ENROLLMENT:
      FromColumn(indicator, kAll, county.disabled_enrollment_rate,
                 "disabled_enrollment_rate", kRate, result);
      break;
    case v1::FORMULA_QUALITY_MONITORING:
      Monitoring(indicator, county, result);
      break;
    case v1::FORMULA_SATISFACTION:
      FromColumn(indicator, kAll, county.satisfaction_rate, "satisfaction_rate",
                 kRate, result);
      break;
    case v1::FORMULA_JUDGEMENT:
      break;
    case v1::FORMULA_JUDGEMENT_SCORE:
      Score(indicator, judgement, result);
      break;
    default:
      result.outcome = Outcome::kNotReported;
      result.notes.push_back(Note::Phrase("不是全县层面的指标"));
      return result;
  }
  ConcludeFromMeasurements(result);
  ApplyJudgement(indicator, judgement, result);
  return result;
}

VetoResult EvaluateVeto(const v1::VetoItem& veto, const Judgement* judgement) {
  VetoResult result;
  result.code = veto.code();
  result.name_zh = veto.name_zh();
  result.name_en = veto.name_en();
  if (judgement == nullptr || !judgement->passed.has_value()) {
    result.outcome = Outcome::kNotReported;
    return result;
  }
  result.outcome = *judgement->passed ? Outcome::kPass : Outcome::kFail;
  result.comment = judgement->comment;
  result.evidence = judgement->evidence;
  return result;
}

}  // namespace junheng::checklist
