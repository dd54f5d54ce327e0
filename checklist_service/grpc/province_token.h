// The page token of EvaluateProvince: where a broken stream resumes.
//
// A token says "the counties after `after_county`, of this province and
// year, as of revision `revision`, against this standard with this content
// hash, in this view". Counties stream in code order, so that is exactly
// the counties not yet received. The token is opaque to clients (base64url
// of a versioned text form) but not secret: it names nothing the request
// itself could not, and the caller's scope is checked on every call.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_PROVINCE_TOKEN_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_PROVINCE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace junheng::checklist {

struct ProvinceToken {
  std::string province;  // 2 digits
  int year = 0;
  std::string standard_id;
  std::string standard_sha256;
  int64_t revision = 0;
  int view = 0;  // v1::EvaluationView
  std::string after_county;
};

std::string EncodeProvinceToken(const ProvinceToken& token);

// INVALID_ARGUMENT (no field violation; the caller names the field) for
// anything EncodeProvinceToken did not make.
absl::StatusOr<ProvinceToken> DecodeProvinceToken(absl::string_view text);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_PROVINCE_TOKEN_H_
