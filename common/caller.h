// Who is calling: until authentication (issue 4) the caller names itself in
// the x-junheng-user metadata, which both services record with changes.
#ifndef JUNHENG_COMMON_CALLER_H_
#define JUNHENG_COMMON_CALLER_H_

#include <string>

#include "grpcpp/server_context.h"

namespace junheng {

inline constexpr char kUserMetadataKey[] = "x-junheng-user";

// The caller's name (at most 64 printable ASCII characters), else
// "anonymous".
std::string CallerOf(const grpc::ServerContext& context);

}  // namespace junheng

#endif  // JUNHENG_COMMON_CALLER_H_
