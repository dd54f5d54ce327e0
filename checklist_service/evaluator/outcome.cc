#include "checklist_service/evaluator/outcome.h"

#include <string>

#include "checklist_service/evaluator/fixed.h"

namespace junheng::checklist {

using junheng::v1::Comparison;
using junheng::v1::Level;

const char* ComparisonSymbol(Comparison comparison) {
  switch (comparison) {
    case junheng::v1::COMPARISON_AT_LEAST:
      return "≥";
    case junheng::v1::COMPARISON_AT_MOST:
      return "≤";
    case junheng::v1::COMPARISON_GREATER_THAN:
      return ">";
    case junheng::v1::COMPARISON_LESS_THAN:
      return "<";
    default:
      return "?";
  }
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kNotReported:
      return "not reported";
    case Outcome::kNotApplicable:
      return "not applicable";
  }
  return "?";
}

const char* LevelNameZh(Level level) {
  switch (level) {
    case junheng::v1::LEVEL_PRIMARY:
      return "小学";
    case junheng::v1::LEVEL_JUNIOR:
      return "初中";
    default:
      return "";
  }
}

std::string FormatNumber(double value) {
  std::string text;
  AppendNumber(&text, value);
  return text;
}

void AppendNumber(std::string* out, double value) {
  // Rounded as printf's %.3f rounds (fixed.h): a full county reply renders
  // thousands of figures.
  char buffer[kFixedBufferSize];
  const char* last = WriteFixed(buffer, value, 3);
  while (last > buffer && last[-1] == '0') --last;
  if (last > buffer && last[-1] == '.') --last;
  if (last - buffer == 2 && buffer[0] == '-' && buffer[1] == '0') {
    out->push_back('0');
    return;
  }
  out->append(buffer, static_cast<size_t>(last - buffer));
}

}  // namespace junheng::checklist
