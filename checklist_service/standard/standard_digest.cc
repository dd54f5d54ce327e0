#include "checklist_service/standard/standard_digest.h"

#include <utility>

#include "common/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace junheng::checklist {

std::string StandardContentSha256(const v1::IndicatorStandard& standard) {
  v1::IndicatorStandard copy = standard;
  copy.clear_content_sha256();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return ToHex(Sha256::Of(bytes));
}

StandardMap WithContentHashes(StandardMap standards) {
  for (auto& [id, standard] : standards) {
    standard.set_content_sha256(StandardContentSha256(standard));
  }
  return standards;
}

}  // namespace junheng::checklist
