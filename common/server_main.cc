#include "common/server_main.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

namespace junheng {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

absl::Status Serve(const ServeOptions& options,
                   const std::vector<grpc::Service*>& services) {
  if (!options.tls && !options.allow_plaintext_remote &&
      !IsLoopbackAddress(options.listen_address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to serve plaintext on ", options.listen_address,
        ", which other machines can reach: give --tls_cert and --tls_key, "
        "listen on 127.0.0.1, or pass --insecure if a trusted proxy "
        "terminates TLS"));
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address,
                           options.credentials != nullptr
                               ? options.credentials
                               : grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // gRPC sets SO_REUSEPORT by default, which lets a second server bind a
  // port already in use and silently split the traffic with the first.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     ": the address is in use or not local to this machine"));
  }
  server->GetHealthCheckService()->SetServingStatus(true);

  std::string host =
      options.listen_address.substr(0, options.listen_address.rfind(':'));
  std::printf("%s listening on %s:%d\n", options.server_name.c_str(),
              host.c_str(), port);
  std::fflush(stdout);

  sigset_t set = ShutdownSignals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  std::fprintf(stderr, "%s: %s received, draining (up to %s)\n",
               options.server_name.c_str(),
               sig == SIGINT ? "SIGINT" : "SIGTERM",
               absl::FormatDuration(options.shutdown_grace).c_str());
  // Tell load balancers first, then stop accepting and drain.
  server->GetHealthCheckService()->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() +
                   absl::ToChronoNanoseconds(options.shutdown_grace));
  server->Wait();
  std::fprintf(stderr, "%s: stopped\n", options.server_name.c_str());
  return absl::OkStatus();
}

}  // namespace junheng
