// junheng admin token create|list|revoke --principals FILE
//
// Works on the principals file directly (both services re-read it when it
// changes): the file is the one place tokens live, and whoever may write it
// is the administrator. Concurrent admin commands are serialized by an
// advisory lock on FILE.lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli.h"
#include "clients/commands.h"
#include "clients/text_table.h"
#include "common/access.h"
#include "common/tokens.h"

namespace junheng::cli {

const char kAdminUsage[] =
    "junheng admin — tokens (run on the machine that holds the principals "
    "file)\n"
    "\n"
    "  token create --principals FILE --role ROLE [--scope SCOPE] --name "
    "NAME\n"
    "               [--expires_in 720h|30d]\n"
    "      prints the new token on stdout, once: it is stored only as a hash\n"
    "      ROLE  school | county | inspector | province | admin | service\n"
    "      SCOPE counties/{c}/schools/{s} (school), counties/{c} (county),\n"
    "            provinces/{p} (province), counties/{c}|provinces/{p}|nation\n"
    "            (inspector); none for admin and service\n"
    "  token list   --principals FILE [--format json]\n"
    "  token revoke ID --principals FILE\n"
    "      takes effect at the services' next call\n";

namespace {

// An exclusive advisory lock on path + ".lock", held for the process's
// read-modify-write of the file.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                   0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::optional<absl::Duration> ParseDurationFlag(const std::string& text) {
  absl::Duration d;
  if (!text.empty() && text.back() == 'd') {
    int64_t days = 0;
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &days) && days > 0) {
      return absl::Hours(24 * days);
    }
    return std::nullopt;
  }
  if (absl::ParseDuration(text, &d) && d > absl::ZeroDuration()) return d;
  return std::nullopt;
}

Actor LocalActor() {
  const char* user = std::getenv("USER");
  return {absl::StrCat("local:", user != nullptr ? user : "unknown"), ""};
}

int Create(const Args& args, const std::string& path) {
  const auto role_name = args.Get("role");
  const auto name = args.Get("name");
  if (!role_name || !name) {
    return UsageError("token create needs --role and --name");
  }
  std::optional<Role> role = ParseRole(*role_name);
  if (!role) {
    return UsageError(
        "--role is school, county, inspector, province, admin or service");
  }
  TokenSpec spec;
  spec.role = *role;
  spec.name = *name;
  if (auto scope = args.Get("scope")) {
    absl::StatusOr<Scope> parsed = ParseScope(*scope);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    spec.scope = *parsed;
  }
  const int64_t now = absl::ToUnixMicros(absl::Now());
  if (auto expires = args.Get("expires_in")) {
    std::optional<absl::Duration> d = ParseDurationFlag(*expires);
    if (!d) return UsageError("--expires_in is a duration such as 720h or 30d");
    spec.expire_time_us = now + absl::ToInt64Microseconds(*d);
  }
  FileLock lock(path);
  if (!lock.ok()) {
    return ReportError(absl::FailedPreconditionError(
        absl::StrCat("cannot lock ", path, ".lock")));
  }
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path);
  if (absl::IsNotFound(file.status())) {
    std::fprintf(stderr, "junheng: creating %s\n", path.c_str());
    file = internal::PrincipalsFile();
  }
  if (!file.ok()) return ReportError(file.status());
  absl::StatusOr<NewToken> made = AddToken(*file, spec, LocalActor(), now);
  if (!made.ok()) return ReportError(made.status());
  if (absl::Status s = WritePrincipalsFile(path, *file); !s.ok()) {
    return ReportError(s);
  }
  std::fprintf(
      stderr, "junheng: token %s for %s (%s%s%s%s); it is shown only now\n",
      made->record.id().c_str(), made->record.name().c_str(),
      made->record.role().c_str(), made->record.scope().empty() ? "" : " of ",
      made->record.scope().c_str(),
      made->record.expire_time().empty()
          ? ""
          : absl::StrCat(", until ", made->record.expire_time()).c_str());
  std::printf("%s\n", made->token.c_str());
  return 0;
}

int List(const Args& args, const std::string& path) {
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path);
  if (!file.ok()) return ReportError(file.status());
  if (args.Get("format").value_or("table") == "json") {
    internal::PrincipalsFile shown;
    *shown.mutable_token() = file->token();
    for (auto& t : *shown.mutable_token()) t.clear_sha256();
    std::printf("%s\n", ToJson(shown).c_str());
    return 0;
  }
  TextTable table({"ID", "ROLE", "SCOPE", "NAME", "EXPIRES", "STATE"});
  const int64_t now = absl::ToUnixMicros(absl::Now());
  for (const auto& t : file->token()) {
    std::string state = "live";
    if (!t.revoke_time().empty()) {
      state = absl::StrCat("revoked ", t.revoke_time());
    } else if (auto expiry = ParseRfc3339(t.expire_time());
               expiry && *expiry <= now) {
      state = "expired";
    }
    table.AddRow({t.id(), t.role(), t.scope().empty() ? "-" : t.scope(),
                  t.name(), t.expire_time().empty() ? "never" : t.expire_time(),
                  state});
  }
  std::fputs(table.Render().c_str(), stdout);
  return 0;
}

int Revoke(const Args& args, const std::string& path) {
  if (args.positional().size() < 4) {
    return UsageError("token revoke takes the token's ID (see token list)");
  }
  FileLock lock(path);
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path);
  if (!file.ok()) return ReportError(file.status());
  const std::string& id = args.positional()[3];
  if (absl::Status s =
          RevokeToken(*file, id, LocalActor(), absl::ToUnixMicros(absl::Now()));
      !s.ok()) {
    return ReportError(s);
  }
  if (absl::Status s = WritePrincipalsFile(path, *file); !s.ok()) {
    return ReportError(s);
  }
  std::fprintf(stderr, "junheng: token %s revoked\n", id.c_str());
  return 0;
}

}  // namespace

int RunAdminCommand(const Args& args) {
  const auto& words = args.positional();
  if (words.size() < 3 || words[1] != "token" ||
      (words[2] != "create" && words[2] != "list" && words[2] != "revoke")) {
    return UsageError(
        "admin commands: token create | token list | "
        "token revoke ID (see 'junheng admin help')");
  }
  if (auto unknown = args.Unknown(
          {"principals", "role", "scope", "name", "expires_in", "format"});
      !unknown.empty()) {
    return UsageError(
        absl::StrCat("admin token does not take --", unknown.front()));
  }
  const auto path = args.Get("principals");
  if (!path) return UsageError("admin token needs --principals FILE");
  if (words[2] == "create") return Create(args, *path);
  if (words[2] == "list") return List(args, *path);
  return Revoke(args, *path);
}

}  // namespace junheng::cli
