// The exact decision procedures against a plain rational oracle: random
// figures placed at, just beside and far from their thresholds, coefficients
// at their limits, and composites whose sums of square roots are rational or
// irrational.
#include "checklist_service/evaluator/exact.h"

#include <gmpxx.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "checklist_service/evaluator/fixed.h"
#include "checklist_service/evaluator/outcome.h"
#include "gtest/gtest.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// n/d in lowest terms (mpq_class compares canonical forms).
mpq_class Q(long n, long d = 1) {
  mpq_class q(n, d);
  q.canonicalize();
  return q;
}

// A decimal with `decimals` decimals, as a string and a double.
struct Figure {
  double value;
  mpq_class exact;
};
Figure MakeFigure(int64_t units, int decimals) {
  const std::string text =
      absl::StrFormat("%lld.%0*lld", static_cast<long long>(units / 100), 2,
                      static_cast<long long>(units % 100));
  (void)decimals;
  return {std::stod(text), Q(units, 100)};
}

TEST(ReportedDecimal, RecoversTheDecimalOfAtMostFifteenDigits) {
  EXPECT_EQ(ReportedDecimal(4.2), Q(42, 10));
  EXPECT_EQ(ReportedDecimal(12499999.99), Q(1249999999, 100));
  EXPECT_EQ(ReportedDecimal(0.85), Q(85, 100));
  EXPECT_EQ(ReportedDecimal(123456789012.345), Q(123456789012345, 1000));
  EXPECT_EQ(ReportedDecimal(1e-7), Q(1, 10000000));
  EXPECT_EQ(ReportedDecimal(2e20),
            mpq_class(mpz_class("200000000000000000000")));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int64_t units = static_cast<int64_t>(rng() % 100000000000000ULL);
    const Figure f = MakeFigure(units, 2);
    ASSERT_EQ(ReportedDecimal(f.value), f.exact) << f.value;
  }
}

// value = q · per / p against t, decided by MeetsExact and by the oracle.
TEST(MeetsExact, AgreesWithRationalArithmeticAtAndNearTies) {
  std::mt19937_64 rng(11);
  int ties = 0;
  for (int i = 0; i < 50000; ++i) {
    const int64_t students = 1 + static_cast<int64_t>(rng() % 20000);
    const int64_t t_units = 1 + static_cast<int64_t>(rng() % 1000000);  // 0.01
    const double t = MakeFigure(t_units, 2).value;
    const mpq_class exact_t = Q(t_units, 100);
    // q at the threshold (in fen), then nudged by −2 … +2 fen.
    mpq_class at = exact_t * students * 100;  // in fen
    mpz_class base = at.get_num() / at.get_den();
    const int64_t nudge = static_cast<int64_t>(rng() % 5) - 2;
    const int64_t q_units = base.get_si() + nudge;
    if (q_units < 0) continue;
    const Figure q = MakeFigure(q_units, 2);
    const double value = q.value / static_cast<double>(students);
    const mpq_class exact_value = q.exact / students;
    const int want = cmp(exact_value, exact_t);
    if (want == 0) ++ties;
    for (v1::Comparison c :
         {v1::COMPARISON_AT_LEAST, v1::COMPARISON_AT_MOST,
          v1::COMPARISON_GREATER_THAN, v1::COMPARISON_LESS_THAN}) {
      const bool got = MeetsExact(value, 4 * kUnitRoundoff, c, t,
                                  [&] { return exact_value; });
      ASSERT_EQ(got, Satisfies((want > 0) - (want < 0), c))
          << q.value << " / " << students << " vs " << t;
    }
  }
  EXPECT_GT(ties, 100);
}

mpq_class OracleCvSquared(const std::vector<CoefficientTerm>& terms,
                          const std::vector<mpq_class>& q) {
  mpq_class squares = 0, sum = 0, n = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const mpq_class p(static_cast<long>(terms[i].students));
    squares += q[i] * q[i] / p;
    sum += q[i];
    n += p;
  }
  return n * squares / (sum * sum) - 1;
}

TEST(CoefficientWithin, AgreesWithRationalArithmetic) {
  std::mt19937_64 rng(13);
  int at_limit = 0;
  for (int i = 0; i < 3000; ++i) {
    const size_t n = 2 + rng() % 40;
    std::vector<CoefficientTerm> terms;
    std::vector<mpq_class> exact;
    for (size_t k = 0; k < n; ++k) {
      const int64_t students = 50 + static_cast<int64_t>(rng() % 3000);
      const int64_t units = static_cast<int64_t>(rng() % 10000000);
      const Figure q = MakeFigure(units, 2);
      terms.push_back({static_cast<double>(students), q.value});
      exact.push_back(q.exact);
    }
    const mpq_class cv2 = OracleCvSquared(terms, exact);
    for (double limit : {0.05, 0.45, 0.5, 0.65, 1.0}) {
      const mpq_class l = ReportedDecimal(limit);
      const bool want = cv2 <= l * l;
      const bool got =
          CoefficientWithin(terms, limit, [&](size_t k) { return exact[k]; });
      ASSERT_EQ(got, want) << "n " << n << " limit " << limit;
    }
  }
  // Ties: two equal schools at m(1 ± L) for many m, L.
  for (int64_t m = 1; m <= 400; ++m) {
    for (int64_t l100 : {45, 50, 65}) {
      const mpq_class low = Q(m * (100 - l100), 100);
      const mpq_class high = Q(m * (100 + l100), 100);
      std::vector<CoefficientTerm> terms = {{1000, low.get_d()},
                                            {1000, high.get_d()}};
      // Only figures with an exact short decimal are reportable.
      if (ReportedDecimal(terms[0].quantity) != low ||
          ReportedDecimal(terms[1].quantity) != high) {
        continue;
      }
      std::vector<mpq_class> exact = {low, high};
      const double limit = static_cast<double>(l100) / 100;
      ASSERT_TRUE(
          CoefficientWithin(terms, limit, [&](size_t k) { return exact[k]; }))
          << m << " " << l100;
      ++at_limit;
    }
  }
  EXPECT_GT(at_limit, 500);
}

TEST(CompositeWithin, RationalAndIrrationalSumsAtTheLimit) {
  // Two coefficients of exactly 0.6 and 0.7: the mean is exactly 0.65.
  std::vector<CoefficientTerm> a = {{1000, 40}, {1000, 160}};  // CV 0.6
  std::vector<CoefficientTerm> b = {{1000, 30}, {1000, 170}};  // CV 0.7
  std::vector<mpq_class> ea = {40, 160}, eb = {30, 170};
  auto qa = [&](size_t k) { return ea[k]; };
  auto qb = [&](size_t k) { return eb[k]; };
  std::vector<CompositeMember> members = {{a, qa}, {b, qb}};
  EXPECT_TRUE(CompositeWithin(members, 0.65));
  EXPECT_FALSE(CompositeWithin(members, 0.6499));
  // Irrational: three schools of one student with 1, 2 and 3: CV² = 1/6,
  // CV = 0.408248290463863016…, never equal to a decimal limit; the
  // 15-digit decimals on either side are decided by bracketing the root.
  std::vector<CoefficientTerm> c = {{1, 1}, {1, 2}, {1, 3}};
  std::vector<mpq_class> ec = {1, 2, 3};
  ASSERT_EQ(OracleCvSquared(c, ec), Q(1, 6));
  auto qc = [&](size_t k) { return ec[k]; };
  std::vector<CompositeMember> one = {{c, qc}};
  EXPECT_FALSE(CompositeWithin(one, 0.408248290463863));
  EXPECT_TRUE(CompositeWithin(one, 0.408248290463864));
  EXPECT_FALSE(CompositeWithin(one, 0.4));
  EXPECT_TRUE(CompositeWithin(one, 0.41));
  // Mixed: 0.6 (rational) with √(1/6): irrational mean.
  std::vector<CompositeMember> mixed = {{a, qa}, {c, qc}};
  EXPECT_FALSE(CompositeWithin(mixed, 0.504124145231931));
  EXPECT_TRUE(CompositeWithin(mixed, 0.504124145231932));
}

TEST(CeilExact, ExactAtWholeNumbers) {
  // 4.2 × 1000 / 100 − 41 = 1 exactly, although 4.2 × 10 is 42.00000000000001
  // in binary.
  EXPECT_EQ(
      CeilExact(4.2 * 1000 / 100 - 41, 1e-12, [] { return mpq_class(1); }), 1);
  EXPECT_EQ(CeilExact(0.30000000000000004, 1e-15, [] { return Q(3, 10); }), 1);
  EXPECT_EQ(CeilExact(2.0000000000000004, 1e-15, [] { return mpq_class(2); }),
            2);
}

TEST(FormatAgainst, NeverContradictsTheVerdict) {
  EXPECT_EQ(FormatAgainst(2499.999998, v1::COMPARISON_AT_LEAST, 2500, false),
            "2499.999998");
  EXPECT_EQ(FormatAgainst(4.2, v1::COMPARISON_AT_LEAST, 4.2, true), "4.2");
  EXPECT_EQ(FormatAgainst(0.5000000000000001, v1::COMPARISON_AT_MOST, 0.5, true,
                          4, false),
            "0.5000");
  EXPECT_EQ(
      FormatAgainst(0.50004, v1::COMPARISON_AT_MOST, 0.5, false, 4, false),
      "0.50004");
  EXPECT_EQ(FormatAgainst(0.5, v1::COMPARISON_AT_MOST, 0.5, false, 4, false),
            "> 0.5");
  EXPECT_EQ(FormatAgainst(0.15, v1::COMPARISON_LESS_THAN, 0.15, false), "0.15");
  EXPECT_EQ(FormatAgainst(3.87, v1::COMPARISON_AT_LEAST, 4.2, false), "3.87");
}

// The figures as printf and strtod wrote and read them before to_chars and
// from_chars replaced them: the reports must not change by a digit.
std::string PrintfNumber(double value) {
  std::string text = absl::StrFormat("%.3f", value);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? std::string("0") : text;
}

std::string PrintfAgainst(double value, v1::Comparison comparison,
                          double threshold, bool holds, int decimals,
                          bool trim) {
  for (int d = decimals; d <= 15; ++d) {
    std::string text = absl::StrFormat("%.*f", d, value);
    const double shown = std::strtod(text.c_str(), nullptr);
    const int sign = shown > threshold ? 1 : shown < threshold ? -1 : 0;
    if (Satisfies(sign, comparison) == holds) {
      const size_t keep = text.find('.') + (trim ? 0 : decimals + 1);
      if (text.find('.') != std::string::npos) {
        while (text.size() > keep && text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
      }
      return text == "-0" ? std::string("0") : text;
    }
  }
  return "";  // the "> t" case, not compared here
}

TEST(FormatNumber, WritesEveryFigureAsPrintfDid) {
  std::mt19937_64 random(20261204);
  std::vector<double> values = {0,     -0.0,   0.0005, 0.0015, 0.0025,
                                2.675, 1.0005, -1.5,   1e15,   123456789.0125,
                                1e-9,  4.2,    0.5,    1e300,  -2499.9995};
  for (int i = 0; i < 200000; ++i) {
    const uint64_t bits = random();
    // Figures as reported (cents, tenths, thousandths) and arbitrary ones.
    const double scale = std::pow(10.0, static_cast<int>(bits % 9) - 3);
    values.push_back(static_cast<double>(bits >> 40) * scale);
    values.push_back(static_cast<double>(bits >> 44) / 1000.0 + 0.0005);
  }
  for (double v : values) {
    ASSERT_EQ(FormatNumber(v), PrintfNumber(v)) << v;
  }
}

// fixed.h's integer rounding against printf's "%.*f" at every number of
// decimals: exact ties (x.5 at the last decimal, which round to even),
// figures beside them, subnormals, negative zero, and the edge where the
// scaled figure stops fitting (and the general path takes over).
TEST(WriteFixed, WritesAsPrintfAtEveryDecimal) {
  std::mt19937_64 random(20261207);
  std::vector<double> values = {0,
                                -0.0,
                                0.5,
                                1.5,
                                2.5,
                                -2.5,
                                0.125,
                                0.0625,
                                2.675,
                                1e-320,
                                -4e-310,
                                1e300,
                                -1e300,
                                9.2e18,
                                9.3e18,
                                0.015625,
                                1.0e15,
                                123.45e10,
                                4503599627370495.5,
                                9007199254740993.0,
                                std::nextafter(0.5, 1.0),
                                std::nextafter(0.5, 0.0)};
  for (int d = 0; d <= kMaxFixedDecimals; ++d) {
    // The largest magnitudes the integer path takes, and just past them.
    const double edge = std::ldexp(1.0, 63) / std::pow(10.0, d);
    values.push_back(edge);
    values.push_back(std::nextafter(edge, 0.0));
    values.push_back(-std::nextafter(edge, 1e308));
  }
  for (int i = 0; i < 100000; ++i) {
    const uint64_t bits = random();
    // Dyadic ties: k / 2^j, many of them exactly halfway at some decimal.
    values.push_back(std::ldexp(static_cast<double>(bits >> 34),
                                -static_cast<int>(bits % 24)));
    // Figures as reported, and arbitrary doubles of every magnitude.
    values.push_back(static_cast<double>(bits >> 30) / 100.0);
    double any;
    // Any finite double: an all-ones exponent (infinities, NaNs) is moved.
    uint64_t finite = bits;
    if (((bits >> 52) & 0x7ff) == 0x7ff) finite ^= uint64_t{1} << 60;
    std::memcpy(&any, &finite, sizeof any);
    values.push_back(any);
  }
  char buffer[kFixedBufferSize];
  for (double v : values) {
    for (int d = 0; d <= kMaxFixedDecimals; ++d) {
      const std::string text(buffer, WriteFixed(buffer, v, d));
      ASSERT_EQ(text, absl::StrFormat("%.*f", d, v)) << v << " with " << d;
    }
  }
}

TEST(FormatAgainst, WritesEveryFigureAsPrintfDid) {
  std::mt19937_64 random(4);
  const v1::Comparison comparisons[] = {
      v1::COMPARISON_AT_LEAST, v1::COMPARISON_AT_MOST,
      v1::COMPARISON_GREATER_THAN, v1::COMPARISON_LESS_THAN};
  for (int i = 0; i < 50000; ++i) {
    const uint64_t bits = random();
    const double threshold = static_cast<double>(bits % 100000) / 100;
    // Within a few units in the last place of the threshold, or near it.
    const double value =
        i % 2 == 0
            ? std::nextafter(threshold, bits & 1 ? 1e9 : -1.0)
            : threshold +
                  (static_cast<double>((bits >> 20) % 2001) - 1000) / 1e6;
    const v1::Comparison c = comparisons[(bits >> 40) % 4];
    const int sign = value > threshold ? 1 : value < threshold ? -1 : 0;
    const bool holds = Satisfies(sign, c);
    for (int decimals : {3, 4}) {
      const bool trim = decimals == 3;
      const std::string expected =
          PrintfAgainst(value, c, threshold, holds, decimals, trim);
      if (expected.empty()) continue;
      ASSERT_EQ(FormatAgainst(value, c, threshold, holds, decimals, trim),
                expected)
          << value << " against " << threshold;
    }
  }
}

TEST(CompareCountRatio, ExactAtJustUnderAndJustOverEveryThreshold) {
  // Against an mpq oracle, for thresholds with 0 to 12 decimals (those of
  // more than 9 take the rational path).
  const double thresholds[] = {1.0,         0.85,           0.05, 0.9,
                               0.123456789, 0.333333333333, 2.5};
  for (double t : thresholds) {
    const mpq_class exact_t = ReportedDecimal(t);
    for (int64_t den : {1, 7, 31, 1000, 123457, 9999991}) {
      // The counts at, one under and one over t·den.
      mpz_class at;
      mpz_fdiv_q(at.get_mpz_t(), mpq_class(exact_t * den).get_num_mpz_t(),
                 mpq_class(exact_t * den).get_den_mpz_t());
      for (int64_t d : {-1, 0, 1, 2}) {
        const int64_t num = at.get_si() + d;
        if (num < 0) continue;
        mpq_class ratio(num, den);
        ratio.canonicalize();
        const int want = cmp(ratio, exact_t);
        EXPECT_EQ(CompareCountRatio(num, den, t), (want > 0) - (want < 0))
            << num << "/" << den << " vs " << t;
      }
    }
  }
}

TEST(CompareReported, OrdersReportedDecimalsAsTheirDoubles) {
  EXPECT_EQ(CompareReported(45, 45), 0);
  EXPECT_EQ(CompareReported(44.99, 45), -1);
  EXPECT_EQ(CompareReported(45.01, 45), 1);
  EXPECT_EQ(CompareReported(2499.99, 2500), -1);
}

}  // namespace
}  // namespace junheng::checklist
