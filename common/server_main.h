// The shared life cycle of a Junheng server process: listen (port 0 picks a
// free one), enable gRPC health checking and server reflection, report the
// bound address, serve until SIGINT or SIGTERM, then drain gracefully.
#ifndef JUNHENG_COMMON_SERVER_MAIN_H_
#define JUNHENG_COMMON_SERVER_MAIN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/security/server_credentials.h"

namespace junheng {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
// later, so that RunServer() can wait for them synchronously. Call first
// thing in main(), before any thread (gRPC's, RocksDB's) exists.
void BlockShutdownSignals();

struct ServeOptions {
  // host:port; port 0 picks a free port.
  std::string listen_address;
  // Name printed in the log lines, e.g. "junheng-archive".
  std::string server_name;
  // In-flight calls get this long to finish after a shutdown signal; then
  // they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(10);
  int max_receive_message_bytes = 8 << 20;
  // Null: plaintext. See common/tls.h.
  std::shared_ptr<grpc::ServerCredentials> credentials = nullptr;
  bool tls = false;
  // Plaintext on an address other machines can reach is refused unless
  // this is set (--insecure).
  bool allow_plaintext_remote = false;
};

// Serves `services` until a shutdown signal arrives. Prints
// "<server_name> listening on <host>:<port>" on stdout once accepting calls
// (tests and scripts read the port from it). Returns UNAVAILABLE if the
// address cannot be bound, FAILED_PRECONDITION for plaintext on a
// non-loopback address without allow_plaintext_remote.
absl::Status Serve(const ServeOptions& options,
                   const std::vector<grpc::Service*>& services);

}  // namespace junheng

#endif  // JUNHENG_COMMON_SERVER_MAIN_H_
