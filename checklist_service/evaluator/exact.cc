#include "checklist_service/evaluator/exact.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checklist_service/evaluator/fixed.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// 10^n as an integer.
mpz_class PowerOfTen(unsigned long n) {
  mpz_class p;
  mpz_ui_pow_ui(p.get_mpz_t(), 10, n);
  return p;
}

// A decimal in plain or exponent notation ("12499999.99", "1.25e+07") as an
// exact rational.
mpq_class ParseDecimal(std::string_view text) {
  bool negative = false;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  long exponent = 0;
  bool fraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      if (fraction) --exponent;
    } else if (c == '.') {
      fraction = true;
    } else if (c == 'e' || c == 'E') {
      exponent +=
          std::strtol(std::string(text.substr(i + 1)).c_str(), nullptr, 10);
      break;
    }
  }
  if (digits.empty()) digits = "0";
  mpq_class value(mpz_class(digits, 10));
  if (exponent > 0) {
    value *= PowerOfTen(static_cast<unsigned long>(exponent));
  } else if (exponent < 0) {
    value /= PowerOfTen(static_cast<unsigned long>(-exponent));
  }
  value.canonicalize();
  return negative ? mpq_class(-value) : value;
}

int Sign(const mpq_class& a, const mpq_class& b) {
  const int c = cmp(a, b);
  return (c > 0) - (c < 0);
}

// N·Σ Qᵢ²/Pᵢ and (Σ Qᵢ)² exactly: CV² + 1 is their quotient.
void ExactMoments(absl::Span<const CoefficientTerm> terms,
                  ExactQuantity exact_quantity, mpq_class* weighted_squares,
                  mpq_class* square_of_sum) {
  mpq_class squares = 0;
  mpq_class sum = 0;
  mpz_class students = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const mpq_class q = exact_quantity(i);
    // Students are whole numbers below 2^53: exact in a double.
    const mpz_class p(static_cast<long>(terms[i].students));
    squares += q * q / p;
    sum += q;
    students += p;
  }
  *weighted_squares = squares * students;
  *square_of_sum = sum * sum;
}

// The relative error bound of the double r = N·ΣQ̂ᵢ²/Pᵢ / (ΣQ̂ᵢ)² against
// the exact quotient, for n terms whose Q̂ᵢ are within kQuantityError (ε):
// each term Q̂ᵢ·Q̂ᵢ/Pᵢ is within 2ε + 2u; a recursive sum of n non-negative
// terms adds at most (n−1)u; N· adds u; (ΣQ̂)² is within 2(ε + (n−1)u) + u;
// the quotient adds u. In all 4ε + (3n + 2)u to first order; the bound
// below doubles the n-dependent part and adds 64u for second-order terms.
double MomentRatioError(size_t n) {
  return 4 * kQuantityError + (6 * static_cast<double>(n) + 64) * kUnitRoundoff;
}

// r and its bound, as doubles.
double MomentRatio(absl::Span<const CoefficientTerm> terms) {
  double squares = 0;
  double sum = 0;
  double students = 0;
  for (const CoefficientTerm& t : terms) {
    squares += t.quantity * t.quantity / t.students;
    sum += t.quantity;
    students += t.students;
  }
  return students * squares / (sum * sum);
}

}  // namespace

mpq_class ReportedDecimal(double figure) {
  // Whole numbers (counts, most thresholds) need no decimal form.
  if (figure == std::trunc(figure) && std::fabs(figure) < 0x1p53) {
    return mpq_class(mpz_class(static_cast<long>(figure)));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), figure);
  return ParseDecimal(std::string_view(buffer, result.ptr - buffer));
}

int CompareRationals(ExactValue exact_a, ExactValue exact_b) {
  return Sign(exact_a(), exact_b());
}

int CompareCountRatio(int64_t num, int64_t den, double t) {
  double scale = 1;
  for (int decimals = 0; decimals <= 9; ++decimals, scale *= 10) {
    const double scaled = std::nearbyint(t * scale);
    // M·10⁻ᵏ rounds to t and has at most 15 significant digits, so it is
    // the decimal t was written as (ReportedDecimal); 10ᵏ is exact.
    if (std::fabs(scaled) >= 1e15 || scaled / scale != t) continue;
    const __int128 left = static_cast<__int128>(num) *
                          static_cast<__int128>(static_cast<int64_t>(scale));
    const __int128 right = static_cast<__int128>(static_cast<int64_t>(scaled)) *
                           static_cast<__int128>(den);
    return left < right ? -1 : (left > right ? 1 : 0);
  }
  mpq_class ratio(mpz_class(std::to_string(num)),
                  mpz_class(std::to_string(den)));
  ratio.canonicalize();
  return Sign(ratio, ReportedDecimal(t));
}

double CeilExact(double x, double error, ExactValue exact_x) {
  const double low = std::ceil(x - error);
  const double high = std::ceil(x + error);
  if (low == high) return low;
  const mpq_class exact = exact_x();
  mpz_class result;
  mpz_cdiv_q(result.get_mpz_t(), exact.get_num_mpz_t(), exact.get_den_mpz_t());
  return result.get_d();
}

bool CoefficientWithin(absl::Span<const CoefficientTerm> terms, double limit,
                       ExactQuantity exact_quantity) {
  // CV ≤ L ⇔ r ≤ 1 + L², r = N·ΣQᵢ²/Pᵢ / (ΣQᵢ)². 1 + L² in double: L within
  // u/2, its square within 2u, the sum within 3u.
  const double r = MomentRatio(terms);
  const double bound = 1 + limit * limit;
  const int sign = CompareExact(
      r, MomentRatioError(terms.size()), bound, 3 * kUnitRoundoff,
      [&] {
        mpq_class squares, square_of_sum;
        ExactMoments(terms, exact_quantity, &squares, &square_of_sum);
        return mpq_class(squares / square_of_sum);
      },
      [&] {
        const mpq_class l = ReportedDecimal(limit);
        return mpq_class(1 + l * l);
      });
  return sign <= 0;
}

bool CompositeWithin(absl::Span<const CompositeMember> members, double limit) {
  // Σ CVⱼ ≤ k·L. First with intervals: CVⱼ² = rⱼ − 1 with rⱼ known within
  // its relative bound, so CVⱼ ∈ [√max(0, lo − 1), √(hi − 1)]; each square
  // root, subtraction and sum adds a rounding covered by the 1 ± 8u·k
  // widening.
  const double k = static_cast<double>(members.size());
  double low = 0;
  double high = 0;
  for (const CompositeMember& m : members) {
    const double r = MomentRatio(m.terms);
    const double e = MomentRatioError(m.terms.size()) + 2 * kUnitRoundoff;
    low += std::sqrt(std::max(0.0, r * (1 - e) - 1));
    high += std::sqrt(std::max(0.0, r * (1 + e) - 1));
  }
  const double widen = 8 * (k + 2) * kUnitRoundoff;
  const double target = k * limit;
  const double target_error = 4 * kUnitRoundoff;
  if (high * (1 + widen) < target * (1 - target_error)) return true;
  if (low * (1 - widen) > target * (1 + target_error)) return false;

  // Exactly. Each CVⱼ² = Rⱼ is rational. If every Rⱼ is the square of a
  // rational, the sum is rational and compared as such. Otherwise the sum
  // is irrational (square roots of distinct square-free integers are
  // linearly independent over ℚ, and the coefficients here are all
  // positive, so nothing cancels) and so differs from k·L: bracketing each
  // root ever more tightly decides it in finitely many steps.
  std::vector<mpq_class> squares;
  bool all_rational = true;
  mpq_class rational_sum = 0;
  for (const CompositeMember& m : members) {
    mpq_class weighted, square_of_sum;
    ExactMoments(m.terms, m.exact_quantity, &weighted, &square_of_sum);
    mpq_class r = weighted / square_of_sum - 1;
    if (r < 0) r = 0;  // exactly 0 or above; guards nothing but rounding
    squares.push_back(r);
    if (mpz_perfect_square_p(r.get_num_mpz_t()) &&
        mpz_perfect_square_p(r.get_den_mpz_t())) {
      mpz_class num, den;
      mpz_sqrt(num.get_mpz_t(), r.get_num_mpz_t());
      mpz_sqrt(den.get_mpz_t(), r.get_den_mpz_t());
      rational_sum += mpq_class(num, den);
    } else {
      all_rational = false;
    }
  }
  const mpq_class exact_target =
      ReportedDecimal(limit) * mpq_class(static_cast<long>(members.size()));
  if (all_rational) return rational_sum <= exact_target;
  for (unsigned long bits = 64;; bits *= 2) {
    // ⌊√R · 2^bits⌋ = ⌊√⌊R · 4^bits⌋⌋, so each root lies in
    // [f, f + 1] / 2^bits.
    mpz_class floor_sum = 0;
    for (const mpq_class& r : squares) {
      mpz_class scaled = r.get_num() << (2 * bits);
      mpz_fdiv_q(scaled.get_mpz_t(), scaled.get_mpz_t(), r.get_den_mpz_t());
      mpz_class root;
      mpz_sqrt(root.get_mpz_t(), scaled.get_mpz_t());
      floor_sum += root;
    }
    const mpq_class scale(mpz_class(1) << bits);
    const mpq_class low_sum = mpq_class(floor_sum) / scale;
    const mpq_class high_sum =
        mpq_class(floor_sum + static_cast<long>(squares.size())) / scale;
    if (high_sum <= exact_target) return true;
    if (low_sum > exact_target) return false;
  }
}

namespace {

// 10^d, exact as doubles for every d a figure is shown with.
constexpr double kPowersOfTen[kMaxFixedDecimals + 1] = {
    1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

}  // namespace

std::string FormatAgainst(double value, v1::Comparison comparison,
                          double threshold, bool holds, int decimals,
                          bool trim) {
  std::string text;
  AppendAgainst(&text, value, comparison, threshold, holds, decimals, trim);
  return text;
}

void AppendAgainst(std::string* out, double value, v1::Comparison comparison,
                   double threshold, bool holds, int decimals, bool trim) {
  char buffer[kFixedBufferSize];
  for (int d = decimals; d <= kMaxFixedDecimals; ++d) {
    // The figure as printed with d decimals, and as read back: does it tell
    // the same story as the verdict?
    double shown = 0;
    char* end = nullptr;
    const std::optional<uint64_t> scaled = ScaledRound(value, d);
    if (scaled.has_value() && *scaled < (uint64_t{1} << 53)) {
      // The decimal scaled / 10^d read as strtod reads it: both are exact
      // doubles, and IEEE division rounds their quotient to the nearest
      // double as strtod rounds the decimal.
      shown = static_cast<double>(*scaled) / kPowersOfTen[d];
      if (std::signbit(value)) shown = -shown;
      end = WriteScaled(buffer, std::signbit(value), *scaled, d);
    } else {
      // to_chars and from_chars round as printf's %.*f and strtod do.
      end = WriteFixed(buffer, value, d);
      std::from_chars(buffer, end, shown);
    }
    const int sign = shown > threshold ? 1 : shown < threshold ? -1 : 0;
    if (Satisfies(sign, comparison) != holds) continue;
    // Zeros beyond the decimals asked for carry nothing.
    const char* point = std::find(buffer, end, '.');
    if (point != end) {
      const char* keep = point + (trim ? 0 : decimals + 1);
      while (end > keep && end[-1] == '0') --end;
      if (end[-1] == '.') --end;
    }
    if (end - buffer == 2 && buffer[0] == '-' && buffer[1] == '0') {
      out->push_back('0');
    } else {
      out->append(buffer, end);
    }
    return;
  }
  // The double itself reads as the threshold although the exact value is
  // not on the side it shows (a tie would have read right): say which side
  // the value is on.
  const bool higher_is_better = comparison == v1::COMPARISON_AT_LEAST ||
                                comparison == v1::COMPARISON_GREATER_THAN;
  absl::StrAppend(out, holds == higher_is_better ? "> " : "< ",
                  absl::StrFormat("%.15g", threshold));
}

}  // namespace junheng::checklist
