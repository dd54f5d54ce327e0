// Who is calling: until authentication (issue 4) the caller names itself in
// the x-junheng-user metadata, which both services record with changes.
#ifndef JUNHENG_COMMON_CALLER_H_
#define JUNHENG_COMMON_CALLER_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace junheng {

inline constexpr char kUserMetadataKey[] = "x-junheng-user";

// The caller's name (at most 64 printable ASCII characters), else
// "anonymous".
std::string CallerOf(const grpc::ServerContextBase& context);

// The caller's deadline, if it set one: what the server may spend on the
// call, including asking the other service.
std::optional<absl::Time> DeadlineOf(const grpc::ServerContext& context);

}  // namespace junheng

#endif  // JUNHENG_COMMON_CALLER_H_
