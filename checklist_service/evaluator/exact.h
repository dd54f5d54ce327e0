// Exact decisions on reported figures.
//
// Every pass/fail decision of the evaluator is exact on the data as
// reported: "4.2 teachers per 100 students" is met by 42 teachers for 1000
// students and missed by 12,499,999.99 yuan for 5,000 students against
// 2,500 yuan a student, by one fen. No tolerance is involved.
//
// How, without paying for rational arithmetic on every figure:
//
//  1. Figures are held as the double nearest the decimal the CSV gave. The
//     importers admit at most kMaxSignificantDigits (15) significant digits,
//     and a decimal of at most 15 significant digits is the shortest decimal
//     that rounds to its nearest double (DBL_DIG = 15: two such decimals
//     never share a double), so ReportedDecimal() recovers it exactly from
//     the double's shortest round-trip form. Thresholds, factors and
//     limits of the standard files are decimals too and are recovered the
//     same way.
//  2. A decision first compares the doubles. Each value comes with a bound
//     on its relative error against the exact value, derived from the
//     operations that produced it (each IEEE operation adds at most
//     kUnitRoundoff; see the comments at each use). When the doubles differ
//     by more than the sum of the bounds, their order is the exact order.
//  3. Otherwise — ties such as a coefficient of exactly 0.50, or a value one
//     fen from its threshold — the decision is recomputed in exact rational
//     arithmetic (GMP) from the recovered decimals.
//
// The difference coefficient is decided without square roots:
//
//   CV ≤ L  ⇔  N · Σ Qᵢ²/Pᵢ  ≤  (1 + L²) · (Σ Qᵢ)²
//
// with Pᵢ the students and Qᵢ the resource of school part i (the indicator's
// value is Xᵢ = Qᵢ·per/Pᵢ; `per` cancels), because CV² = N·ΣQᵢ²/Pᵢ/(ΣQᵢ)² − 1.
// The 2012 composite (the mean of a level's coefficients ≤ a limit) is a sum
// of square roots; it is decided exactly too (CompositeWithin).
//
// Pure and thread-safe.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EXACT_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EXACT_H_

#include <gmpxx.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "checklist_service/evaluator/stats.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// u: the largest relative error of one rounded IEEE double operation.
inline constexpr double kUnitRoundoff =
    std::numeric_limits<double>::epsilon() / 2;

// The relative error bound of a quantity a school part has of a resource
// (PartQuantity): a reported decimal (u/2), or a whole-school figure times
// its apportioned share (three factors, two products, a sum of three and a
// quotient: under 8u). 16u leaves room for every path.
inline constexpr double kQuantityError = 16 * kUnitRoundoff;

// The decimal `figure` was reported as (see the file comment), exactly.
// Precondition: `figure` is finite.
mpq_class ReportedDecimal(double figure);

// An exact value, computed only when the doubles cannot decide.
using ExactValue = absl::FunctionRef<mpq_class()>;

// The sign of exact_a − exact_b, in rationals: CompareExact's slow path.
int CompareRationals(ExactValue exact_a, ExactValue exact_b);

// The sign of a − b (−1, 0, 1) for exact values a and b, given doubles
// within relative errors `a_error` and `b_error` of them.
//
// Inline, with the rationals out of line: every measured value of a county
// (thousands) is decided here, nearly all by the doubles alone, and the call
// cost more than the test.
inline int CompareExact(double a, double a_error, double b, double b_error,
                        ExactValue exact_a, ExactValue exact_b) {
  // a − b itself is rounded: one more u of its magnitude.
  const double difference = a - b;
  const double margin = (a_error + kUnitRoundoff) * std::fabs(a) +
                        (b_error + kUnitRoundoff) * std::fabs(b) +
                        kUnitRoundoff * std::fabs(difference);
  if (std::fabs(difference) > margin) return difference > 0 ? 1 : -1;
  return CompareRationals(exact_a, exact_b);
}

// Whether (value − threshold) of sign `sign` satisfies `comparison`.
inline bool Satisfies(int sign, junheng::v1::Comparison comparison) {
  switch (comparison) {
    case junheng::v1::COMPARISON_AT_LEAST:
      return sign >= 0;
    case junheng::v1::COMPARISON_AT_MOST:
      return sign <= 0;
    case junheng::v1::COMPARISON_GREATER_THAN:
      return sign > 0;
    case junheng::v1::COMPARISON_LESS_THAN:
      return sign < 0;
    default:
      return false;
  }
}

// Whether `value <comparison> threshold` holds exactly, for a value within
// `value_error` of its exact value and a threshold of a standard file.
inline bool MeetsExact(double value, double value_error,
                       junheng::v1::Comparison comparison, double threshold,
                       ExactValue exact_value) {
  // A threshold is a decimal of a standard file: its double is within u/2.
  const int sign =
      CompareExact(value, value_error, threshold, kUnitRoundoff, exact_value,
                   [threshold] { return ReportedDecimal(threshold); });
  return Satisfies(sign, comparison);
}

// The sign of a − b for two reported decimals (figures as the importers
// admit them, decimals of a standard file), exactly: the doubles' order.
// Rounding to nearest is monotonic, and two decimals of at most 15
// significant digits never round to the same double, so distinct decimals
// keep their order as doubles and equal doubles are equal decimals.
inline int CompareReported(double a, double b) { return (a > b) - (a < b); }

// The sign of num/den − t for whole numbers num ≥ 0 and den > 0 (counts of
// teachers, say) and a threshold t of a standard file, exactly. A share of
// counts meets its threshold exactly more often than not (every teacher
// certified against "100%"), so the tie is decided in integers when t has
// at most 9 decimals, without rational arithmetic.
int CompareCountRatio(int64_t num, int64_t den, double t);

// ⌈x⌉ for an exact x given a double within absolute error `error` of it.
double CeilExact(double x, double error, ExactValue exact_x);

// The school parts of one coefficient: students Pᵢ and resource Qᵢ (within
// kQuantityError).
struct CoefficientTerm {
  double students = 0;
  double quantity = 0;
};

// The exact Qᵢ of term i.
using ExactQuantity = absl::FunctionRef<mpq_class(size_t)>;

// Whether the student-weighted difference coefficient of `terms` is at most
// `limit` (a decimal of a standard file), exactly. Precondition: Σ Qᵢ > 0.
bool CoefficientWithin(absl::Span<const CoefficientTerm> terms, double limit,
                       ExactQuantity exact_quantity);

// One coefficient of a composite: its terms and their exact quantities.
struct CompositeMember {
  absl::Span<const CoefficientTerm> terms;
  ExactQuantity exact_quantity;
};

// Whether the mean of the members' coefficients is at most `limit`,
// exactly (a sum of square roots against a rational; see exact.cc).
bool CompositeWithin(absl::Span<const CompositeMember> members, double limit);

// `value` for a reader, with at least `decimals` decimals (trailing zeros
// dropped) and as many more as it takes for the figure not to contradict
// `holds` (value <comparison> threshold): 0.5000000001 failing "≤ 0.5" reads
// "0.5000000001", not "0.5". When even 15 decimals read as the threshold
// itself, the figure is written as "> 0.5" (or "< …"). With `trim`,
// trailing zeros are dropped ("2500", "4.2"); without, `decimals` are kept
// ("0.6000", as coefficients are reported).
std::string FormatAgainst(double value, junheng::v1::Comparison comparison,
                          double threshold, bool holds, int decimals = 3,
                          bool trim = true);
// The same appended to `*out`: sentences are built in one string.
void AppendAgainst(std::string* out, double value,
                   junheng::v1::Comparison comparison, double threshold,
                   bool holds, int decimals = 3, bool trim = true);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_EXACT_H_
