#include "common/tokens.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/audit_chain.h"
#include "common/sha256.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "openssl/rand.h"

namespace junheng {
namespace {

constexpr absl::string_view kPrefix = "jh_";
constexpr size_t kIdHexDigits = 16;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSecretChars = 43;  // base64url of 32 bytes, unpadded

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsBase64Url(absl::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    // Without a working CSPRNG no token may be made at all.
    std::abort();
  }
  return out;
}

class LineErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) {
      first = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                           message);
    }
  }
  std::string first;
};

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

void AppendAudit(internal::PrincipalsFile& file, const Actor& actor,
                 const AuditEvent& event, int64_t now_us) {
  AuditChain chain;
  if (file.audit_size() > 0) chain.Restore(file.audit(file.audit_size() - 1));
  *file.add_audit() = chain.Next(actor, event, now_us);
}

}  // namespace

std::string FormatRfc3339(int64_t unix_us) {
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixMicros(unix_us),
                          absl::UTCTimeZone());
}

std::optional<int64_t> ParseRfc3339(absl::string_view text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return std::nullopt;
  }
  return absl::ToUnixMicros(t);
}

absl::StatusOr<ParsedToken> ParseToken(absl::string_view token) {
  const size_t want = kPrefix.size() + kIdHexDigits + 1 + kSecretChars;
  if (token.size() != want || token.substr(0, kPrefix.size()) != kPrefix ||
      token[kPrefix.size() + kIdHexDigits] != '_' ||
      !IsHex(token.substr(kPrefix.size(), kIdHexDigits)) ||
      !IsBase64Url(token.substr(want - kSecretChars))) {
    return absl::UnauthenticatedError(
        "the token is malformed: a Junheng token looks like jh_<16 hex "
        "digits>_<43 characters>, as `junheng admin token create` prints it");
  }
  return ParsedToken{std::string(token.substr(kPrefix.size(), kIdHexDigits)),
                     ToHex(Sha256::Of(token))};
}

absl::StatusOr<Principal> PrincipalOf(const internal::TokenRecord& record,
                                      int64_t now_us) {
  if (!record.revoke_time().empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", record.id(), " was revoked at ",
                     record.revoke_time(), "; ask for a new one"));
  }
  if (!record.expire_time().empty()) {
    std::optional<int64_t> expiry = ParseRfc3339(record.expire_time());
    if (!expiry || now_us >= *expiry) {
      return absl::UnauthenticatedError(
          absl::StrCat("token ", record.id(), " expired at ",
                       record.expire_time(), "; ask for a new one"));
    }
  }
  std::optional<Role> role = ParseRole(record.role());
  if (!role) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", record.id(), " has no valid role"));
  }
  Principal p;
  p.name = record.name();
  p.token_id = record.id();
  p.role = *role;
  if (!record.scope().empty()) {
    absl::StatusOr<Scope> scope = ParseScope(record.scope());
    if (!scope.ok()) {
      return absl::UnauthenticatedError(
          absl::StrCat("token ", record.id(), " has no valid scope"));
    }
    p.scope = *scope;
  }
  return p;
}

namespace {

absl::Status CheckRoleScope(Role role, const Scope& scope) {
  using K = Scope::Kind;
  bool ok = false;
  switch (role) {
    case Role::kSchool:
      ok = scope.kind == K::kSchool;
      break;
    case Role::kCounty:
      ok = scope.kind == K::kCounty;
      break;
    case Role::kInspector:
      ok = scope.kind == K::kCounty || scope.kind == K::kProvince ||
           scope.kind == K::kNation;
      break;
    case Role::kProvince:
      ok = scope.kind == K::kProvince;
      break;
    case Role::kAdmin:
    case Role::kService:
      ok = scope.kind == K::kNone;
      break;
    case Role::kUnrestricted:
      ok = false;
      break;
  }
  if (ok) return absl::OkStatus();
  static constexpr absl::string_view kWant[] = {
      "a school: counties/{c}/schools/{s}",
      "a county: counties/{c}",
      "counties/{c}, provinces/{p} or nation",
      "a province: provinces/{p}",
      "no scope",
      "no scope",
      "",
  };
  return absl::InvalidArgumentError(absl::StrCat(
      "a ", RoleName(role), " token takes ", kWant[static_cast<int>(role)],
      ", not \"", scope.ToString(), "\""));
}

}  // namespace

absl::Status ValidatePrincipalsFile(const internal::PrincipalsFile& file) {
  std::set<std::string> ids, hashes;
  for (int i = 0; i < file.token_size(); ++i) {
    const internal::TokenRecord& t = file.token(i);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("token ", i + 1, " (id \"", t.id(), "\"): ", why));
    };
    if (t.id().size() != kIdHexDigits || !IsHex(t.id())) {
      return bad("id must be 16 lower-case hex digits");
    }
    if (!ids.insert(t.id()).second) return bad("id appears twice");
    if (t.sha256().size() != 64 || !IsHex(t.sha256())) {
      return bad("sha256 must be 64 lower-case hex digits");
    }
    if (!hashes.insert(t.sha256()).second) return bad("sha256 appears twice");
    std::optional<Role> role = ParseRole(t.role());
    if (!role) {
      return bad(
          "role must be school, county, inspector, province, admin "
          "or service");
    }
    Scope scope;
    if (!t.scope().empty()) {
      absl::StatusOr<Scope> parsed = ParseScope(t.scope());
      if (!parsed.ok()) return bad(parsed.status().message());
      scope = *parsed;
    }
    if (absl::Status s = CheckRoleScope(*role, scope); !s.ok()) {
      return bad(s.message());
    }
    for (const std::string* time :
         {&t.create_time(), &t.expire_time(), &t.revoke_time()}) {
      if (!time->empty() && !ParseRfc3339(*time)) {
        return bad(absl::StrCat("\"", *time, "\" is not an RFC 3339 time"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<internal::PrincipalsFile> ReadPrincipalsFile(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("no principals file ", path,
                       "; create one with `junheng admin token create "
                       "--principals ",
                       path, " --role admin --name NAME`"));
    }
    return Errno("cannot open", path);
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Errno("cannot read", path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  internal::PrincipalsFile file;
  google::protobuf::TextFormat::Parser parser;
  LineErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &file)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", errors.first.empty() ? "unreadable" : errors.first));
  }
  if (absl::Status s = ValidatePrincipalsFile(file); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
  }
  return file;
}

absl::Status WritePrincipalsFile(const std::string& path,
                                 const internal::PrincipalsFile& file) {
  std::string text =
      "# Junheng principals: token hashes, roles and scopes. Managed with\n"
      "# `junheng admin token create|list|revoke`; edits by hand break the\n"
      "# audit chain at the end.\n";
  std::string body;
  if (!google::protobuf::TextFormat::PrintToString(file, &body)) {
    return absl::InternalError("cannot format the principals file");
  }
  text += body;
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Errno("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Errno("cannot sync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Errno("cannot replace", path);
  }
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash);
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::StatusOr<NewToken> AddToken(internal::PrincipalsFile& file,
                                  const TokenSpec& spec, const Actor& actor,
                                  int64_t now_us) {
  if (spec.role == Role::kUnrestricted) {
    return absl::InvalidArgumentError("no token can be unrestricted");
  }
  if (absl::Status s = CheckRoleScope(spec.role, spec.scope); !s.ok()) {
    return s;
  }
  if (spec.name.empty() || spec.name.size() > 64) {
    return absl::InvalidArgumentError("a token needs a name of 1-64 bytes");
  }
  for (unsigned char c : spec.name) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "a token's name may not hold control characters");
    }
  }
  if (spec.expire_time_us != 0 && spec.expire_time_us <= now_us) {
    return absl::InvalidArgumentError("the expiry must be in the future");
  }
  NewToken made;
  std::string id;
  do {
    id = ToHex(absl::string_view(RandomBytes(kIdHexDigits / 2)));
  } while ([&] {
    for (const auto& t : file.token()) {
      if (t.id() == id) return true;
    }
    return false;
  }());
  std::string secret;
  absl::WebSafeBase64Escape(RandomBytes(kSecretBytes), &secret);
  made.token = absl::StrCat(kPrefix, id, "_", secret);
  internal::TokenRecord& r = made.record;
  r.set_id(id);
  r.set_sha256(ToHex(Sha256::Of(made.token)));
  r.set_name(spec.name);
  r.set_role(std::string(RoleName(spec.role)));
  r.set_scope(spec.scope.ToString());
  r.set_create_time(FormatRfc3339(now_us));
  if (spec.expire_time_us != 0) {
    r.set_expire_time(FormatRfc3339(spec.expire_time_us));
  }
  *file.add_token() = r;
  AppendAudit(
      file, actor,
      {.action = "token_create",
       .resource = absl::StrCat("tokens/", id),
       .detail = absl::StrCat(r.role(), " ", r.scope(), " \"", r.name(), "\"",
                              r.expire_time().empty()
                                  ? ""
                                  : absl::StrCat(" until ", r.expire_time()))},
      now_us);
  return made;
}

absl::Status RevokeToken(internal::PrincipalsFile& file, absl::string_view id,
                         const Actor& actor, int64_t now_us) {
  for (auto& t : *file.mutable_token()) {
    if (t.id() != id) continue;
    if (!t.revoke_time().empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "token ", id, " was already revoked at ", t.revoke_time()));
    }
    t.set_revoke_time(FormatRfc3339(now_us));
    AppendAudit(file, actor,
                {.action = "token_revoke",
                 .resource = absl::StrCat("tokens/", id),
                 .detail = absl::StrCat(t.role(), " ", t.scope(), " \"",
                                        t.name(), "\"")},
                now_us);
    return absl::OkStatus();
  }
  return absl::NotFoundError(
      absl::StrCat("no token with id ", id,
                   " in the principals file; `junheng admin token list` "
                   "shows the ids"));
}

}  // namespace junheng
