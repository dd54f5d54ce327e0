// Plain output types of the evaluator: everything a report shows, kept
// complete so the gRPC adapter can convert them to protos without
// recomputing anything.
//
// A verdict is structured data: outcomes, quantities, shortfalls and units.
// The Chinese sentences a person reads are rendered from it on demand
// (reasons.h): a county verdict holds thousands of results, and building
// their sentences eagerly was most of an evaluation's cost, for text that a
// summary or a machine reader never looks at. Only explanations the
// structure does not carry are kept in `notes`: which input is blank, as
// its column's name; what a judgement said, as text.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_VERDICT_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_VERDICT_H_

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "checklist_service/evaluator/outcome.h"
#include "checklist_service/evaluator/stats.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// What it takes to pass: an amount to add (for a floor) or to remove (for a
// ceiling). Counts of whole things (teachers, classrooms, rooms, computers,
// books) are rounded up to whole units; areas and money up to whole m² and
// yuan; rates are in percentage points, unrounded.
struct Shortfall {
  double amount = 0;
  // The amount must be removed (a ceiling: students over a class or school
  // size) rather than added.
  bool reduce = false;
  // Machine-readable unit: "teachers", "m2", "yuan", "classrooms", "rooms",
  // "computers", "books", "students", "percentage_points", "points",
  // "levels", "yuan_per_student", "yuan_per_teacher". Units, measures and
  // their Chinese names are static strings of the evaluator.
  absl::string_view unit;
  // For people: "名教师", "平方米", "元", "间", …
  absl::string_view unit_zh;
};

// One of a result's notes, kept as its parts. At a school nearly every note
// says which input is blank, and writing that sentence while evaluating cost
// more than the comparison it explains (a county has hundreds). Rendered by
// Reasons() (reasons.h): each form after the result's label, "R1 …：", a
// kText note as it is.
struct Note {
  enum class Kind : uint8_t {
    // `text`, verbatim.
    kText,
    // "{label}：{prefix}{column} 未填报".
    kBlank,
    // "{label}：{prefix}{column} 未填报，无法计算".
    kBlankCannotCompute,
    // "{label}：{column} 与 {prefix}{column} 均未填报": a shared resource
    // reported neither for the whole school nor for the part.
    kBlankSharedAndPart,
    // "{label}：无法分摊全校共用资源 {column}：各学段在校生数（p_students,
    // j_students[, h_students]）未填齐".
    kNoShare,
    // "{label}：{column}", where `column` is a phrase ("未落实").
    kPhrase,
  };

  static Note Text(std::string text) {
    Note note;
    note.text = std::move(text);
    return note;
  }
  // `prefix` ("p_", "j_" or "") and `column` are static strings.
  static Note Blank(absl::string_view prefix, absl::string_view column,
                    Kind kind = Kind::kBlank) {
    Note note;
    note.kind = kind;
    note.prefix = prefix;
    note.column = column;
    return note;
  }
  static Note Phrase(absl::string_view phrase) {
    return Blank("", phrase, Kind::kPhrase);
  }

  Kind kind = Kind::kText;
  // kNoShare: the school also has a senior-high part (h_students).
  bool twelve_year = false;
  absl::string_view prefix;
  absl::string_view column;
  std::string text;
};

// One measured value against one threshold.
struct Measurement {
  // User-provided so that `emplace_back()` initializes only the members
  // below: value-initializing the implicit constructor zeroed every byte
  // first (rep stos), for each of a county's ~4,000 measurements.
  Measurement() {}  // NOLINT(modernize-use-equals-default)

  // Empty for the indicator's single value; otherwise the part of a
  // multi-part indicator, e.g. "backbone_share", "music_rooms".
  absl::string_view measure;
  // nullopt: an input is not reported or the value cannot be computed.
  // Unrounded; decisions are exact (exact.h), this double is for display.
  std::optional<double> value;
  // For a per-student ratio: the amount of the resource the part has
  // (teachers, m², yuan, …), apportioned where shared.
  std::optional<double> quantity;
  // nullopt for a coefficient-only indicator (2012 B1–B8).
  std::optional<double> threshold;
  // Beside the other small fields: 136 bytes rather than 144 with padding.
  junheng::v1::Level level = junheng::v1::LEVEL_ALL;
  junheng::v1::Comparison comparison = junheng::v1::COMPARISON_UNSPECIFIED;
  Outcome outcome = Outcome::kNotReported;
  // For a failing school-level indicator under the school rule: the value is
  // also below the rule's floor (85% of the threshold).
  bool below_floor = false;
  // Set when the outcome is kFail.
  std::optional<Shortfall> shortfall;
};

// A result's measurements: the usual one inline, more (G3's four, G5's two
// at a nine-year school) from the allocator's memory resource, which for a
// county verdict's per-school results is its arena: on the heap each of
// those cost a malloc and a free, more than any other part of a county's
// evaluation. A copy's are on the heap, independent of the arena, as a
// copied verdict's must be; assigning between resources copies.
class Measurements
    : public absl::InlinedVector<Measurement, 1,
                                 std::pmr::polymorphic_allocator<Measurement>> {
  using Base =
      absl::InlinedVector<Measurement, 1,
                          std::pmr::polymorphic_allocator<Measurement>>;

 public:
  using Base::Base;
  Measurements() = default;
  Measurements(const Measurements& other)
      : Base(other, allocator_type(std::pmr::new_delete_resource())) {}
  Measurements(Measurements&& other) noexcept = default;
  Measurements& operator=(const Measurements& other) {
    Base::operator=(other);
    return *this;
  }
  // absl's move assignment takes the other's memory without its allocator.
  Measurements& operator=(Measurements&& other) {
    if (get_allocator() == other.get_allocator()) {
      Base::operator=(std::move(other));
    } else {
      Base::operator=(static_cast<const Base&>(other));
    }
    return *this;
  }
  ~Measurements() = default;
  void swap(Measurements&) = delete;
};

// Whether the evidence an indicator's standard expects is in the archive.
enum class EvidenceState {
  // The archive was not asked, or did not answer.
  kUnknown,
  // Every expected place has live evidence for the indicator.
  kPresent,
  // Some expected place has none (see missing_evidence_at).
  kMissing,
  // The indicator expects no evidence.
  kNotExpected,
};

// One indicator at one place: a school part (R1 of a school's primary part),
// a school (G3 at one school) or the county (G11).
struct IndicatorResult {
  // User-provided, as Measurement's: no zeroing before the initializers.
  IndicatorResult() {}  // NOLINT(modernize-use-equals-default)
  // Its measurements and notes in `memory` (a county verdict's arena).
  explicit IndicatorResult(std::pmr::memory_resource* memory)
      : measurements(memory), notes(memory) {}

  // The indicator's code, in the standard (which outlives the verdict).
  absl::string_view code;
  // The indicator of the standard evaluated against, for its names and area:
  // a county verdict holds thousands of results, and copying the standard's
  // Chinese names into each was most of its cost. The standard outlives the
  // verdict.
  const junheng::v1::Indicator* indicator = nullptr;
  junheng::v1::Scope scope = junheng::v1::SCOPE_UNSPECIFIED;
  Outcome outcome = Outcome::kNotReported;
  // Inline: all but a few per-school checks (G3's four, G5's two at a
  // nine-year school) have one, and a county verdict holds thousands of
  // results, so a second inline slot cost more in size than it saved in
  // allocations.
  Measurements measurements;
  // Inspector's judgement, when the indicator needs one: kPass, kFail or
  // kNotReported (none recorded); kNotApplicable otherwise (always at a
  // school or a school part).
  Outcome judgement = Outcome::kNotApplicable;
  // Why it fails or is not reported, where the measurements cannot say it:
  // an input not reported, a judgement, a county-level summary. The failing
  // measurements' own sentences are rendered on demand at position
  // `measurement_reasons_at` of these (Reasons() in reasons.h renders all).
  std::pmr::vector<Note> notes;
  // -1: the failing measurements are not explained (not concluded yet).
  int measurement_reasons_at = -1;
  // A SCOPE_SCHOOL_LEVEL result counted by the standard's school rule.
  bool in_school_rule = false;
};

// A county-level result (an area's indicator): what only the county has. Kept
// out of IndicatorResult because a county verdict holds some 4,000
// per-school results and a dozen or two of these, and the per-school ones
// were mostly these empty fields (336 bytes a result, most of the memory a
// county's evaluation wrote).
struct CountyIndicatorResult : IndicatorResult {
  std::string judgement_comment;
  std::vector<std::string> judgement_evidence;
  // For a SCOPE_SCHOOL indicator: the covered schools that do not pass
  // (failing or not reported), by school code.
  std::vector<std::string> schools_not_passing;
  // Set by JudgeEvidence (evidence.h).
  EvidenceState evidence = EvidenceState::kUnknown;
  // Where expected evidence is missing: "counties/C" or
  // "counties/C/schools/S".
  std::vector<std::string> missing_evidence_at;
};

// The school-level indicators of one part of one counted school, and the
// per-school rule (6 of 7 with the 85% floor) applied to them.
struct SchoolLevelVerdict {
  SchoolLevelVerdict() = default;
  // Its results in `memory` (a county verdict's arena).
  explicit SchoolLevelVerdict(std::pmr::memory_resource* memory)
      : indicators(memory) {}

  junheng::v1::Level level = junheng::v1::LEVEL_PRIMARY;
  std::optional<int64_t> students;
  // The school rule's outcome; kNotApplicable when the standard has no school
  // rule (2012).
  Outcome outcome = Outcome::kNotReported;
  // Every SCOPE_SCHOOL_LEVEL indicator of the standard, in its order, each
  // with one Measurement for this level. In a county verdict these live in
  // its arena (CountyVerdict::arena); a copy is on the heap.
  std::pmr::vector<IndicatorResult> indicators;
  // Counts over the school rule's indicators.
  int rule_indicators = 0;
  int met = 0;
  int missed = 0;
  int below_floor = 0;
  int not_reported = 0;
  // The school rule's terms, for its sentence (LevelReasons in reasons.h).
  int min_met = 0;
  double floor_fraction = 0;
};

enum class Inclusion {
  // Counted for the resource indicators and the coefficients.
  kCounted,
  // Special-education school, or teaching point under the cut-off.
  kExcluded,
  // A teaching point whose student count is not reported: the cut-off cannot
  // be applied.
  kUnknown,
};

struct SchoolVerdict {
  SchoolVerdict() = default;
  // Its parts and checks in `memory` (a county verdict's arena).
  explicit SchoolVerdict(std::pmr::memory_resource* memory)
      : levels(memory), checks(memory) {}

  std::string school_code;
  std::string school_name;
  SchoolType type = SchoolType::kPrimary;
  Inclusion inclusion = Inclusion::kCounted;
  // Why the school is excluded or its inclusion unknown.
  std::string inclusion_reason;
  // Combines the levels' school rule and the per-school checks.
  Outcome outcome = Outcome::kNotReported;
  // The school's parts with students, primary first; empty unless counted.
  std::pmr::vector<SchoolLevelVerdict> levels;
  // The SCOPE_SCHOOL indicators covering this school (G3, G4, G5, G12, Q3,
  // Q4), without the county-level judgement part.
  std::pmr::vector<IndicatorResult> checks;

  // Leaves `levels` and `checks` empty without destroying what they held:
  // for the schools of a county verdict, whose parts and checks are in its
  // arena, which is released whole. Destroying them one by one read all of
  // a county's results again (a megabyte) to free nothing, a twentieth of
  // an evaluation. Precondition: nothing in them holds memory outside the
  // arena, which is so for what the evaluator writes (a school's notes are
  // never kText; their other parts are static strings).
  void AbandonArenaParts() {
    std::pmr::memory_resource* memory = levels.get_allocator().resource();
    // Reusing their storage ends their lifetime ([basic.life]); nothing
    // depends on what their destructors would have done.
    new (&levels) std::pmr::vector<SchoolLevelVerdict>(memory);
    new (&checks) std::pmr::vector<IndicatorResult>(memory);
  }
};

// The student-weighted inter-school difference coefficient of one indicator
// at one level.
struct CoefficientResult {
  std::string code;
  std::string name_zh;
  std::string name_en;
  junheng::v1::Level level = junheng::v1::LEVEL_PRIMARY;
  // Counted school parts at this level and their students (N).
  int schools = 0;
  int64_t students = 0;
  // X̄: total resource per student (per 100 students) in the county.
  std::optional<double> county_value;
  // S, the student-weighted standard deviation.
  std::optional<double> std_dev;
  // CV = S / X̄, unrounded.
  std::optional<double> coefficient;
  // nullopt when only the composite is limited (2012).
  std::optional<double> limit;
  // kNotApplicable when computed but not limited on its own.
  Outcome outcome = Outcome::kNotReported;
  std::vector<std::string> reasons;
};

// The composite coefficient (2012): the mean of a level's coefficients.
struct CompositeResult {
  junheng::v1::Level level = junheng::v1::LEVEL_PRIMARY;
  std::vector<std::string> codes;
  std::optional<double> value;
  double limit = 0;
  Outcome outcome = Outcome::kNotReported;
  std::vector<std::string> reasons;
};

struct AreaVerdict {
  std::string code;
  std::string name_zh;
  std::string name_en;
  Outcome outcome = Outcome::kNotReported;
  // County-level results of the area's indicators, in the standard's order.
  // A SCOPE_SCHOOL_LEVEL indicator's outcome here is that of its
  // coefficients.
  std::vector<CountyIndicatorResult> indicators;
  // For the school rule's area: the outcome over every counted school part.
  Outcome school_rule = Outcome::kNotApplicable;
  std::vector<std::string> reasons;
};

struct VetoResult {
  std::string code;
  std::string name_zh;
  std::string name_en;
  // kPass: the county is clear of it; kFail: it applies; kNotReported: no
  // judgement recorded.
  Outcome outcome = Outcome::kNotReported;
  std::string comment;
  std::vector<std::string> evidence;
};

// Where in the verdict a failing item's explanation is (FailingReason in
// reasons.h renders it).
enum class ReasonSource : uint8_t {
  // schools[school]: its inclusion is unknown.
  kInclusion,
  // schools[school].levels[index]: the school rule.
  kSchoolRule,
  // coefficients[index].
  kCoefficient,
  // schools[school].checks[index].
  kSchoolCheck,
  // areas[area].indicators[index]: its judgement.
  kJudgement,
  // areas[area].indicators[index].
  kCountyIndicator,
  // composites[index].
  kComposite,
  // vetoes[index].
  kVeto,
};

// One entry of the complete list of what keeps a county from passing.
struct FailingItem {
  // Indicator or veto code (the standard's), "school_rule" for a school part
  // failing the per-school rule, or "composite_coefficient".
  absl::string_view code;
  junheng::v1::Level level = junheng::v1::LEVEL_ALL;
  // kFail or kNotReported.
  Outcome outcome = Outcome::kFail;
  // Its explanation, by position in the verdict; `school` is -1 for
  // county-level items (SchoolOf).
  ReasonSource source = ReasonSource::kCountyIndicator;
  int school = -1;
  int area = -1;
  int index = -1;
};

// Where a county verdict's per-school results are allocated: one arena a
// county, released at once with the verdict. The results of a county are
// thousands of small blocks (a school's parts, each part's results, its
// checks), and allocating and freeing them one by one was a fifth of an
// evaluation.
using VerdictArena = std::pmr::monotonic_buffer_resource;

// A county verdict's hold on the arena of its schools' results. A copy of
// the verdict copies its schools onto the heap, so the copy holds no arena
// (and destroys its schools one by one).
class VerdictArenaHold {
 public:
  VerdictArenaHold() = default;
  // An arena whose first block has `initial_bytes`.
  explicit VerdictArenaHold(size_t initial_bytes)
      : arena_(std::make_unique<VerdictArena>(initial_bytes)) {}
  VerdictArenaHold(const VerdictArenaHold&) {}
  VerdictArenaHold(VerdictArenaHold&&) noexcept = default;
  VerdictArenaHold& operator=(const VerdictArenaHold&) = delete;
  VerdictArenaHold& operator=(VerdictArenaHold&&) noexcept = default;
  ~VerdictArenaHold() = default;

  // Null for a copy or a verdict built by hand.
  VerdictArena* get() const { return arena_.get(); }

 private:
  std::unique_ptr<VerdictArena> arena_;
};

struct CountyVerdict {
  CountyVerdict() = default;
  // A copy's schools are on the heap, independent of `other`'s arena.
  CountyVerdict(const CountyVerdict& other) = default;
  CountyVerdict(CountyVerdict&& other) noexcept = default;
  CountyVerdict& operator=(const CountyVerdict& other) {
    // Copied first, so that no result of *this is allocated in an arena
    // that the assignment of `arena` then releases.
    return *this = CountyVerdict(other);
  }
  // `schools` before `arena` (declaration order): the old schools are
  // destroyed while their arena is still held.
  CountyVerdict& operator=(CountyVerdict&& other) noexcept = default;
  // The schools go before their arena; what of them is in the arena goes
  // with it.
  ~CountyVerdict() {
    if (arena.get() != nullptr) {
      for (SchoolVerdict& school : schools) school.AbandonArenaParts();
    }
    schools.clear();
  }

  std::string standard_id;
  std::string county_code;
  std::string county_name;
  int year = 0;
  // kPass only when every area passes and every veto item is judged clear.
  Outcome outcome = Outcome::kNotReported;
  std::vector<SchoolVerdict> schools;
  // Every (difference-coefficient indicator, level), primary first.
  std::vector<CoefficientResult> coefficients;
  // Under COEFFICIENT_METHOD_COMPOSITE_MEAN, one per level.
  std::vector<CompositeResult> composites;
  std::vector<AreaVerdict> areas;
  std::vector<VetoResult> vetoes;
  // Everything failing, then everything not reported, each in report order.
  std::vector<FailingItem> failing_items;
  // Whether the archive's evidence index was consulted (JudgeEvidence).
  bool evidence_checked = false;
  // Holds the memory of `schools`' parts and checks (none for a copy or a
  // verdict built by hand, whose schools use the heap).
  VerdictArenaHold arena;
};

// The school a failing item is at, or nullptr for a county-level item.
inline const SchoolVerdict* SchoolOf(const CountyVerdict& verdict,
                                     const FailingItem& item) {
  return item.school < 0 ? nullptr : &verdict.schools[item.school];
}

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_VERDICT_H_
