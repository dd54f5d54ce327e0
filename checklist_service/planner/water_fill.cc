#include "checklist_service/planner/water_fill.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace junheng::checklist::planner {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool Raisable(const FillTerm& term) { return term.max_value > term.value; }

double Clamp(double t, const FillTerm& term) {
  if (!Raisable(term)) return term.value;
  return std::min(std::max(t, term.value), term.max_value);
}

// N·Σ PX² − (1 + L²)(Σ PX)² at level t, scaled by 1/N² so that its size is
// that of X̄² (≤ 0: within the limit).
double Excess(absl::Span<const FillTerm> terms, double limit, double t) {
  double n = 0, sum = 0, squares = 0;
  for (const FillTerm& term : terms) {
    const double x = Clamp(t, term);
    n += term.students;
    sum += term.students * x;
    squares += term.students * x * x;
  }
  return (n * squares - (1 + limit * limit) * sum * sum) / (n * n);
}

// The smallest t in [lo, hi] (hi finite) with Excess ≤ 0, given it holds at
// hi and not at lo.
double Bisect(absl::Span<const FillTerm> terms, double limit, double lo,
              double hi) {
  for (int i = 0; i < 200 && hi - lo > 1e-15 * std::max(1.0, hi); ++i) {
    const double mid = lo + (hi - lo) / 2;
    (Excess(terms, limit, mid) <= 0 ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

bool WithinApprox(absl::Span<const FillTerm> terms, double limit) {
  return Excess(terms, limit, -kInf) <= 0;
}

std::optional<double> WaterLevel(absl::Span<const FillTerm> terms,
                                 double limit) {
  if (terms.empty()) return std::nullopt;
  // Raising parts far above every value only widens the spread again: the
  // search ends at 4× the largest value.
  double largest = 0;
  for (const FillTerm& term : terms) largest = std::max(largest, term.value);
  const double ceiling = largest * 4 + 1;
  std::vector<double> breaks;
  for (const FillTerm& term : terms) {
    if (!Raisable(term)) continue;
    breaks.push_back(term.value);
    if (term.max_value < ceiling) breaks.push_back(term.max_value);
  }
  if (WithinApprox(terms, limit)) {
    return breaks.empty() ? 0.0
                          : *std::min_element(breaks.begin(), breaks.end());
  }
  if (breaks.empty()) return std::nullopt;
  // The values of the parts left alone bound segments too: finer segments
  // keep the vertex search below on one smooth piece.
  for (const FillTerm& term : terms) {
    if (!Raisable(term) && term.value > breaks.front()) {
      breaks.push_back(term.value);
    }
  }
  bool beyond = false;
  for (const FillTerm& term : terms) {
    beyond |= Raisable(term) && term.max_value >= ceiling;
  }
  if (beyond) breaks.push_back(ceiling);
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  // On each segment between breaks the excess is a quadratic in t; a
  // feasible point, if any, is at its end or at its vertex.
  for (size_t k = 0; k + 1 < breaks.size(); ++k) {
    const double lo = breaks[k], hi = breaks[k + 1];
    if (Excess(terms, limit, hi) <= 0) {
      return Bisect(terms, limit, lo, hi);
    }
    // The vertex: sample the segment finely enough to find a dip below 0
    // of a convex quadratic (its minimum lies between two samples whose
    // neighbours are higher).
    constexpr int kSamples = 64;
    double best_t = lo, best = Excess(terms, limit, lo);
    for (int s = 1; s < kSamples; ++s) {
      const double t = lo + (hi - lo) * s / kSamples;
      const double e = Excess(terms, limit, t);
      if (e < best) best = e, best_t = t;
    }
    double a = std::max(lo, best_t - (hi - lo) / kSamples);
    double b = std::min(hi, best_t + (hi - lo) / kSamples);
    for (int i = 0; i < 200 && best > 0; ++i) {  // golden-section minimum
      const double m1 = a + (b - a) * 0.381966, m2 = a + (b - a) * 0.618034;
      if (Excess(terms, limit, m1) < Excess(terms, limit, m2)) {
        b = m2;
      } else {
        a = m1;
      }
      const double mid = (a + b) / 2;
      const double e = Excess(terms, limit, mid);
      if (e < best) best = e, best_t = mid;
    }
    if (best <= 0) return Bisect(terms, limit, lo, best_t);
  }
  return std::nullopt;
}

}  // namespace junheng::checklist::planner
