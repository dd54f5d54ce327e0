// Parsing and formatting of Junheng's resource names (AIP-122).
//
//   counties/{county}                                   a county
//   counties/{county}/schools/{school}                  a school
//   {county or school}/evidence/{evidence}              an evidence document
//   {evidence}/versions/{version}                       one immutable version
//   counties/{county}/years/{year}[/schools/{school}][/{tail}]
//                                                       the checklist's data
//                                                       of a school year:
//                                                       statistics,
//                                                       judgements/{code}, …
//   counties/{county}/years/{year}/rectificationItems/{item}
//                                                       a rectification item
//
// county: 6 digits; school: 10 digits; year: 4 digits, 2000–2100; evidence:
// 1–63 of [a-z0-9-], starting with a letter, not ending with '-'; version: a
// positive decimal integer without leading zeros. A whole name is at most
// kMaxNameLength bytes.
//
// Every parser returns INVALID_ARGUMENT with a field violation naming
// `field` (the request field the name came from) and saying what is wrong.
#ifndef JUNHENG_COMMON_RESOURCE_NAME_H_
#define JUNHENG_COMMON_RESOURCE_NAME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace junheng {

inline constexpr size_t kMaxNameLength = 256;

// A county or a school; `school` is empty for a county. For a list parent,
// `county` is empty for "counties/-" (all counties).
struct Parent {
  std::string county;
  std::string school;
  std::string ToString() const;
  bool operator==(const Parent&) const = default;
};

struct EvidenceName {
  Parent parent;
  std::string evidence;
  std::string ToString() const;
  bool operator==(const EvidenceName&) const = default;
};

struct VersionName {
  EvidenceName evidence;
  // 0 when the name was an evidence name: the latest version.
  int64_t version = 0;
  std::string ToString() const;
};

// A checklist name, parsed: the county and year, the school if the name
// has /schools/{school} after the year, and what follows ("statistics",
// "judgements/G1", "" for the county-year itself).
struct CountyYearName {
  std::string county;
  int year = 0;
  std::string school;
  std::string tail;
  std::string ToString() const;
  bool operator==(const CountyYearName&) const = default;
};

// counties/{county}/years/{year}/rectificationItems/{item}; the item id is
// assigned by the checklist, 1, 2, 3, … per county and year (a positive
// decimal without leading zeros), so that people can say "整改项 7".
struct RectificationItemName {
  std::string county;
  int year = 0;
  int64_t item = 0;
  std::string ToString() const;
  bool operator==(const RectificationItemName&) const = default;
};

bool IsValidCountyCode(absl::string_view s);
bool IsValidSchoolCode(absl::string_view s);
bool IsValidEvidenceId(absl::string_view s);

// counties/{county} or counties/{county}/schools/{school}.
absl::StatusOr<Parent> ParseParent(absl::string_view name,
                                   absl::string_view field);
// As ParseParent, and also counties/- (every county).
absl::StatusOr<Parent> ParseListParent(absl::string_view name,
                                       absl::string_view field);
absl::StatusOr<EvidenceName> ParseEvidenceName(absl::string_view name,
                                               absl::string_view field);
// An evidence name (version 0) or a version name.
absl::StatusOr<VersionName> ParseVersionName(absl::string_view name,
                                             absl::string_view field);
// counties/{county}/years/{year}[/schools/{school}][/{tail}]; the caller
// checks the tail. `expected` names the shape the request field takes, for
// the message ("counties/{county}/years/{year}/statistics").
absl::StatusOr<CountyYearName> ParseCountyYearName(absl::string_view name,
                                                   absl::string_view field,
                                                   absl::string_view expected);

absl::StatusOr<RectificationItemName> ParseRectificationItemName(
    absl::string_view name, absl::string_view field);

// The place any name of these grammars lies under, read from its leading
// segments only (what the authorizer needs of a resource named in an audit
// entry or a filter prefix): the county, and the school when the name goes
// on with /schools/{school} (after /years/{year} for checklist names).
// An empty county for counties/- (every county); nullopt for a name under
// no county (tokens/…) or with a malformed code.
std::optional<Parent> PlaceOfName(absl::string_view name);

}  // namespace junheng

#endif  // JUNHENG_COMMON_RESOURCE_NAME_H_
