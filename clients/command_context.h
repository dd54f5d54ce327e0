// What every verb of a service's command group needs: the parsed command
// line, the output format, the service's address and stub, and who is
// calling, put on each call with a deadline.
#ifndef JUNHENG_CLIENTS_COMMAND_CONTEXT_H_
#define JUNHENG_CLIENTS_COMMAND_CONTEXT_H_

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cli.h"
#include "clients/connection.h"
#include "grpcpp/client_context.h"

namespace junheng::cli {

template <typename Stub>
struct CommandContext {
  const Args& args;
  std::string format;
  std::string address;
  std::unique_ptr<Stub> stub;
  std::string user;
  std::string token;

  void Prepare(grpc::ClientContext& c, absl::Duration timeout) const {
    c.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoNanoseconds(timeout));
    AddCallerMetadata(c, token, user);
  }
};

// Connects to `which` service ("checklist", "archive": its address from the
// command line or the environment) with the caller's credentials.
template <typename Service>
absl::StatusOr<CommandContext<typename Service::Stub>> ConnectCommand(
    const Args& args, std::string format, const std::string& which) {
  const std::string address = ServiceAddress(args, which);
  absl::StatusOr<Credentials> credentials = CredentialsFromArgs(args);
  if (!credentials.ok()) return credentials.status();
  auto channel = Connect(address, credentials->tls, 64 << 20);
  if (!channel.ok()) return channel.status();
  return CommandContext<typename Service::Stub>{args,
                                                std::move(format),
                                                address,
                                                Service::NewStub(*channel),
                                                credentials->user,
                                                credentials->token};
}

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_COMMAND_CONTEXT_H_
