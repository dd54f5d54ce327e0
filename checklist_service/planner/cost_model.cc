// ParseCostModel: the cost file a county keeps in Excel and saves as CSV.

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/planner/planner.h"

namespace junheng::checklist {
namespace {

constexpr absl::string_view kColumns[] = {"school_code", "resource",
                                          "unit_cost_yuan", "max_units"};

class Collect : public csv::CsvSink {
 public:
  void OnRecord(const csv::CsvRecord& record) override {
    records.push_back(record);
  }
  void OnError(const csv::CsvError& error) override {
    if (first_error.empty()) {
      first_error = absl::StrCat("line ", error.line, ", character ",
                                 error.column, ": ", error.reason);
    }
  }
  std::vector<csv::CsvRecord> records;
  std::string first_error;
};

std::string KnownResources() {
  std::vector<std::string> names;
  for (Quantity quantity : PlannableResources()) {
    names.push_back(InfoOf(quantity).column);
  }
  names.push_back("rotation");
  return absl::StrJoin(names, ", ");
}

absl::Status Bad(int64_t line, absl::string_view column,
                 absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("cost file line ", line, ", column ", column, ": ", why));
}

// A non-negative finite number, or nullopt for a blank cell.
absl::StatusOr<std::optional<double>> Number(const std::string& cell,
                                             int64_t line,
                                             absl::string_view column) {
  const absl::string_view text = absl::StripAsciiWhitespace(cell);
  if (text.empty()) return std::optional<double>();
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return Bad(line, column, absl::StrCat("'", text, "' is not a number"));
  }
  if (value < 0) {
    return Bad(line, column, absl::StrCat(text, " is negative"));
  }
  return std::optional<double>(value);
}

}  // namespace

absl::StatusOr<CostModel> ParseCostModel(absl::string_view text,
                                         const CostModel& base) {
  Collect sink;
  csv::CsvReader reader(&sink);
  reader.Feed(text);
  reader.Finish();
  if (!sink.first_error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cost file ", sink.first_error));
  }
  CostModel model = base;
  bool header = true;
  for (const csv::CsvRecord& record : sink.records) {
    if (record.fields.size() == 1 &&
        absl::StripAsciiWhitespace(record.fields[0]).empty()) {
      continue;  // a blank line
    }
    if (header) {
      header = false;
      const std::string expected = absl::StrJoin(kColumns, ",");
      std::vector<std::string> got;
      for (const std::string& field : record.fields) {
        got.emplace_back(absl::StripAsciiWhitespace(field));
      }
      if (absl::StrJoin(got, ",") != expected) {
        return Bad(record.line, "1",
                   absl::StrCat("the header must be '", expected, "'"));
      }
      continue;
    }
    if (record.fields.size() != 4) {
      return Bad(
          record.line, "",
          absl::StrCat("4 columns expected, found ", record.fields.size()));
    }
    const std::string school(absl::StripAsciiWhitespace(record.fields[0]));
    const std::string resource(absl::StripAsciiWhitespace(record.fields[1]));
    absl::StatusOr<std::optional<double>> cost =
        Number(record.fields[2], record.line, kColumns[2]);
    if (!cost.ok()) return cost.status();
    absl::StatusOr<std::optional<double>> max_units =
        Number(record.fields[3], record.line, kColumns[3]);
    if (!max_units.ok()) return max_units.status();

    if (resource == "rotation") {
      if (!school.empty()) {
        return Bad(record.line, kColumns[0],
                   "rotation is priced for the county; to keep a school's "
                   "teachers from rotating, limit its teacher kinds to 0");
      }
      if (cost->has_value()) model.rotation_cost_yuan = **cost;
      continue;
    }
    const std::optional<Quantity> quantity = ResourceOfColumn(resource);
    if (!quantity.has_value()) {
      return Bad(record.line, kColumns[1],
                 absl::StrCat("unknown resource '", resource,
                              "'; known: ", KnownResources()));
    }
    if (school.empty()) {
      if (max_units->has_value()) {
        return Bad(record.line, kColumns[3],
                   "a limit needs a school_code (the county-wide row sets "
                   "the price)");
      }
      if (cost->has_value()) model.unit_cost_yuan[*quantity] = **cost;
      continue;
    }
    if (school.size() != 10 ||
        school.find_first_not_of("0123456789") != std::string::npos) {
      return Bad(record.line, kColumns[0],
                 absl::StrCat("'", school, "' is not a 10-digit school code"));
    }
    if (cost->has_value()) {
      return Bad(record.line, kColumns[2],
                 "prices are county-wide: leave unit_cost_yuan blank on a "
                 "school's row");
    }
    if (!max_units->has_value()) {
      return Bad(record.line, kColumns[3], "a school's row needs max_units");
    }
    if (**max_units != std::trunc(**max_units)) {
      return Bad(record.line, kColumns[3], "must be a whole number of units");
    }
    model.max_units[school][*quantity] = **max_units;
  }
  if (header) {
    return absl::InvalidArgumentError("cost file is empty (no header)");
  }
  return model;
}

}  // namespace junheng::checklist
