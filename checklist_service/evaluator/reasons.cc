#include "checklist_service/evaluator/reasons.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/exact.h"

namespace junheng::checklist {

IndicatorResult NewResult(const junheng::v1::Indicator& indicator) {
  IndicatorResult result;
  result.code = indicator.code();
  result.indicator = &indicator;
  result.scope = indicator.scope();
  return result;
}

std::string Label(const IndicatorResult& result) {
  return absl::StrCat(result.code, " ", result.indicator->name_zh());
}

std::string ValueText(const Measurement& measurement) {
  std::string text;
  if (!measurement.value.has_value()) {
    text = "未填报";
  } else if (measurement.threshold.has_value() &&
             (measurement.outcome == Outcome::kPass ||
              measurement.outcome == Outcome::kFail)) {
    // Enough digits that the figure never contradicts its verdict.
    text = FormatAgainst(*measurement.value, measurement.comparison,
                         *measurement.threshold,
                         measurement.outcome == Outcome::kPass);
  } else {
    text = FormatNumber(*measurement.value);
  }
  if (measurement.threshold.has_value()) {
    absl::StrAppend(&text, "，标准 ", ComparisonSymbol(measurement.comparison),
                    " ", FormatNumber(*measurement.threshold));
  }
  return text;
}

std::string ShortfallText(const Shortfall& shortfall) {
  if (shortfall.unit == "percentage_points" || shortfall.unit == "points" ||
      shortfall.unit == "levels") {
    return absl::StrCat("差 ", FormatNumber(shortfall.amount), " ",
                        shortfall.unit_zh);
  }
  return absl::StrCat(shortfall.reduce ? "需减少 " : "需增加 ",
                      FormatNumber(shortfall.amount), " ", shortfall.unit_zh);
}

std::string MeasurementSentence(const Measurement& measurement) {
  std::string text = LevelNameZh(measurement.level);
  if (!text.empty()) text += " ";
  absl::StrAppend(&text, ValueText(measurement));
  if (measurement.shortfall.has_value()) {
    absl::StrAppend(&text, "，", ShortfallText(*measurement.shortfall));
  }
  return text;
}

std::string MeasureNameZh(absl::string_view measure) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"music_rooms", "音乐专用教室数"},
      {"art_rooms", "美术专用教室数"},
      {"music_room_area_m2", "最小音乐专用教室面积"},
      {"art_room_area_m2", "最小美术专用教室面积"},
      {"single_level_school", "在校生数"},
      {"through_school", "义务教育阶段在校生数"},
      {"rotation_rate", "交流轮岗教师比例"},
      {"backbone_share", "骨干教师占交流轮岗教师比例"},
      {"min_level", "学业水平最低等级"},
      {"interschool_difference", "校际差异率"},
      {"max_class_size", "最大班额"},
  };
  for (const auto& [name, zh] : kNames) {
    if (measure == name) return zh;
  }
  return std::string(measure);
}

void ConcludeFromMeasurements(IndicatorResult& result) {
  Outcome outcome = Outcome::kNotApplicable;
  for (const Measurement& m : result.measurements) {
    outcome = Combine(outcome, m.outcome);
  }
  result.outcome = outcome;
  AddFailureReasons(result);
}

void AddFailureReasons(IndicatorResult& result) {
  for (const Measurement& m : result.measurements) {
    // A flag (has_charter) has no threshold to quote; its caller words it.
    if (m.outcome != Outcome::kFail || !m.threshold.has_value()) continue;
    std::string name = MeasureNameZh(m.measure);
    result.reasons.push_back(absl::StrCat(Label(result), "：", name,
                                          name.empty() ? "" : " ",
                                          MeasurementSentence(m)));
  }
}

}  // namespace junheng::checklist
