#include "common/access.h"

#include <array>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"

namespace junheng {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 7> kRoles = {{
    {Role::kSchool, "school"},
    {Role::kCounty, "county"},
    {Role::kInspector, "inspector"},
    {Role::kProvince, "province"},
    {Role::kAdmin, "admin"},
    {Role::kService, "service"},
    {Role::kUnrestricted, "unrestricted"},
}};

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

bool Grants(Role role, Permission p) {
  switch (role) {
    case Role::kUnrestricted:
      return true;
    case Role::kSchool:
      return p == Permission::kReadStandards ||
             p == Permission::kReadEvidence ||
             p == Permission::kWriteEvidence ||
             p == Permission::kImportStatistics ||
             p == Permission::kReadStatistics || p == Permission::kReadAudit ||
             p == Permission::kUpdateRectification;
    case Role::kCounty:
      return p != Permission::kRecordJudgement;
    case Role::kInspector:
      return p == Permission::kReadStandards ||
             p == Permission::kReadEvidence ||
             p == Permission::kReadStatistics || p == Permission::kEvaluate ||
             p == Permission::kRecordJudgement || p == Permission::kReadAudit ||
             p == Permission::kFreezeEvidence;
    case Role::kProvince:
      return p == Permission::kReadStandards ||
             p == Permission::kReadEvidence ||
             p == Permission::kImportStatistics ||
             p == Permission::kReadStatistics || p == Permission::kEvaluate ||
             p == Permission::kReadAudit || p == Permission::kFreezeEvidence;
    case Role::kAdmin:
      return p == Permission::kReadAudit;
    case Role::kService:
      return false;
  }
  return false;
}

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [r, n] : kRoles) {
    if (n == name && r != Role::kUnrestricted) return r;
  }
  return std::nullopt;
}

Scope Scope::Nation() { return {Kind::kNation, "", "", ""}; }
Scope Scope::Province(absl::string_view province) {
  return {Kind::kProvince, std::string(province), "", ""};
}
Scope Scope::County(absl::string_view county) {
  return {Kind::kCounty, std::string(county.substr(0, 2)), std::string(county),
          ""};
}
Scope Scope::School(absl::string_view county, absl::string_view school) {
  return {Kind::kSchool, std::string(county.substr(0, 2)), std::string(county),
          std::string(school)};
}

std::string Scope::ToString() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kNation:
      return "nation";
    case Kind::kProvince:
      return absl::StrCat("provinces/", province);
    case Kind::kCounty:
      return absl::StrCat("counties/", county);
    case Kind::kSchool:
      return absl::StrCat("counties/", county, "/schools/", school);
  }
  return "";
}

bool Scope::Contains(const Scope& t) const {
  if (t.kind == Kind::kNone) return false;
  switch (kind) {
    case Kind::kNone:
      return false;
    case Kind::kNation:
      return true;
    case Kind::kProvince:
      return t.kind != Kind::kNation && t.province == province;
    case Kind::kCounty:
      return (t.kind == Kind::kCounty || t.kind == Kind::kSchool) &&
             t.county == county;
    case Kind::kSchool:
      return t.kind == Kind::kSchool && t.county == county &&
             t.school == school;
  }
  return false;
}

absl::StatusOr<Scope> ParseScope(absl::string_view text) {
  if (text == "nation") return Scope::Nation();
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() == 2 && parts[0] == "provinces" && parts[1].size() == 2 &&
      AllDigits(parts[1])) {
    return Scope::Province(parts[1]);
  }
  if (parts.size() == 2 && parts[0] == "counties" &&
      IsValidCountyCode(parts[1])) {
    return Scope::County(parts[1]);
  }
  if (parts.size() == 4 && parts[0] == "counties" &&
      IsValidCountyCode(parts[1]) && parts[2] == "schools" &&
      IsValidSchoolCode(parts[3])) {
    return Scope::School(parts[1], parts[3]);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", Excerpt(text, 80),
      "\" is not a scope: use nation, provinces/{2 digits}, "
      "counties/{6 digits} or counties/{6 digits}/schools/{10 digits}"));
}

Scope ScopeOfParent(const Parent& parent) {
  if (parent.county.empty()) return Scope::Nation();
  if (parent.school.empty()) return Scope::County(parent.county);
  return Scope::School(parent.county, parent.school);
}

Scope ScopeOfResource(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() >= 2 && parts[0] == "provinces" && parts[1].size() == 2 &&
      AllDigits(parts[1])) {
    return Scope::Province(parts[1]);
  }
  std::optional<Parent> place = PlaceOfName(name);
  if (!place.has_value()) return Scope();
  return ScopeOfParent(*place);
}

absl::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kReadStandards:
      return "read standards";
    case Permission::kReadEvidence:
      return "read evidence";
    case Permission::kWriteEvidence:
      return "upload evidence";
    case Permission::kDeleteEvidence:
      return "delete or undelete evidence";
    case Permission::kImportStatistics:
      return "import statistics";
    case Permission::kReadStatistics:
      return "read statistics";
    case Permission::kEvaluate:
      return "run evaluations";
    case Permission::kRecordJudgement:
      return "record judgements";
    case Permission::kReadAudit:
      return "read the audit log";
    case Permission::kFreezeEvidence:
      return "freeze evidence for inspection";
    case Permission::kAdoptRectification:
      return "adopt rectification plans";
    case Permission::kUpdateRectification:
      return "update rectification items";
  }
  return "do this";
}

absl::Status Authorize(const Principal& who, Permission permission,
                       const Scope& target) {
  if (who.role == Role::kUnrestricted) return absl::OkStatus();
  const std::string whom =
      absl::StrCat(who.name, " (", RoleName(who.role),
                   who.scope.kind == Scope::Kind::kNone
                       ? ""
                       : absl::StrCat(" of ", who.scope.ToString()),
                   ")");
  if (!Grants(who.role, permission)) {
    return absl::PermissionDeniedError(
        absl::StrCat(whom, " may not ", PermissionName(permission),
                     who.role == Role::kService
                         ? ": a service token acts only on behalf of a caller"
                         : ""));
  }
  // Readers of whole-log or whole-standard data need no place.
  if (permission == Permission::kReadStandards) return absl::OkStatus();
  if (who.role == Role::kAdmin && permission == Permission::kReadAudit) {
    return absl::OkStatus();
  }
  if (!who.scope.Contains(target)) {
    return absl::PermissionDeniedError(
        absl::StrCat(whom, " may not ", PermissionName(permission), " in ",
                     target.kind == Scope::Kind::kNation ? "every county"
                                                         : target.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace junheng
