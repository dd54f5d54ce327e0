// The command-line flags every Junheng server shares (listen address,
// principals, TLS, shutdown grace) and what they set up.
//
//   --listen HOST:PORT         (port 0 picks a free one)
//   --principals FILE          tokens, roles and scopes (common/tokens.h)
//   --insecure_no_auth         serve without authentication (loud)
//   --tls_cert, --tls_key      serve TLS
//   --tls_client_ca FILE       require client certificates (mutual TLS)
//   --insecure                 allow plaintext on a non-loopback address
//   --shutdown_grace_seconds N
#ifndef JUNHENG_COMMON_SERVER_FLAGS_H_
#define JUNHENG_COMMON_SERVER_FLAGS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/authenticator.h"
#include "common/server_main.h"

namespace junheng {

struct ServerSetup {
  std::unique_ptr<Authenticator> auth;
  ServeOptions serve;
};

// Reads the shared flags. FAILED_PRECONDITION when neither --principals nor
// --insecure_no_auth is given, or a file cannot be read.
absl::StatusOr<ServerSetup> ServerSetupFromFlags(
    const std::string& server_name);

}  // namespace junheng

#endif  // JUNHENG_COMMON_SERVER_FLAGS_H_
