// The human-readable text of results: indicator labels with their Chinese
// names, values against thresholds, shortfalls. Reports show these strings
// verbatim, so they are built in one place.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_

#include <string>

#include "checklist_service/evaluator/verdict.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// A result for `indicator` with its code, names, area and scope filled in and
// nothing evaluated yet.
IndicatorResult NewResult(const junheng::v1::Indicator& indicator);

// "R1 每百名学生拥有高于规定学历教师数".
std::string Label(const IndicatorResult& result);

// "3.8，标准 ≥ 4.2" or "未填报，标准 ≥ 4.2".
std::string ValueText(const Measurement& measurement);

// "需增加 2 名教师", "需减少 7 人", "差 2.5 个百分点".
std::string ShortfallText(const Shortfall& shortfall);

// A measurement's sentence for reasons: "小学 3.8，标准 ≥ 4.2，需增加 2
// 名教师".
std::string MeasurementSentence(const Measurement& measurement);

// The Chinese name of a measure ("backbone_share" →
// "骨干教师占交流轮岗教师比例");
// "" for the single value.
std::string MeasureNameZh(absl::string_view measure);

// Appends to `result.reasons` one sentence per failing measurement that has a
// threshold:
// "G11 …：骨干教师占交流轮岗教师比例 0.15，标准 ≥ 0.2，差 5 个百分点".
void AddFailureReasons(IndicatorResult& result);

// Sets the outcome from the measurements (any failure fails; see Combine)
// and adds the failure reasons.
void ConcludeFromMeasurements(IndicatorResult& result);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_
