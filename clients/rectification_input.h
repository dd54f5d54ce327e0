// What `junheng checklist plan|whatif|items` read from files and flags: a
// plan as `plan --format json` wrote it, actions as a CSV a person edits in
// a spreadsheet, and a deadline as a date.
//
// Pure functions, no I/O. Every error is INVALID_ARGUMENT with a message a
// person can act on (which line, which column, what is expected); the CLI
// prints it as a usage error.
#ifndef JUNHENG_CLIENTS_RECTIFICATION_INPUT_H_
#define JUNHENG_CLIENTS_RECTIFICATION_INPUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "junheng/v1/rectification.pb.h"

namespace junheng::cli {

// The columns an actions file must have (any order; other columns, such as
// the school_name, cost_yuan and closes that `plan --format csv` adds, are
// ignored, so a plan's CSV can be edited and read back):
//   kind              add | rotate
//   school_code       the 10-digit code of the school that gets the resource
//   from_school_code  rotate: the donor school (blank for add)
//   level             primary | junior | all (all: a whole-school figure,
//                     such as sports_area_m2, shared between the parts)
//   resource          a resource column without p_/j_, e.g. backbone_teachers
//   quantity          a positive number of units (teachers, m², yuan, rooms)
inline constexpr char kActionColumns[] =
    "kind,school_code,from_school_code,level,resource,quantity";

struct ParsedActions {
  std::vector<v1::RectificationAction> actions;
  // The file line of each action, for naming it in the server's errors.
  std::vector<int64_t> lines;
};

// Reads an actions file for `county_year` ("counties/C/years/Y"): school
// codes become school names of that county and year. A UTF-8 byte-order
// mark and CRLF line ends (as a spreadsheet saves) are accepted; blank
// lines are skipped. Errors name every bad line and column, up to 20.
absl::StatusOr<ParsedActions> ParseActionsCsv(absl::string_view csv,
                                              const std::string& county_year);

// A plan as `junheng checklist plan --format json` printed it (protobuf
// JSON; unknown fields are refused, so a file of something else is not
// taken for an empty plan).
absl::StatusOr<v1::RectificationPlan> ParsePlanJson(absl::string_view json);

// China Standard Time (UTC+8, no daylight saving), in which deadlines are
// given and shown.
absl::TimeZone ChinaTime();

// "2026-06-30": the end of that day in China Standard Time (23:59:59
// +08:00), so that work finished on the last day is not late.
absl::StatusOr<google::protobuf::Timestamp> ParseDeadline(
    absl::string_view date);

// A request id for AdoptRectificationPlan: random, so that only a retry of
// the same invocation (which reuses it) is recognised as a repeat.
std::string NewRequestId();

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_RECTIFICATION_INPUT_H_
