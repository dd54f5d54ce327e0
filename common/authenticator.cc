#include "common/authenticator.h"

#include <sys/stat.h>

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller.h"
#include "common/tokens.h"

namespace junheng {
namespace {

bool StampOf(const std::string& path, dev_t* dev, ino_t* ino, off_t* size,
             int64_t* mtime_ns) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  *dev = st.st_dev;
  *ino = st.st_ino;
  *size = st.st_size;
  *mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

std::string MetadataValue(const grpc::ServerContextBase& context,
                          absl::string_view key) {
  auto it =
      context.client_metadata().find(grpc::string_ref(key.data(), key.size()));
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

std::unique_ptr<Authenticator> Authenticator::Insecure() {
  std::unique_ptr<Authenticator> a(new Authenticator());
  a->insecure_ = true;
  return a;
}

std::shared_ptr<const Authenticator::Registry> Authenticator::Build(
    const internal::PrincipalsFile& file) {
  auto r = std::make_shared<Registry>();
  for (const auto& t : file.token()) {
    r->by_sha256[t.sha256()] = t;
    r->by_id[t.id()] = t;
  }
  return r;
}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromFile(
    const std::string& path) {
  std::unique_ptr<Authenticator> a(new Authenticator());
  a->path_ = path;
  FileStamp stamp;
  StampOf(path, &stamp.dev, &stamp.ino, &stamp.size, &stamp.mtime_ns);
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path);
  if (!file.ok()) return file.status();
  if (file->token_size() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path,
                     " holds no tokens, so no one could call; create one with "
                     "`junheng admin token create --principals ",
                     path, " …`"));
  }
  MutexLock lock(&a->mu_);
  a->registry_ = Build(*file);
  a->stamp_ = stamp;
  return a;
}

std::shared_ptr<const Authenticator::Registry> Authenticator::Current() {
  FileStamp now;
  const bool exists =
      StampOf(path_, &now.dev, &now.ino, &now.size, &now.mtime_ns);
  {
    ReaderMutexLock lock(&mu_);
    if (!exists || now == stamp_ || now == rejected_) return registry_;
  }
  MutexLock lock(&mu_);
  if (now == stamp_ || now == rejected_) return registry_;
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path_);
  if (file.ok() && file->token_size() == 0) {
    // Emptied, or caught between truncation and rewrite by an editor.
    file = absl::InvalidArgumentError(absl::StrCat(path_, " holds no tokens"));
  }
  if (!file.ok()) {
    // Possibly caught mid-edit by hand; the next change is tried again.
    rejected_ = now;
    std::fprintf(stderr,
                 "junheng: the changed principals file is not valid, keeping "
                 "the previous one in force: %s\n",
                 std::string(file.status().message()).c_str());
    return registry_;
  }
  registry_ = Build(*file);
  stamp_ = now;
  std::fprintf(stderr, "junheng: reloaded %s (%d tokens)\n", path_.c_str(),
               file->token_size());
  return registry_;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) {
  if (insecure_) {
    Principal p;
    p.name = CallerOf(context);
    p.role = Role::kUnrestricted;
    p.scope = Scope::Nation();
    return p;
  }
  const std::string header = MetadataValue(context, kAuthorizationMetadataKey);
  if (header.empty()) {
    return absl::UnauthenticatedError(
        "no token: send the metadata 'authorization: Bearer <token>' (the "
        "junheng CLI takes --token or $JUNHENG_TOKEN)");
  }
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(header, kBearer)) {
    return absl::UnauthenticatedError(
        "the authorization metadata must be 'Bearer <token>'");
  }
  absl::StatusOr<ParsedToken> token =
      ParseToken(absl::string_view(header).substr(kBearer.size()));
  if (!token.ok()) return token.status();
  std::shared_ptr<const Registry> registry = Current();
  auto it = registry->by_sha256.find(token->sha256);
  if (it == registry->by_sha256.end() || it->second.id() != token->id) {
    return absl::UnauthenticatedError(
        "the token is not known to this service (never issued, or from "
        "another deployment)");
  }
  const int64_t now = absl::ToUnixMicros(absl::Now());
  absl::StatusOr<Principal> caller = PrincipalOf(it->second, now);
  if (!caller.ok()) return caller.status();
  const std::string on_behalf = MetadataValue(context, kOnBehalfOfMetadataKey);
  if (on_behalf.empty()) return caller;
  if (caller->role != Role::kService) {
    return absl::PermissionDeniedError(
        absl::StrCat(caller->name,
                     " may not act on behalf of another "
                     "principal: only a service token may"));
  }
  auto forwarded = registry->by_id.find(on_behalf);
  if (forwarded == registry->by_id.end()) {
    return absl::UnauthenticatedError(
        "the caller the service forwarded is not known to this service");
  }
  absl::StatusOr<Principal> real = PrincipalOf(forwarded->second, now);
  if (!real.ok()) return real.status();
  if (real->role == Role::kService) {
    return absl::PermissionDeniedError(
        "a service may not act on behalf of another service");
  }
  real->via = caller->name;
  return real;
}

}  // namespace junheng
