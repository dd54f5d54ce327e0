// The human-readable text of verdicts: indicator labels with their Chinese
// names, values against thresholds, shortfalls, the school rule, failing
// items. The evaluator keeps its verdicts as structured data (verdict.h);
// these functions render them where a person reads them (the gRPC replies'
// reasons, reports), always to the same sentences, so they are built in one
// place.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_

#include <array>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "checklist_service/evaluator/verdict.h"
#include "common/school_item_reason.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// A result for `indicator` with its code, names, area and scope filled in and
// nothing evaluated yet.
IndicatorResult NewResult(const junheng::v1::Indicator& indicator);

// The same, in place: fills in a default-constructed `*result`. `code` is
// indicator.code(), which a plan looks up once for the thousands of results
// a county has of the same indicator. Inline: it is three stores.
inline void StartResult(const junheng::v1::Indicator& indicator,
                        absl::string_view code, IndicatorResult* result) {
  result->code = code;
  result->indicator = &indicator;
  result->scope = indicator.scope();
}
inline void StartResult(const junheng::v1::Indicator& indicator,
                        IndicatorResult* result) {
  StartResult(indicator, indicator.code(), result);
}

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

// The sentence of one of `result.notes`: "R1 …：p_teachers 未填报".
std::string NoteText(const IndicatorResult& result, const Note& note);

// Marks the point of `result.notes` where its failing measurements are
// explained: one sentence per failing measurement that has a threshold,
// "G11 …：骨干教师占交流轮岗教师比例 0.15，标准 ≥ 0.2，差 5 个百分点",
// rendered by Reasons().
void AddFailureReasons(IndicatorResult& result);

// Sets the outcome from the measurements (any failure fails; see Combine)
// and adds the failure reasons.
void ConcludeFromMeasurements(IndicatorResult& result);

// Every reason `result` fails or is not reported: its notes, with the
// failing measurements' sentences where AddFailureReasons put them.
std::vector<std::string> Reasons(const IndicatorResult& result);

// Where failing measurements' sentences were last written, so that a school
// part's sentence, which quotes its failing indicators', copies them instead
// of rendering their figures again: a full reply writes every failing
// indicator's reasons and then its part's, and formatting the figures was
// most of the cost of both. Holds places in strings the caller keeps (they
// may grow, but what was written stays); remembers the last kCapacity.
class WrittenSentences {
 public:
  void Clear() { size_ = 0; }
  void Remember(const Measurement* measurement, const std::string* text,
                size_t begin) {
    if (size_ < kCapacity) {
      entries_[size_++] = {measurement, text, begin, text->size() - begin};
    }
  }
  // The sentence written for `measurement`, or nullptr data when none was.
  absl::string_view Find(const Measurement* measurement) const {
    for (int i = 0; i < size_; ++i) {
      if (entries_[i].measurement == measurement) {
        return absl::string_view(*entries_[i].text)
            .substr(entries_[i].begin, entries_[i].size);
      }
    }
    return {};
  }

 private:
  struct Entry {
    const Measurement* measurement;
    const std::string* text;
    size_t begin;
    size_t size;
  };
  // A school part has at most a dozen indicators in the school rule.
  static constexpr int kCapacity = 16;
  std::array<Entry, kCapacity> entries_;
  int size_ = 0;
};

// Reasons(result), each appended to the string `next()` returns (a reply's
// own, so that none is built aside and moved; the same string each time
// when the caller keeps the sentences one after another); the failing
// measurements' sentences are remembered in `*written` when it is given.
// Returns how many.
int WriteReasons(const IndicatorResult& result,
                 absl::FunctionRef<std::string*()> next,
                 WrittenSentences* written = nullptr);

// The last of Reasons(result), or its label when it has none.
std::string LastReasonOrLabel(const IndicatorResult& result);

// Why a school part fails the school rule or cannot be judged:
// "小学部未达标：5 项达标，2 项未达标，须至少 6 项达标（共 7
// 项）且未达标项不低于 标准的 85%。未达标项：R1 …（小学 3.8，标准 ≥ 4.2，需增加
// 2 名教师）；…". Empty when it passes (or the standard has no school rule).
std::vector<std::string> LevelReasons(const SchoolLevelVerdict& part);

// LevelReasons(part) written as WriteReasons does; a failing indicator's
// sentence found in `written` (its measurement's, as WriteReasons wrote it)
// is copied from there. Returns how many (0 or 1).
int WriteLevelReasons(const SchoolLevelVerdict& part,
                      absl::FunctionRef<std::string*()> next,
                      const WrittenSentences* written = nullptr);

// The explanation of one of `verdict.failing_items`.
std::string FailingReason(const CountyVerdict& verdict,
                          const FailingItem& item);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_REASONS_H_
