// Loading indicator standards from their text-format files
// (`standards/*.textproto`, messages junheng.v1.IndicatorStandard).
//
// Loading parses every file with protobuf's TextFormat, resolves each
// provincial variant against its base (see standard.proto for what a variant
// may override) and validates the result: unknown base, cycles of bases,
// duplicate ids, codes or thresholds, unknown formula or measure names,
// missing thresholds, bad levels or directions, rules and parameters out of
// range. The service refuses to start on any error.
//
// Every error is INVALID_ARGUMENT with one line per problem, each naming the
// file, the line and column (1-based) and the field:
//
//   standards/x.textproto:41:5: indicators[3].thresholds[1].level: R4: bad
//   level LEVEL_ALL, expected LEVEL_PRIMARY or LEVEL_JUNIOR
//
// Parsing and validation work on strings (LoadStandards); only
// ReadStandardSources touches the file system.
//
// Usage:
//   ASSIGN_OR_RETURN(StandardMap standards,
//                    LoadStandardsDirectory("standards"));
//   const junheng::v1::IndicatorStandard& s = standards.at("moe-2017-quality");
#ifndef JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_LOADER_H_
#define JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_LOADER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Resolved, validated standards by id, in id order.
using StandardMap = std::map<std::string, junheng::v1::IndicatorStandard>;

// One standard file: `path` names it in messages, `text` is its content.
struct StandardSource {
  std::string path;
  std::string text;
};

// Parses, resolves and validates `sources` together (a variant's base must
// be among them). Returns every standard, variants resolved against their
// bases, each passing CheckEvaluable. Errors: INVALID_ARGUMENT as above,
// listing every problem found (parse errors stop at the first per file).
absl::StatusOr<StandardMap> LoadStandards(
    const std::vector<StandardSource>& sources);

// Loads one self-contained standard (no base) from text.
absl::StatusOr<junheng::v1::IndicatorStandard> LoadStandard(
    absl::string_view path, absl::string_view text);

// Reads every `*.textproto` file directly in `directory`, in name order.
// Errors: NOT_FOUND when the directory does not exist or holds no such file;
// the errno-derived status (PERMISSION_DENIED, …) when one cannot be read.
absl::StatusOr<std::vector<StandardSource>> ReadStandardSources(
    absl::string_view directory);

// ReadStandardSources, then LoadStandards.
absl::StatusOr<StandardMap> LoadStandardsDirectory(absl::string_view directory);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_LOADER_H_
