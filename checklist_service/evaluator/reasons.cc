#include "checklist_service/evaluator/reasons.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/evaluator/exact.h"

namespace junheng::checklist {

IndicatorResult NewResult(const junheng::v1::Indicator& indicator) {
  IndicatorResult result;
  StartResult(indicator, &result);
  return result;
}

namespace {

// The sentence parts below append to one string: each used to be a string
// of its own, concatenated again by its caller (a full reply renders the
// sentences of every failing school).

void AppendLabel(std::string* out, const IndicatorResult& result) {
  // Appends rather than StrAppend, which zero-fills the room it makes
  // first: a county reply writes thousands of these.
  out->append(result.code.data(), result.code.size())
      .append(" ")
      .append(result.indicator->name_zh());
}

void AppendValueText(std::string* out, const Measurement& measurement) {
  if (!measurement.value.has_value()) {
    out->append("未填报");
  } else if (measurement.threshold.has_value() &&
             (measurement.outcome == Outcome::kPass ||
              measurement.outcome == Outcome::kFail)) {
    // Enough digits that the figure never contradicts its verdict.
    AppendAgainst(out, *measurement.value, measurement.comparison,
                  *measurement.threshold,
                  measurement.outcome == Outcome::kPass);
  } else {
    AppendNumber(out, *measurement.value);
  }
  if (measurement.threshold.has_value()) {
    out->append("，标准 ")
        .append(ComparisonSymbol(measurement.comparison))
        .append(" ");
    AppendNumber(out, *measurement.threshold);
  }
}

void AppendShortfallText(std::string* out, const Shortfall& shortfall) {
  if (shortfall.unit == "percentage_points" || shortfall.unit == "points" ||
      shortfall.unit == "levels") {
    out->append("差 ");
  } else {
    out->append(shortfall.reduce ? "需减少 " : "需增加 ");
  }
  AppendNumber(out, shortfall.amount);
  out->append(" ").append(shortfall.unit_zh.data(), shortfall.unit_zh.size());
}

void AppendMeasurementSentence(std::string* out,
                               const Measurement& measurement) {
  const absl::string_view level = LevelNameZh(measurement.level);
  if (!level.empty()) out->append(level.data(), level.size()).append(" ");
  AppendValueText(out, measurement);
  if (measurement.shortfall.has_value()) {
    out->append("，");
    AppendShortfallText(out, *measurement.shortfall);
  }
}

}  // namespace

std::string Label(const IndicatorResult& result) {
  std::string text;
  AppendLabel(&text, result);
  return text;
}

std::string ValueText(const Measurement& measurement) {
  std::string text;
  AppendValueText(&text, measurement);
  return text;
}

std::string ShortfallText(const Shortfall& shortfall) {
  std::string text;
  AppendShortfallText(&text, shortfall);
  return text;
}

std::string MeasurementSentence(const Measurement& measurement) {
  std::string text;
  AppendMeasurementSentence(&text, measurement);
  return text;
}

namespace {

// MeasureNameZh without a copy; the measure itself when it has no name.
absl::string_view MeasureNameZhView(absl::string_view measure) {
  static const std::pair<absl::string_view, absl::string_view> kNames[] = {
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
  return measure;
}

}  // namespace

std::string MeasureNameZh(absl::string_view measure) {
  return std::string(MeasureNameZhView(measure));
}

std::string NoteText(const IndicatorResult& result, const Note& note) {
  switch (note.kind) {
    case Note::Kind::kText:
      return note.text;
    case Note::Kind::kBlank:
      return absl::StrCat(Label(result), "：", note.prefix, note.column,
                          " 未填报");
    case Note::Kind::kBlankCannotCompute:
      return absl::StrCat(Label(result), "：", note.prefix, note.column,
                          " 未填报，无法计算");
    case Note::Kind::kBlankSharedAndPart:
      return absl::StrCat(Label(result), "：", note.column, " 与 ", note.prefix,
                          note.column, " 均未填报");
    case Note::Kind::kNoShare:
      return absl::StrCat(Label(result), "：无法分摊全校共用资源 ", note.column,
                          "：各学段在校生数（p_students, j_students",
                          note.twelve_year ? ", h_students" : "", "）未填齐");
    case Note::Kind::kPhrase:
      return absl::StrCat(Label(result), "：", note.column);
  }
  return note.text;
}

namespace {

// Appends "R1 …：" and the measure's Chinese name, then the measurement's
// sentence, which `written` then remembers.
void AppendFailureSentence(std::string* text, const IndicatorResult& result,
                           const Measurement& m, WrittenSentences* written) {
  // Room for the sentence at once (label, figures, shortfall: under 256
  // bytes): grown by appends it was copied four times over.
  text->reserve(text->size() + 256);
  AppendLabel(text, result);
  text->append("：");
  if (!m.measure.empty()) {
    const absl::string_view name = MeasureNameZhView(m.measure);
    text->append(name.data(), name.size()).append(" ");
  }
  const size_t sentence = text->size();
  AppendMeasurementSentence(text, m);
  if (written != nullptr) written->Remember(&m, text, sentence);
}

std::string JoinReasons(const std::vector<std::string>& reasons) {
  return absl::StrJoin(reasons, "；");
}

}  // namespace

void ConcludeFromMeasurements(IndicatorResult& result) {
  Outcome outcome = Outcome::kNotApplicable;
  for (const Measurement& m : result.measurements) {
    outcome = Combine(outcome, m.outcome);
  }
  result.outcome = outcome;
  AddFailureReasons(result);
}

void AddFailureReasons(IndicatorResult& result) {
  result.measurement_reasons_at = static_cast<int>(result.notes.size());
}

std::vector<std::string> Reasons(const IndicatorResult& result) {
  std::vector<std::string> out;
  WriteReasons(
      result,
      [&out]() -> std::string* {
        // Most results that say anything say one or two things.
        if (out.empty()) out.reserve(2);
        return &out.emplace_back();
      },
      nullptr);
  return out;
}

int WriteReasons(const IndicatorResult& result,
                 absl::FunctionRef<std::string*()> next,
                 WrittenSentences* written) {
  // Most of a county's results pass and have nothing to say (a full reply
  // asks for thousands).
  if (result.notes.empty() && result.measurement_reasons_at < 0) return 0;
  const size_t at = result.measurement_reasons_at < 0
                        ? result.notes.size()
                        : static_cast<size_t>(result.measurement_reasons_at);
  int count = 0;
  for (size_t i = 0; i < at; ++i, ++count) {
    next()->append(NoteText(result, result.notes[i]));
  }
  if (result.measurement_reasons_at >= 0) {
    for (const Measurement& m : result.measurements) {
      // A flag (has_charter) has no threshold to quote; its caller words
      // it.
      if (m.outcome != Outcome::kFail || !m.threshold.has_value()) continue;
      AppendFailureSentence(next(), result, m, written);
      ++count;
    }
  }
  for (size_t i = at; i < result.notes.size(); ++i, ++count) {
    next()->append(NoteText(result, result.notes[i]));
  }
  return count;
}

std::string LastReasonOrLabel(const IndicatorResult& result) {
  std::vector<std::string> reasons = Reasons(result);
  return reasons.empty() ? Label(result) : std::move(reasons.back());
}

namespace {

// LevelReasons(part) joined by "；", appended to `*out`: a failing item's
// explanation is written in one string, not assembled from copies (a
// summary reply renders hundreds).
void AppendLevelReasons(std::string* out, const SchoolLevelVerdict& part,
                        const WrittenSentences* written = nullptr) {
  if (part.outcome == Outcome::kFail) {
    // The sentence quotes each failing indicator's (about 150 bytes).
    out->reserve(out->size() + 160 + 160 * static_cast<size_t>(part.missed));
    const std::string floor = FormatNumber(part.floor_fraction * 100);
    absl::StrAppend(out, LevelNameZh(part.level), "部未达标：", part.met,
                    " 项达标，", part.missed, " 项未达标，须至少 ",
                    part.min_met, " 项达标（共 ", part.rule_indicators);
    absl::StrAppend(out, " 项）且未达标项不低于标准的 ", floor,
                    "%。未达标项：");
    bool first = true;
    for (const IndicatorResult& result : part.indicators) {
      if (!result.in_school_rule || result.measurements.empty()) continue;
      const Measurement& m = result.measurements.front();
      if (m.outcome != Outcome::kFail) continue;
      if (!first) out->append("；");
      first = false;
      AppendLabel(out, result);
      out->append("（");
      const absl::string_view said =
          written != nullptr ? written->Find(&m) : absl::string_view();
      if (said.data() != nullptr) {
        out->append(said.data(), said.size());
      } else {
        AppendMeasurementSentence(out, m);
      }
      if (m.below_floor) absl::StrAppend(out, "，低于标准的 ", floor, "%");
      out->append("）");
    }
    return;
  }
  if (part.outcome == Outcome::kNotReported) {
    std::vector<std::string> missing;
    for (const IndicatorResult& result : part.indicators) {
      if (!result.in_school_rule || result.measurements.empty()) continue;
      const Outcome o = result.measurements.front().outcome;
      if (o == Outcome::kPass || o == Outcome::kFail) continue;
      missing.push_back(LastReasonOrLabel(result));
    }
    absl::StrAppend(out, LevelNameZh(part.level), "部无法判定（",
                    part.not_reported, " 项未填报）：");
    absl::StrAppend(out, JoinReasons(missing));
  }
}

}  // namespace

std::vector<std::string> LevelReasons(const SchoolLevelVerdict& part) {
  std::vector<std::string> out;
  WriteLevelReasons(part, [&out] { return &out.emplace_back(); });
  return out;
}

int WriteLevelReasons(const SchoolLevelVerdict& part,
                      absl::FunctionRef<std::string*()> next,
                      const WrittenSentences* written) {
  if (part.outcome != Outcome::kFail && part.outcome != Outcome::kNotReported) {
    return 0;
  }
  AppendLevelReasons(next(), part, written);
  return 1;
}

std::string FailingReason(const CountyVerdict& verdict,
                          const FailingItem& item) {
  switch (item.source) {
    case ReasonSource::kInclusion: {
      const SchoolVerdict& school = verdict.schools[item.school];
      return absl::StrCat(school.school_name, "：", school.inclusion_reason);
    }
    case ReasonSource::kSchoolRule: {
      // SchoolItemReason of LevelReasons (one sentence), written in place.
      const SchoolVerdict& school = verdict.schools[item.school];
      std::string text =
          absl::StrCat(school.school_name, kSchoolItemNameSeparator);
      AppendLevelReasons(&text, school.levels[item.index]);
      return text;
    }
    case ReasonSource::kCoefficient:
      return JoinReasons(verdict.coefficients[item.index].reasons);
    case ReasonSource::kSchoolCheck: {
      const SchoolVerdict& school = verdict.schools[item.school];
      return SchoolItemReason(school.school_name,
                              Reasons(school.checks[item.index]));
    }
    case ReasonSource::kJudgement:
      return LastReasonOrLabel(verdict.areas[item.area].indicators[item.index]);
    case ReasonSource::kCountyIndicator:
      return JoinReasons(
          Reasons(verdict.areas[item.area].indicators[item.index]));
    case ReasonSource::kComposite:
      return JoinReasons(verdict.composites[item.index].reasons);
    case ReasonSource::kVeto: {
      const VetoResult& veto = verdict.vetoes[item.index];
      return absl::StrCat(
          veto.code, " ", veto.name_zh, "：",
          veto.outcome == Outcome::kFail
              ? absl::StrCat("一票否决", veto.comment.empty() ? "" : "（",
                             veto.comment, veto.comment.empty() ? "" : "）")
              : "督导评估结论未记录");
    }
  }
  return "";
}

}  // namespace junheng::checklist
