#include "checklist_service/evaluator/outcome.h"

#include <charconv>
#include <string>

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
  // std::to_chars rounds as printf's %.3f does, without parsing a format: a
  // full county reply renders thousands of figures.
  char buffer[400];  // the longest fixed double, 1.8e308 with 3 decimals
  const std::to_chars_result end = std::to_chars(
      buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
  std::string text(buffer, end.ptr);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

}  // namespace junheng::checklist
