#include "checklist_service/evaluator/school_checks.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
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

// The level and measure of each CheckThreshold, in its order.
struct ThresholdKey {
  v1::Level level;
  absl::string_view measure;
};
constexpr ThresholdKey kThresholdKeys[kCheckThresholds] = {
    {v1::LEVEL_ALL, ""},
    {v1::LEVEL_PRIMARY, ""},
    {v1::LEVEL_JUNIOR, ""},
    {v1::LEVEL_ALL, "classes_per_room"},
    {v1::LEVEL_ALL, "music_room_area_m2"},
    {v1::LEVEL_ALL, "art_room_area_m2"},
    {v1::LEVEL_ALL, "single_level_school"},
    {v1::LEVEL_ALL, "through_school"},
};

// Adds to `result` a measurement against threshold `which` of the plan's
// indicator (its level and measure), value unset. Built in place: a county
// verdict holds a couple of thousand of these, and copying each in cost more
// than deciding it.
Measurement& Start(IndicatorResult& result, const SchoolCheckPlan& plan,
                   CheckThreshold which) {
  const ThresholdKey& key = kThresholdKeys[static_cast<int>(which)];
  Measurement& m = result.measurements.emplace_back();
  m.level = key.level;
  m.measure = key.measure;
  if (const v1::Threshold* t = plan.Threshold(which)) {
    m.threshold = t->value();
    m.comparison = t->comparison();
  }
  return m;
}

// Decides `m` exactly from its value (within `value_error` of the exact
// value `exact` gives) and threshold; `shortfall` gives the amount to add or
// remove when it fails.
template <typename ShortfallFn>
void Decide(Measurement& m, double value_error, ExactValue exact,
            const char* unit, const char* unit_zh, ShortfallFn shortfall) {
  if (!m.value.has_value() || !m.threshold.has_value()) {
    m.outcome = Outcome::kNotReported;
  } else if (MeetsExact(*m.value, value_error, m.comparison, *m.threshold,
                        exact)) {
    m.outcome = Outcome::kPass;
  } else {
    m.outcome = Outcome::kFail;
    m.shortfall = Shortfall{shortfall(*m.value, *m.threshold),
                            !HigherIsBetter(m.comparison), unit, unit_zh};
  }
}

// A figure that is a whole number (a count) or a reported decimal: exact
// as the decimal it was reported as.
void DecideFigure(Measurement& m, const char* unit, const char* unit_zh,
                  absl::FunctionRef<double(double, double)> shortfall) {
  if (!m.value.has_value() || !m.threshold.has_value()) {
    m.outcome = Outcome::kNotReported;
  } else if (Satisfies(CompareReported(*m.value, *m.threshold), m.comparison)) {
    m.outcome = Outcome::kPass;
  } else {
    m.outcome = Outcome::kFail;
    m.shortfall = Shortfall{shortfall(*m.value, *m.threshold),
                            !HigherIsBetter(m.comparison), unit, unit_zh};
  }
}

// Whether `x` is a whole number that a double holds exactly, with room for
// a sum or product of two such below 2⁵³.
bool SmallWhole(double x) {
  return std::fabs(x) <= 0x1p26 && x == std::trunc(x);
}

// ⌈a − b⌉ for reported figures a and b, exactly.
double CeilDifference(double a, double b) {
  // Counts are whole: their difference in doubles is exact, and it is the
  // common case that the interval test below cannot settle (an integer
  // lies on its own boundary), which sent it to rationals.
  if (SmallWhole(a) && SmallWhole(b)) return a - b;
  const double error = kUnitRoundoff * (std::fabs(a) + std::fabs(b)) +
                       kUnitRoundoff * std::fabs(a - b);
  return CeilExact(a - b, error, [a, b] {
    return mpq_class(ReportedDecimal(a) - ReportedDecimal(b));
  });
}

// ⌈t·base − have⌉, at least 1, for reported figures, exactly: what to add
// so that have / base meets t.
double WholeUp(double t, double base, double have) {
  // Whole figures: t·base − have in doubles is exact (each below 2²⁶).
  if (SmallWhole(t) && SmallWhole(base) && SmallWhole(have)) {
    return std::max(1.0, t * base - have);
  }
  const double error =
      3 * kUnitRoundoff * (std::fabs(t * base) + std::fabs(have));
  return std::max(
      1.0, CeilExact(t * base - have, error, [&] {
        return mpq_class(ReportedDecimal(t) * ReportedDecimal(base) -
                         ReportedDecimal(have));
      }));
}

// Σ of a per-part count over the school's parts; nullopt if any is blank.
template <typename Field>
std::optional<int64_t> SumParts(const SchoolStats& school, Field field,
                                IndicatorResult& result, const char* column) {
  int64_t sum = 0;
  for (v1::Level level : PartsOf(school.type)) {
    const std::optional<int64_t>& value = PartStats(school, level).*field;
    if (!value.has_value()) {
      result.notes.push_back(Note::Blank(Prefix(level), column));
      return std::nullopt;
    }
    sum += *value;
  }
  return sum;
}

void NotReported(IndicatorResult& result, const char* column) {
  result.notes.push_back(Note::Blank("", column));
}

void MusicArtRooms(const SchoolCheckPlan& plan, const SchoolStats& school,
                   IndicatorResult& result) {
  const std::optional<int64_t> classes =
      SumParts(school, &LevelStats::classes, result, "classes");
  const v1::Threshold* per_room =
      plan.Threshold(CheckThreshold::kClassesPerRoom);
  std::optional<double> required;
  if (classes.has_value() && per_room != nullptr && per_room->value() > 0) {
    // ⌈classes / per room⌉ rooms of each kind, at least one.
    const double c = static_cast<double>(*classes);
    const double per = per_room->value();
    if (per == std::floor(per) && per < 1e9) {
      // A whole number of classes per room (12): integer division, exact.
      const int64_t whole = static_cast<int64_t>(per);
      required = std::max<double>(
          1.0, static_cast<double>((*classes + whole - 1) / whole));
    } else {
      required = std::max(
          1.0, CeilExact(c / per, 2 * kUnitRoundoff * (c / per), [c, per] {
            return mpq_class(ReportedDecimal(c) / ReportedDecimal(per));
          }));
    }
  }
  struct Kind {
    absl::string_view rooms_measure;
    CheckThreshold area;
    const std::optional<int64_t>& rooms;
    const std::optional<double>& min_area;
    const char* rooms_column;
    const char* area_column;
    const char* unit_zh;
  };
  const Kind kinds[] = {
      {"music_rooms", CheckThreshold::kMusicRoomArea, school.music_rooms,
       school.music_room_min_area_m2, "music_rooms", "music_room_min_area_m2",
       "间音乐专用教室"},
      {"art_rooms", CheckThreshold::kArtRoomArea, school.art_rooms,
       school.art_room_min_area_m2, "art_rooms", "art_room_min_area_m2",
       "间美术专用教室"},
  };
  // Rooms and area of each kind: four, grown once.
  result.measurements.reserve(4);
  for (const Kind& kind : kinds) {
    Measurement& rooms = result.measurements.emplace_back();
    rooms.level = v1::LEVEL_ALL;
    rooms.measure = kind.rooms_measure;
    rooms.threshold = required;
    rooms.comparison = v1::COMPARISON_AT_LEAST;
    if (kind.rooms.has_value()) {
      rooms.value = static_cast<double>(*kind.rooms);
    } else {
      NotReported(result, kind.rooms_column);
    }
    DecideFigure(rooms, "rooms", kind.unit_zh,
                 [](double value, double threshold) {
                   return CeilDifference(threshold, value);
                 });

    // A room's area is only asked of rooms that exist.
    if (kind.rooms.has_value() && *kind.rooms == 0) continue;
    Measurement& area = Start(result, plan, kind.area);
    area.value = kind.min_area;
    if (!kind.min_area.has_value()) NotReported(result, kind.area_column);
    DecideFigure(area, "m2", "平方米（最小教室）",
                 [](double value, double threshold) {
                   return CeilDifference(threshold, value);
                 });
  }
}

void SchoolSize(const SchoolCheckPlan& plan, const SchoolStats& school,
                IndicatorResult& result) {
  const bool through = school.type == SchoolType::kNineYear ||
                       school.type == SchoolType::kTwelveYear;
  Measurement& m = Start(result, plan,
                         through ? CheckThreshold::kThroughSchool
                                 : CheckThreshold::kSingleLevelSchool);
  if (std::optional<int64_t> students =
          SumParts(school, &LevelStats::students, result, "students")) {
    m.value = static_cast<double>(*students);
  }
  DecideFigure(m, "students", "名学生", [](double value, double threshold) {
    return CeilDifference(value, threshold);
  });
}

void ClassSize(const SchoolCheckPlan& plan, const SchoolStats& school,
               IndicatorResult& result) {
  for (v1::Level level : PartsOf(school.type)) {
    const LevelStats& part = PartStats(school, level);
    if (part.students.has_value() && *part.students == 0) continue;
    Measurement& m =
        Start(result, plan,
              level == v1::LEVEL_JUNIOR ? CheckThreshold::kJunior
                                        : CheckThreshold::kPrimary);
    m.measure = "max_class_size";
    if (part.max_class_size.has_value()) {
      m.value = static_cast<double>(*part.max_class_size);
    } else {
      result.notes.push_back(Note::Blank(Prefix(level), "max_class_size"));
    }
    DecideFigure(m, "students", "名学生（最大班额超出部分，需分班）",
                 [](double value, double threshold) {
                   return CeilDifference(value, threshold);
                 });
  }
}

void CertifiedShare(const SchoolCheckPlan& plan, const SchoolStats& school,
                    IndicatorResult& result) {
  Measurement& m = Start(result, plan, CheckThreshold::kWhole);
  absl::InlinedVector<v1::Level, 2> parts(PartsOf(school.type).begin(),
                                          PartsOf(school.type).end());
  if (parts.empty()) {
    // A special-education school reports its teachers under whichever
    // prefixes it uses.
    for (v1::Level level : {v1::LEVEL_PRIMARY, v1::LEVEL_JUNIOR}) {
      if (PartStats(school, level).teachers.has_value()) parts.push_back(level);
    }
    if (parts.empty()) NotReported(result, "p_teachers / j_teachers");
  }
  int64_t teachers = 0;
  int64_t certified = 0;
  bool complete = !parts.empty();
  for (v1::Level level : parts) {
    const LevelStats& part = PartStats(school, level);
    if (!part.teachers.has_value() || !part.certified_teachers.has_value()) {
      result.notes.push_back(Note::Blank(
          Prefix(level),
          part.teachers.has_value() ? "certified_teachers" : "teachers"));
      complete = false;
      continue;
    }
    teachers += *part.teachers;
    certified += *part.certified_teachers;
  }
  if (complete && teachers == 0) {
    m.outcome = Outcome::kNotApplicable;
    return;
  }
  if (complete) {
    m.value = static_cast<double>(certified) / static_cast<double>(teachers);
  }
  const double all = static_cast<double>(teachers);
  const double with = static_cast<double>(certified);
  if (!m.value.has_value() || !m.threshold.has_value()) {
    m.outcome = Outcome::kNotReported;
  } else if (Satisfies(CompareCountRatio(certified, teachers, *m.threshold),
                       m.comparison)) {
    m.outcome = Outcome::kPass;
  } else {
    m.outcome = Outcome::kFail;
    m.shortfall = Shortfall{WholeUp(*m.threshold, all, with),
                            !HigherIsBetter(m.comparison), "teachers",
                            "名教师（需持教师资格证）"};
  }
}

void Charter(const SchoolStats& school, IndicatorResult& result) {
  Measurement& m = result.measurements.emplace_back();
  m.level = v1::LEVEL_ALL;
  m.measure = "has_charter";
  if (!school.has_charter.has_value()) {
    m.outcome = Outcome::kNotReported;
    NotReported(result, "has_charter");
  } else {
    m.value = *school.has_charter ? 1 : 0;
    m.outcome = *school.has_charter ? Outcome::kPass : Outcome::kFail;
    if (!*school.has_charter) {
      result.notes.push_back(Note::Phrase("学校没有经核准的章程"));
    }
  }
}

void TrainingFunds(const SchoolCheckPlan& plan, const SchoolStats& school,
                   IndicatorResult& result) {
  Measurement& m = Start(result, plan, CheckThreshold::kWhole);
  if (!school.public_funds_yuan.has_value()) {
    NotReported(result, "public_funds_yuan");
  }
  if (!school.training_funds_yuan.has_value()) {
    NotReported(result, "training_funds_yuan");
  }
  if (school.public_funds_yuan.has_value() &&
      school.training_funds_yuan.has_value()) {
    if (*school.public_funds_yuan == 0) {
      m.outcome = Outcome::kNotApplicable;
      return;
    }
    m.value = *school.training_funds_yuan / *school.public_funds_yuan;
  }
  const double budget = school.public_funds_yuan.value_or(0);
  const double spent = school.training_funds_yuan.value_or(0);
  Decide(
      m, 2 * kUnitRoundoff,
      [&] {
        return mpq_class(ReportedDecimal(spent) / ReportedDecimal(budget));
      },
      "yuan", "元（教师培训经费）",
      [budget, spent](double, double threshold) {
        return WholeUp(threshold, budget, spent);
      });
}

}  // namespace

SchoolCheckPlan::SchoolCheckPlan(const v1::Indicator& indicator)
    : indicator_(&indicator), code_(indicator.code()) {
  for (int k = 0; k < kCheckThresholds; ++k) {
    thresholds_[k] = FindThreshold(indicator, kThresholdKeys[k].level,
                                   kThresholdKeys[k].measure);
  }
}

IndicatorResult EvaluateSchoolCheck(const v1::Indicator& indicator,
                                    const SchoolStats& school) {
  IndicatorResult result;
  EvaluateSchoolCheck(SchoolCheckPlan(indicator), school, &result);
  return result;
}

void EvaluateSchoolCheck(const SchoolCheckPlan& plan, const SchoolStats& school,
                         IndicatorResult* out) {
  IndicatorResult& result = *out;
  const v1::Indicator& indicator = plan.indicator();
  StartResult(indicator, plan.code(), &result);
  switch (indicator.formula()) {
    case v1::FORMULA_MUSIC_ART_ROOMS:
      MusicArtRooms(plan, school, result);
      break;
    case v1::FORMULA_SCHOOL_SIZE:
      SchoolSize(plan, school, result);
      break;
    case v1::FORMULA_CLASS_SIZE:
      ClassSize(plan, school, result);
      break;
    case v1::FORMULA_CERTIFIED_TEACHER_SHARE:
      CertifiedShare(plan, school, result);
      break;
    case v1::FORMULA_SCHOOL_CHARTER:
      Charter(school, result);
      break;
    case v1::FORMULA_TRAINING_FUNDS_SHARE:
      TrainingFunds(plan, school, result);
      break;
    default:
      result.outcome = Outcome::kNotReported;
      result.notes.push_back(Note::Phrase("不是逐校检查的指标"));
      return;
  }
  ConcludeFromMeasurements(result);
}

}  // namespace junheng::checklist
