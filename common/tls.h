// TLS for servers and clients, from PEM files named on the command line.
#ifndef JUNHENG_COMMON_TLS_H_
#define JUNHENG_COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace junheng {

struct TlsServerFiles {
  std::string cert;       // PEM certificate chain; empty: no TLS
  std::string key;        // PEM private key
  std::string client_ca;  // PEM CA; set: clients must present a certificate
                          // it signed (mutual TLS)
};

struct TlsClientFiles {
  std::string ca;    // PEM CA to verify the server with; empty and no
                     // cert: plaintext
  std::string cert;  // PEM client certificate, for mutual TLS
  std::string key;
};

// Insecure credentials when no certificate is given; FAILED_PRECONDITION
// naming the file that cannot be read, INVALID_ARGUMENT for an incomplete
// set (a certificate without its key, …).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const TlsServerFiles& files);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const TlsClientFiles& files);

// Whether host:port names this machine's loopback interface only
// (127.0.0.0/8, ::1, localhost).
bool IsLoopbackAddress(absl::string_view host_port);

}  // namespace junheng

#endif  // JUNHENG_COMMON_TLS_H_
