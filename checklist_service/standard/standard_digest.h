// The content hash of a standard: what "standards/moe-2017-quality" meant
// when a result was computed.
//
// A standard's name alone does not say which rules judged a county: a
// server may be configured with another default, a provincial file may be
// corrected, a base standard may change under its variants. Results carry
// the resolved standard's name and this hash, computed once when the
// service loads its standards (IndicatorStandard.content_sha256).
#ifndef JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_DIGEST_H_
#define JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_DIGEST_H_

#include <string>

#include "checklist_service/standard/standard_loader.h"
#include "junheng/v1/standard.pb.h"

namespace junheng::checklist {

// Lowercase hex SHA-256 of the deterministic serialization of `standard`
// with content_sha256 cleared (so a standard's hash does not depend on
// itself). Deterministic serialization writes fields in number order and
// map entries sorted, so equal messages give equal bytes with this build's
// protobuf.
std::string StandardContentSha256(const v1::IndicatorStandard& standard);

// Sets content_sha256 on every standard.
StandardMap WithContentHashes(StandardMap standards);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_STANDARD_STANDARD_DIGEST_H_
