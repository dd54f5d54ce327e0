#include "clients/rectification_input.h"

#include <cmath>
#include <map>
#include <optional>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "checklist_service/csv/csv_reader.h"
#include "checklist_service/csv/csv_text_check.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "google/protobuf/util/json_util.h"

namespace junheng::cli {
namespace {

using checklist::csv::CsvError;
using checklist::csv::CsvReader;
using checklist::csv::CsvRecord;
using checklist::csv::CsvSink;
using checklist::csv::TextCheck;

// More would scroll the first ones, usually the cause, off the screen.
constexpr size_t kMaxErrors = 20;

class Collect : public CsvSink {
 public:
  void OnRecord(const CsvRecord& record) override { records.push_back(record); }
  void OnError(const CsvError& error) override {
    errors.push_back(absl::StrFormat("line %d, character %d: %s", error.line,
                                     error.column, error.reason));
  }
  std::vector<CsvRecord> records;
  std::vector<std::string> errors;
};

bool Blank(const CsvRecord& r) {
  for (const std::string& f : r.fields) {
    if (!absl::StripAsciiWhitespace(f).empty()) return false;
  }
  return true;
}

std::optional<v1::Level> LevelOf(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "primary") return v1::LEVEL_PRIMARY;
  if (t == "junior") return v1::LEVEL_JUNIOR;
  if (t == "all") return v1::LEVEL_ALL;
  return std::nullopt;
}

absl::Status Invalid(const std::vector<std::string>& errors) {
  std::vector<std::string> shown(
      errors.begin(),
      errors.begin() + static_cast<long>(std::min(errors.size(), kMaxErrors)));
  std::string message = absl::StrJoin(shown, "\n  ");
  if (errors.size() > kMaxErrors) {
    absl::StrAppend(&message, "\n  … and ", errors.size() - kMaxErrors,
                    " more");
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace

absl::StatusOr<ParsedActions> ParseActionsCsv(absl::string_view csv,
                                              const std::string& county_year) {
  TextCheck check;
  check.Feed(csv);
  check.Finish();
  if (const auto& p = check.problem()) {
    return absl::InvalidArgumentError(
        p->line > 0 ? absl::StrCat("line ", p->line, ": ", p->reason)
                    : p->reason);
  }
  Collect sink;
  CsvReader reader(&sink);
  reader.Feed(csv);
  reader.Finish();
  if (!sink.errors.empty()) return Invalid(sink.errors);

  auto first = sink.records.begin();
  while (first != sink.records.end() && Blank(*first)) ++first;
  if (first == sink.records.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file is empty; its first line must be the header ",
                     kActionColumns));
  }
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < first->fields.size(); ++i) {
    column.emplace(
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(first->fields[i])), i);
  }
  std::vector<std::string> missing;
  for (absl::string_view name : absl::StrSplit(kActionColumns, ',')) {
    if (column.count(std::string(name)) == 0) {
      missing.push_back(std::string(name));
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", first->line, ": the header lacks ",
                     absl::StrJoin(missing, ", "), "; it needs the columns ",
                     kActionColumns, " (in any order)"));
  }

  ParsedActions out;
  std::vector<std::string> errors;
  for (auto r = first + 1; r != sink.records.end(); ++r) {
    if (Blank(*r)) continue;
    auto cell = [&](const char* name) {
      const size_t at = column.at(name);
      return at < r->fields.size()
                 ? std::string(absl::StripAsciiWhitespace(r->fields[at]))
                 : std::string();
    };
    const size_t before = errors.size();
    auto bad = [&](const char* name, const std::string& why) {
      errors.push_back(
          absl::StrCat("line ", r->line, ", column ", name, ": ", why));
    };
    auto school = [&](const char* name) -> std::string {
      const std::string code = cell(name);
      if (absl::StartsWith(code, "counties/")) return code;
      if (!IsValidSchoolCode(code)) {
        bad(name, code.empty() ? "is empty; give the 10-digit school code"
                               : absl::StrCat("\"", Excerpt(code, 40),
                                              "\" is not a 10-digit school "
                                              "code"));
        return "";
      }
      return absl::StrCat(county_year, "/schools/", code);
    };
    v1::RectificationAction a;
    const std::string kind = absl::AsciiStrToLower(cell("kind"));
    if (kind == "add") {
      a.set_kind(v1::RectificationAction::ADD);
      if (!cell("from_school_code").empty()) {
        bad("from_school_code", "is for rotate only; leave it blank for add");
      }
    } else if (kind == "rotate") {
      a.set_kind(v1::RectificationAction::ROTATE);
      a.set_from_school(school("from_school_code"));
    } else {
      bad("kind", absl::StrCat("\"", Excerpt(cell("kind"), 20),
                               "\" is neither add nor rotate"));
    }
    a.set_school(school("school_code"));
    if (std::optional<v1::Level> level = LevelOf(cell("level"))) {
      a.set_level(*level);
    } else {
      bad("level", absl::StrCat("\"", Excerpt(cell("level"), 20),
                                "\" is not primary, junior or all"));
    }
    a.set_resource(cell("resource"));
    if (a.resource().empty()) {
      bad("resource",
          "is empty; name a resource column such as backbone_teachers or "
          "sports_area_m2");
    }
    // A spreadsheet may write 1843 as "1,843"; no decimal comma is meant.
    const std::string quantity =
        absl::StrReplaceAll(cell("quantity"), {{",", ""}, {" ", ""}});
    double q = 0;
    if (!absl::SimpleAtod(quantity, &q) || !std::isfinite(q) || q <= 0) {
      bad("quantity", absl::StrCat("\"", Excerpt(cell("quantity"), 20),
                                   "\" is not a positive number"));
    }
    a.set_quantity(q);
    if (errors.size() == before) {
      out.actions.push_back(std::move(a));
      out.lines.push_back(r->line);
    }
  }
  if (!errors.empty()) return Invalid(errors);
  if (out.actions.empty()) {
    return absl::InvalidArgumentError(
        "the file has a header but no actions; add one line per action");
  }
  return out;
}

absl::StatusOr<v1::RectificationPlan> ParsePlanJson(absl::string_view json) {
  v1::RectificationPlan plan;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &plan, options);
  if (!status.ok()) {
    // The parser's message quotes the text and points at the fault on the
    // lines below it; keep them as lines.
    return absl::InvalidArgumentError(absl::StrCat(
        "is not a plan as `junheng checklist plan --format json` writes it:\n "
        " ",
        absl::StrReplaceAll(std::string(status.message()), {{"\n", "\n  "}})));
  }
  if (plan.name().empty()) {
    return absl::InvalidArgumentError(
        "holds no plan (no \"name\"); write one with `junheng checklist plan "
        "--format json -o FILE`");
  }
  return plan;
}

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::StatusOr<google::protobuf::Timestamp> ParseDeadline(
    absl::string_view date) {
  absl::Time day;
  std::string error;
  const std::string text(absl::StripAsciiWhitespace(date));
  // absl accepts "2026-6-3"; a deadline is read back by people, so insist
  // on the form it is shown in.
  if (text.size() != 10 ||
      !absl::ParseTime("%Y-%m-%d", text, ChinaTime(), &day, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadline takes a date as YYYY-MM-DD, e.g. 2026-06-30; "
                     "got \"",
                     Excerpt(text, 40), "\""));
  }
  const absl::Time end = day + absl::Hours(24) - absl::Seconds(1);
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(end));
  return t;
}

std::string NewRequestId() {
  std::random_device random;
  std::string id = "cli-";
  for (int i = 0; i < 4; ++i)
    absl::StrAppend(&id, absl::Hex(random(), absl::kZeroPad8));
  return id;
}

}  // namespace junheng::cli
