#include "common/resource_name.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng {
namespace {

bool AllDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

constexpr char kNameShapes[] =
    "expected counties/{6-digit county}[/schools/{10-digit school}]"
    "/evidence/{id}[/versions/{n}]";

absl::Status Bad(absl::string_view field, absl::string_view name,
                 absl::string_view why) {
  const std::string shown = Excerpt(name, 80);
  return InvalidField(
      std::string(field),
      absl::StrCat("\"", shown, "\" is not a valid name: ", why));
}

// Parses the leading "counties/C[/schools/S]" of `parts`, advancing `i`.
absl::Status ParseParentParts(const std::vector<absl::string_view>& parts,
                              size_t& i, bool allow_all, Parent& out,
                              absl::string_view field, absl::string_view name) {
  if (parts.size() < 2 || parts[0] != "counties") {
    return Bad(field, name, "it must start with counties/{county}");
  }
  if (allow_all && parts[1] == "-" && parts.size() == 2) {
    i = 2;
    return absl::OkStatus();
  }
  if (!IsValidCountyCode(parts[1])) {
    return Bad(field, name, "the county code must be 6 digits");
  }
  out.county = std::string(parts[1]);
  i = 2;
  if (parts.size() > i && parts[i] == "schools") {
    if (parts.size() < i + 2 || !IsValidSchoolCode(parts[i + 1])) {
      return Bad(field, name, "the school code must be 10 digits");
    }
    out.school = std::string(parts[i + 1]);
    i += 2;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<absl::string_view>> Split(absl::string_view name,
                                                     absl::string_view field) {
  if (name.empty()) return InvalidField(std::string(field), "is required");
  if (name.size() > kMaxNameLength) {
    return InvalidField(
        std::string(field),
        absl::StrCat("is ", name.size(), " bytes long; names are at most ",
                     kMaxNameLength));
  }
  return std::vector<absl::string_view>(absl::StrSplit(name, '/'));
}

}  // namespace

std::string Parent::ToString() const {
  if (county.empty()) return "counties/-";
  if (school.empty()) return absl::StrCat("counties/", county);
  return absl::StrCat("counties/", county, "/schools/", school);
}

std::string EvidenceName::ToString() const {
  return absl::StrCat(parent.ToString(), "/evidence/", evidence);
}

std::string VersionName::ToString() const {
  if (version == 0) return evidence.ToString();
  return absl::StrCat(evidence.ToString(), "/versions/", version);
}

bool IsValidCountyCode(absl::string_view s) { return AllDigits(s, 6); }
bool IsValidSchoolCode(absl::string_view s) { return AllDigits(s, 10); }

bool IsValidEvidenceId(absl::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!absl::ascii_islower(static_cast<unsigned char>(s.front()))) return false;
  if (s.back() == '-') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_islower(u) && !absl::ascii_isdigit(u) && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Parent> ParseParent(absl::string_view name,
                                   absl::string_view field) {
  auto parts = Split(name, field);
  if (!parts.ok()) return parts.status();
  Parent out;
  size_t i = 0;
  absl::Status s = ParseParentParts(*parts, i, false, out, field, name);
  if (!s.ok()) return s;
  if (i != parts->size()) {
    return Bad(field, name,
               "expected counties/{county} or "
               "counties/{county}/schools/{school}");
  }
  return out;
}

absl::StatusOr<Parent> ParseListParent(absl::string_view name,
                                       absl::string_view field) {
  auto parts = Split(name, field);
  if (!parts.ok()) return parts.status();
  Parent out;
  size_t i = 0;
  absl::Status s = ParseParentParts(*parts, i, true, out, field, name);
  if (!s.ok()) return s;
  if (i != parts->size()) {
    return Bad(field, name,
               "expected counties/-, counties/{county} or "
               "counties/{county}/schools/{school}");
  }
  return out;
}

absl::StatusOr<VersionName> ParseVersionName(absl::string_view name,
                                             absl::string_view field) {
  auto parts = Split(name, field);
  if (!parts.ok()) return parts.status();
  VersionName out;
  size_t i = 0;
  absl::Status s =
      ParseParentParts(*parts, i, false, out.evidence.parent, field, name);
  if (!s.ok()) return s;
  if (parts->size() < i + 2 || (*parts)[i] != "evidence") {
    return Bad(field, name, kNameShapes);
  }
  if (!IsValidEvidenceId((*parts)[i + 1])) {
    return Bad(field, name,
               "an evidence id is 1-63 characters of a-z, 0-9 and '-', "
               "starting with a letter and not ending with '-'");
  }
  out.evidence.evidence = std::string((*parts)[i + 1]);
  i += 2;
  if (i == parts->size()) return out;
  if (parts->size() != i + 2 || (*parts)[i] != "versions") {
    return Bad(field, name, kNameShapes);
  }
  absl::string_view v = (*parts)[i + 1];
  const bool digits = !v.empty() && v.size() <= 18 && v[0] != '0' &&
                      std::all_of(v.begin(), v.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || !absl::SimpleAtoi(v, &out.version)) {
    return Bad(field, name, "a version is a positive whole number (1, 2, …)");
  }
  return out;
}

absl::StatusOr<EvidenceName> ParseEvidenceName(absl::string_view name,
                                               absl::string_view field) {
  auto v = ParseVersionName(name, field);
  if (!v.ok()) return v.status();
  if (v->version != 0) {
    return Bad(field, name, "expected an evidence name, not a version name");
  }
  return v->evidence;
}

}  // namespace junheng

namespace junheng {

std::string CountyYearName::ToString() const {
  std::string out = absl::StrCat("counties/", county, "/years/", year);
  if (!school.empty()) absl::StrAppend(&out, "/schools/", school);
  if (!tail.empty()) absl::StrAppend(&out, "/", tail);
  return out;
}

absl::StatusOr<CountyYearName> ParseCountyYearName(absl::string_view name,
                                                   absl::string_view field,
                                                   absl::string_view expected) {
  auto bad = [&](absl::string_view why) {
    return InvalidField(std::string(field),
                        absl::StrCat("\"", Excerpt(name, 80), "\" ", why,
                                     "; expected ", expected));
  };
  if (name.size() > kMaxNameLength) return bad("is too long");
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() < 4 || parts[0] != "counties" || parts[2] != "years") {
    return bad("is not a county-year name");
  }
  CountyYearName out;
  if (!IsValidCountyCode(parts[1])) return bad("has no 6-digit county code");
  out.county = std::string(parts[1]);
  if (parts[3].size() != 4 || !absl::SimpleAtoi(parts[3], &out.year) ||
      out.year < 2000 || out.year > 2100) {
    return bad("has no school year between 2000 and 2100");
  }
  size_t i = 4;
  if (parts.size() > i + 1 && parts[i] == "schools") {
    if (!IsValidSchoolCode(parts[i + 1])) {
      return bad("has no 10-digit school code");
    }
    out.school = std::string(parts[i + 1]);
    i += 2;
  }
  std::vector<absl::string_view> rest(parts.begin() + i, parts.end());
  out.tail = absl::StrJoin(rest, "/");
  return out;
}

std::string RectificationItemName::ToString() const {
  return absl::StrCat("counties/", county, "/years/", year,
                      "/rectificationItems/", item);
}

absl::StatusOr<RectificationItemName> ParseRectificationItemName(
    absl::string_view name, absl::string_view field) {
  constexpr char kShape[] =
      "counties/{county}/years/{year}/rectificationItems/{item}";
  ASSIGN_OR_RETURN(CountyYearName cy, ParseCountyYearName(name, field, kShape));
  // Items belong to the county; a school sees its own through the filter.
  constexpr absl::string_view kCollection = "rectificationItems/";
  absl::string_view id = cy.tail;
  const bool shaped = cy.school.empty() && absl::StartsWith(id, kCollection);
  id.remove_prefix(shaped ? kCollection.size() : 0);
  int64_t item = 0;
  const bool digits = shaped && !id.empty() && id.size() <= 9 && id[0] != '0' &&
                      std::all_of(id.begin(), id.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || !absl::SimpleAtoi(id, &item)) {
    return InvalidField(
        std::string(field),
        absl::StrCat("\"", Excerpt(name, 80),
                     "\" is not a rectification "
                     "item name (the item is a positive whole number); "
                     "expected ",
                     kShape));
  }
  return RectificationItemName{cy.county, cy.year, item};
}

std::optional<Parent> PlaceOfName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() < 2 || parts[0] != "counties") return std::nullopt;
  if (parts[1] == "-") return Parent{};
  if (!IsValidCountyCode(parts[1])) return std::nullopt;
  Parent place{std::string(parts[1]), ""};
  // Evidence: counties/{c}/schools/{s}/…; checklist names put the year
  // first: counties/{c}/years/{y}/schools/{s}/statistics.
  size_t at = 0;
  if (parts.size() >= 4 && parts[2] == "schools") {
    at = 3;
  } else if (parts.size() >= 6 && parts[2] == "years" &&
             parts[4] == "schools") {
    at = 5;
  }
  if (at != 0) {
    if (!IsValidSchoolCode(parts[at])) return std::nullopt;
    place.school = std::string(parts[at]);
  }
  return place;
}

}  // namespace junheng
