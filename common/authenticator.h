// Server-side authentication: who is calling, from the bearer token in the
// `authorization` metadata, checked against the principals file.
//
// The file is re-read when it changes (checked with one stat() per call, so
// a revocation holds from the next call on). A file that fails to parse
// after a change keeps the previous contents in force and is reported on
// stderr: a typo must not lock everyone out, nor let anyone in.
#ifndef JUNHENG_COMMON_AUTHENTICATOR_H_
#define JUNHENG_COMMON_AUTHENTICATOR_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/access.h"
#include "common/mutex.h"
#include "grpcpp/server_context.h"
#include "junheng/internal/principals.pb.h"

namespace junheng {

inline constexpr char kAuthorizationMetadataKey[] = "authorization";
// Sent by a service principal: the token id of the caller it acts for.
inline constexpr char kOnBehalfOfMetadataKey[] = "x-junheng-on-behalf-of";

class Authenticator {
 public:
  // --insecure_no_auth: every caller is unrestricted, named by the
  // x-junheng-user metadata it sends.
  static std::unique_ptr<Authenticator> Insecure();
  // Loads `principals_path`; fails if it cannot be read or is invalid.
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromFile(
      const std::string& principals_path);

  // The calling principal, or UNAUTHENTICATED (no token, malformed, unknown,
  // expired or revoked). A service principal that names a caller in
  // x-junheng-on-behalf-of yields that caller, with `via` set.
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context);

  bool insecure() const { return insecure_; }

 private:
  struct Registry {
    absl::flat_hash_map<std::string, internal::TokenRecord> by_sha256;
    absl::flat_hash_map<std::string, internal::TokenRecord> by_id;
  };
  struct FileStamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };

  Authenticator() = default;
  std::shared_ptr<const Registry> Current();
  static std::shared_ptr<const Registry> Build(
      const internal::PrincipalsFile& file);

  bool insecure_ = false;
  std::string path_;
  Mutex mu_;
  std::shared_ptr<const Registry> registry_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  FileStamp rejected_ ABSL_GUARDED_BY(mu_);
};

}  // namespace junheng

#endif  // JUNHENG_COMMON_AUTHENTICATOR_H_
