#include "common/server_flags.h"

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/tls.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "host:port to serve on; port 0 picks a free port, printed on start");
ABSL_FLAG(std::string, principals, "",
          "principals file (tokens, roles, scopes), managed with `junheng "
          "admin token`; re-read when it changes");
ABSL_FLAG(bool, insecure_no_auth, false,
          "serve without authentication: every caller may do everything");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain to serve TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA; clients must present a certificate it signed");
ABSL_FLAG(bool, insecure, false,
          "allow plaintext on an address other machines can reach");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "how long in-flight calls may run on after SIGTERM");

namespace junheng {

absl::StatusOr<ServerSetup> ServerSetupFromFlags(
    const std::string& server_name) {
  ServerSetup setup;
  const std::string principals = absl::GetFlag(FLAGS_principals);
  const bool no_auth = absl::GetFlag(FLAGS_insecure_no_auth);
  if (!principals.empty() && no_auth) {
    return absl::InvalidArgumentError(
        "--principals and --insecure_no_auth exclude each other");
  }
  if (principals.empty() && !no_auth) {
    return absl::FailedPreconditionError(
        "no --principals file: give one (create it with `junheng admin "
        "token create --principals FILE --role admin --name NAME`), or pass "
        "--insecure_no_auth to let every caller do everything");
  }
  if (no_auth) {
    std::fprintf(stderr,
                 "%s: WARNING: --insecure_no_auth: no authentication, every "
                 "caller may read, change and delete everything\n",
                 server_name.c_str());
    setup.auth = Authenticator::Insecure();
  } else {
    absl::StatusOr<std::unique_ptr<Authenticator>> auth =
        Authenticator::FromFile(principals);
    if (!auth.ok()) return auth.status();
    setup.auth = std::move(*auth);
  }
  TlsServerFiles tls{absl::GetFlag(FLAGS_tls_cert),
                     absl::GetFlag(FLAGS_tls_key),
                     absl::GetFlag(FLAGS_tls_client_ca)};
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  setup.serve.listen_address = absl::GetFlag(FLAGS_listen);
  setup.serve.server_name = server_name;
  setup.serve.shutdown_grace =
      absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  setup.serve.credentials = *credentials;
  setup.serve.tls = !tls.cert.empty();
  setup.serve.allow_plaintext_remote = absl::GetFlag(FLAGS_insecure);
  if (setup.serve.allow_plaintext_remote && !setup.serve.tls) {
    std::fprintf(stderr,
                 "%s: WARNING: --insecure: plaintext allowed on %s; tokens "
                 "cross the network readable by anyone on the path\n",
                 server_name.c_str(), setup.serve.listen_address.c_str());
  }
  return setup;
}

}  // namespace junheng
