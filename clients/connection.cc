#include "clients/connection.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/caller.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace junheng {

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(8 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& address, const TlsClientFiles& tls,
    int max_receive_message_bytes) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(max_receive_message_bytes);
  return grpc::CreateCustomChannel(address, *credentials, args);
}

void AddCallerMetadata(grpc::ClientContext& context, const std::string& token,
                       const std::string& user) {
  auto printable = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c >= 0x20 && c < 0x7f; });
  };
  if (!token.empty() && printable(token)) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  // gRPC aborts on metadata that is not printable ASCII.
  if (!user.empty() && printable(user)) {
    context.AddMetadata(kUserMetadataKey, user);
  }
}

}  // namespace junheng
