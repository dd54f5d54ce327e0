#include "common/caller.h"

#include <algorithm>

namespace junheng {

std::string CallerOf(const grpc::ServerContext& context) {
  auto it = context.client_metadata().find(kUserMetadataKey);
  if (it == context.client_metadata().end() || it->second.empty()) {
    return "anonymous";
  }
  std::string user(it->second.data(), std::min<size_t>(it->second.size(), 64));
  const bool printable = std::all_of(
      user.begin(), user.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  return printable ? user : "anonymous";
}

}  // namespace junheng
