// The semantic checks of a complete (resolved) standard: every formula
// known, every threshold the formula needs present once at a level it takes
// and in its direction, rules and parameters in range. The loader reports
// each problem with the file, line and field it comes from; the evaluator
// refuses a standard with any problem rather than evaluate with a gap.
#ifndef JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_CHECK_H_
#define JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_CHECK_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// A field of an IndicatorStandard, as the path of (field name, index) from
// the root; index is -1 for a singular field. E.g. indicators[3].thresholds[1]
// .comparison is {{"indicators", 3}, {"thresholds", 1}, {"comparison", -1}}.
struct FieldPathSegment {
  std::string field;
  int index = -1;
};
using FieldPath = std::vector<FieldPathSegment>;

// "indicators[3].thresholds[1].comparison".
std::string FieldPathString(const FieldPath& path);

struct StandardProblem {
  FieldPath path;
  std::string message;
};

// Every problem of `standard`, in file order; empty when it can be
// evaluated. Duplicate codes and enum values that name nothing are included.
std::vector<StandardProblem> FindProblems(
    const junheng::v1::IndicatorStandard& standard);

// OK, or FAILED_PRECONDITION naming the standard, the first problem's field
// and its message.
absl::Status CheckEvaluable(const junheng::v1::IndicatorStandard& standard);

// A standard that CheckEvaluable passed: the proof EvaluateCounty takes to
// skip the check. A service checks each standard once, when it loads it,
// and evaluates counties against it again and again (the check was a
// sixtieth of every evaluation). A view: the standard must outlive it and
// not change.
class CheckedStandard {
 public:
  // `standard`, checked. Errors: those of CheckEvaluable.
  static absl::StatusOr<CheckedStandard> Check(
      const junheng::v1::IndicatorStandard& standard);

  const junheng::v1::IndicatorStandard& standard() const { return *standard_; }

 private:
  explicit CheckedStandard(const junheng::v1::IndicatorStandard& standard)
      : standard_(&standard) {}

  const junheng::v1::IndicatorStandard* standard_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_CHECK_H_
