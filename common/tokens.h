// Bearer tokens and the principals file that lists them.
//
// A token is "jh_{id}_{secret}": a 16-hex-digit public id (shown by
// `junheng admin token list`, recorded in audit entries) and 256 random bits
// of secret (43 characters of base64url). It is shown once, at creation; the
// principals file keeps only its SHA-256, which is enough because the
// secret's entropy makes a slow password hash pointless.
//
// The file is text-format junheng.internal.PrincipalsFile, replaced
// atomically (write, fsync, rename) on every change, with each change also
// appended to its own audit hash chain in the same write.
#ifndef JUNHENG_COMMON_TOKENS_H_
#define JUNHENG_COMMON_TOKENS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/access.h"
#include "junheng/internal/principals.pb.h"

namespace junheng {

struct ParsedToken {
  std::string id;
  std::string sha256;  // hex, of the whole token
};

// UNAUTHENTICATED if `token` does not have a token's shape.
absl::StatusOr<ParsedToken> ParseToken(absl::string_view token);

// A live token's principal; UNAUTHENTICATED (saying why) if the record is
// revoked or expired at `now_us`, or unreadable.
absl::StatusOr<Principal> PrincipalOf(const internal::TokenRecord& record,
                                      int64_t now_us);

// NOT_FOUND if there is no file, INVALID_ARGUMENT (with the line) if it does
// not parse or holds an invalid record.
absl::StatusOr<internal::PrincipalsFile> ReadPrincipalsFile(
    const std::string& path);
// Replaces the file atomically and durably, readable by its owner only.
absl::Status WritePrincipalsFile(const std::string& path,
                                 const internal::PrincipalsFile& file);
// Every record well-formed, ids unique; the audit chain is not checked here.
absl::Status ValidatePrincipalsFile(const internal::PrincipalsFile& file);

struct TokenSpec {
  Role role = Role::kSchool;
  Scope scope;
  std::string name;
  int64_t expire_time_us = 0;  // 0: never
};

struct NewToken {
  std::string token;  // the only copy of the secret
  internal::TokenRecord record;
};

// Adds a token (and its audit entry, by `actor`) to `file`.
// INVALID_ARGUMENT for a scope the role cannot have.
absl::StatusOr<NewToken> AddToken(internal::PrincipalsFile& file,
                                  const TokenSpec& spec, const Actor& actor,
                                  int64_t now_us);
// Marks token `id` revoked (and audits it). NOT_FOUND for an unknown id,
// FAILED_PRECONDITION if already revoked.
absl::Status RevokeToken(internal::PrincipalsFile& file, absl::string_view id,
                         const Actor& actor, int64_t now_us);

std::string FormatRfc3339(int64_t unix_us);
std::optional<int64_t> ParseRfc3339(absl::string_view text);

}  // namespace junheng

#endif  // JUNHENG_COMMON_TOKENS_H_
