// Who may do what: roles, scopes and the one authorization rule both
// services apply to every RPC.
//
//   role       scope                         may
//   school     counties/{c}/schools/{s}      upload and read its own evidence,
//                                            import its own statistics, read
//                                            its own reports and audit entries,
//                                            read and update its own
//                                            rectification items
//   county     counties/{c}                  everything of its schools and the
//                                            county: evidence (also delete and
//                                            freeze), statistics, evaluations,
//                                            rectification, audit
//   inspector  counties/{c}, provinces/{p}   read everything in scope, record
//              or nation                     judgements, run evaluations,
//                                            freeze evidence for inspection;
//                                            no upload or delete
//   province   provinces/{p}                 import and read for its province,
//                                            evaluate (also a whole province),
//                                            freeze evidence for inspection
//   admin      (none)                        manage tokens, read audit logs
//   service    (none)                        nothing itself; acts on behalf of
//                                            the caller it forwards (the
//                                            checklist service → archive)
//
// A request's target is checked against the scope before anything is looked
// up, so a refusal never tells whether the target exists.
#ifndef JUNHENG_COMMON_ACCESS_H_
#define JUNHENG_COMMON_ACCESS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/audit_chain.h"
#include "common/resource_name.h"

namespace junheng {

enum class Role {
  kSchool,
  kCounty,
  kInspector,
  kProvince,
  kAdmin,
  kService,
  // A service started with --insecure_no_auth: every caller may do
  // everything.
  kUnrestricted,
};

absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

// A part of the country: a principal's reach, or what a request touches.
struct Scope {
  enum class Kind { kNone, kNation, kProvince, kCounty, kSchool };
  Kind kind = Kind::kNone;
  std::string province;  // 2 digits; set for province, county and school
  std::string county;    // 6 digits; set for county and school
  std::string school;    // 10 digits; set for school

  static Scope Nation();
  static Scope Province(absl::string_view province);
  static Scope County(absl::string_view county);
  static Scope School(absl::string_view county, absl::string_view school);

  // nation, provinces/{p}, counties/{c}, counties/{c}/schools/{s}; "" for
  // none.
  std::string ToString() const;
  // Whether everything in `target` lies within this scope.
  bool Contains(const Scope& target) const;
  bool operator==(const Scope&) const = default;
};

// Parses ToString()'s forms; INVALID_ARGUMENT otherwise.
absl::StatusOr<Scope> ParseScope(absl::string_view text);

// The place a resource lies in: a county or a school for names under
// counties/{c}[/schools/{s}], the nation for counties/- (every county) and
// provinces/{p} for names under it, none for anything else (tokens/…).
Scope ScopeOfParent(const Parent& parent);
Scope ScopeOfResource(absl::string_view name);

struct Principal {
  std::string name;
  std::string token_id;
  Role role = Role::kUnrestricted;
  Scope scope;
  // The service that forwarded this principal's call, if one did.
  std::string via;

  Actor actor() const { return {name, token_id}; }
};

enum class Permission {
  kReadStandards,
  kReadEvidence,
  kWriteEvidence,
  kDeleteEvidence,
  kImportStatistics,
  kReadStatistics,
  kEvaluate,
  kRecordJudgement,
  kReadAudit,
  // Put evidence under an inspection freeze (it can only be extended).
  kFreezeEvidence,
  // Turn a rectification plan into tracked items.
  kAdoptRectification,
  // Change a rectification item's owner, deadline, status or evidence (a
  // school: the status and evidence of its own items).
  kUpdateRectification,
};

absl::string_view PermissionName(Permission permission);

// OK if `principal`'s role grants `permission` and its scope contains
// `target`; PERMISSION_DENIED otherwise, naming the principal and what it
// may not do (never whether the target exists).
absl::Status Authorize(const Principal& principal, Permission permission,
                       const Scope& target);

}  // namespace junheng

#endif  // JUNHENG_COMMON_ACCESS_H_
