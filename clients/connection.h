// Channels to the services and the metadata that says who is calling,
// shared by every client (the CLI, the load generator, tests).
#ifndef JUNHENG_CLIENTS_CONNECTION_H_
#define JUNHENG_CLIENTS_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/tls.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace junheng {

// A plaintext channel to host:port.
std::shared_ptr<grpc::Channel> Connect(const std::string& address);
// A channel with the given TLS files (plaintext when none is set);
// FAILED_PRECONDITION for a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& address, const TlsClientFiles& tls,
    int max_receive_message_bytes = 8 << 20);

// Adds who the caller is to a call: the bearer token, and the self-declared
// user name that services run without authentication record.
void AddCallerMetadata(grpc::ClientContext& context, const std::string& token,
                       const std::string& user);

}  // namespace junheng

#endif  // JUNHENG_CLIENTS_CONNECTION_H_
