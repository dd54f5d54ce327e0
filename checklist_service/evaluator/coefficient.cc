#include "checklist_service/evaluator/coefficient.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace junheng::checklist {

absl::StatusOr<Coefficient> DifferenceCoefficient(
    absl::Span<const WeightedValue> values) {
  if (values.empty()) {
    return absl::InvalidArgumentError("no school values");
  }
  double students = 0;
  double total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const WeightedValue& v = values[i];
    if (!(v.weight > 0) || !std::isfinite(v.weight) || !(v.value >= 0) ||
        !std::isfinite(v.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", i, ": weight ", v.weight, " value ", v.value,
                       " (weights must be positive, values non-negative)"));
    }
    students += v.weight;
    total += v.weight * v.value;
  }
  Coefficient result;
  result.county_value = total / students;
  if (!(result.county_value > 0)) {
    return absl::FailedPreconditionError(
        "the county-wide value is 0, the coefficient is undefined");
  }
  // Two passes: the deviations are small against the values, and summing
  // squares of values first would lose them to cancellation.
  double squares = 0;
  for (const WeightedValue& v : values) {
    const double deviation = v.value - result.county_value;
    squares += v.weight * deviation * deviation;
  }
  result.std_dev = std::sqrt(squares / students);
  result.coefficient = result.std_dev / result.county_value;
  return result;
}

absl::StatusOr<double> CompositeCoefficient(
    absl::Span<const double> coefficients) {
  if (coefficients.empty()) {
    return absl::InvalidArgumentError("no coefficients");
  }
  double sum = 0;
  for (double c : coefficients) sum += c;
  return sum / static_cast<double>(coefficients.size());
}

}  // namespace junheng::checklist
