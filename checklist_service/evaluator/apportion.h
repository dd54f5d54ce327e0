// Splitting a nine- or twelve-year school's shared resources (floor area,
// sports area, equipment value, multimedia rooms, computers, books) between
// its primary and junior parts.
//
// A part gets factor × students of the whole, over the sum of factor ×
// students of all parts, the senior part of a twelve-year school included:
// with A, B, C primary, junior and senior students and factors 1 : 1.1 :
// 1.32, the primary part gets A / (A + 1.1·B + 1.32·C). The factors come from
// the standard's parameters; a per-part figure the school reports itself is
// used as is.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_APPORTION_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_APPORTION_H_

#include <gmpxx.h>

#include <optional>

#include "checklist_service/evaluator/stats.h"
#include "checklist_service/standard/formula.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// The share of a whole-school resource that goes to the `level` part of
// `school`: 1 for a school with one part (primary, junior, teaching point);
// the weighted student share for nine- and twelve-year schools. nullopt when
// a student count it needs is not reported or all weighted counts are 0.
std::optional<double> ApportionShare(
    const SchoolStats& school, junheng::v1::Level level,
    const junheng::v1::ApportionFactors& factors);

// ApportionShare in exact arithmetic, from the factors and counts as
// reported.
std::optional<mpq_class> ExactApportionShare(
    const SchoolStats& school, junheng::v1::Level level,
    const junheng::v1::ApportionFactors& factors);

// How much of `quantity` the `level` part of `school` has: teacher counts as
// reported for the part; a shared resource from the part's own column when
// reported, otherwise the whole-school figure times ApportionShare. nullopt
// when not reported (never 0 in its place).
std::optional<double> PartQuantity(
    const SchoolStats& school, junheng::v1::Level level, Quantity quantity,
    const junheng::v1::ApportionFactors& factors);

// PartQuantity with the quantity resolved once to the member it reads: a
// county reads each of its standard's quantities at every school part, and
// finding the member there (two switches, the share recomputed for each
// quantity) was a fifth of evaluating a part.
class QuantityReader {
 public:
  explicit QuantityReader(Quantity quantity = Quantity::kNone);

  // A part's ApportionShare, computed when a whole-school figure first
  // needs it and then kept for the part's other quantities.
  class Share {
   public:
    Share(const SchoolStats& school, junheng::v1::Level level,
          const junheng::v1::ApportionFactors& factors)
        : school_(school), level_(level), factors_(factors) {}
    std::optional<double> Get();

   private:
    const SchoolStats& school_;
    const junheng::v1::Level level_;
    const junheng::v1::ApportionFactors& factors_;
    bool known_ = false;
    std::optional<double> share_;
  };

  // PartQuantity(school, level, quantity, factors), `part` being the
  // level's statistics and `share` its share.
  std::optional<double> Read(const SchoolStats& school, const LevelStats& part,
                             Share& share) const;

  // The members, one set or none (Quantity::kNone): a per-part count, or a
  // shared resource (a decimal or a count) of the part or the whole school.
  struct Members {
    std::optional<int64_t> LevelStats::*count = nullptr;
    std::optional<double> SharedResources::*decimal = nullptr;
    std::optional<int64_t> SharedResources::*whole = nullptr;
  };
  const Members& members() const { return members_; }

 private:
  Members members_;
};

// PartQuantity in exact arithmetic, from the decimals as reported (exact.h):
// what the fast path's double approximates within kQuantityError.
std::optional<mpq_class> ExactPartQuantity(
    const SchoolStats& school, junheng::v1::Level level, Quantity quantity,
    const junheng::v1::ApportionFactors& factors);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_APPORTION_H_
