#include "common/caller.h"

#include <algorithm>
#include <chrono>

namespace junheng {

std::string CallerOf(const grpc::ServerContextBase& context) {
  auto it = context.client_metadata().find(kUserMetadataKey);
  if (it == context.client_metadata().end() || it->second.empty()) {
    return "anonymous";
  }
  std::string user(it->second.data(), std::min<size_t>(it->second.size(), 64));
  const bool printable = std::all_of(
      user.begin(), user.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  return printable ? user : "anonymous";
}

std::optional<absl::Time> DeadlineOf(const grpc::ServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return std::nullopt;
  }
  return absl::FromChrono(deadline);
}

}  // namespace junheng
