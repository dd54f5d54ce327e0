#include "archive_service/keys.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace junheng::archive {

std::string U64Key(uint64_t v) {
  std::string out;
  PutU64BE(out, v);
  return out;
}

std::string EvidenceKey(const EvidenceName& name) {
  return absl::StrCat(name.parent.county, absl::string_view("\0", 1),
                      name.parent.school, absl::string_view("\0", 1),
                      name.evidence, absl::string_view("\0", 1));
}

std::optional<EvidenceName> DecodeEvidenceKey(absl::string_view key) {
  if (key.empty() || key.back() != '\0') return std::nullopt;
  key.remove_suffix(1);
  std::vector<absl::string_view> parts = absl::StrSplit(key, '\0');
  if (parts.size() != 3) return std::nullopt;
  EvidenceName name{{std::string(parts[0]), std::string(parts[1])},
                    std::string(parts[2])};
  if (!IsValidCountyCode(name.parent.county) ||
      (!name.parent.school.empty() && !IsValidSchoolCode(name.parent.school)) ||
      !IsValidEvidenceId(name.evidence)) {
    return std::nullopt;
  }
  return name;
}

std::string ParentPrefix(const Parent& parent) {
  if (parent.county.empty()) return "";
  if (parent.school.empty()) {
    return absl::StrCat(parent.county, absl::string_view("\0", 1));
  }
  return absl::StrCat(parent.county, absl::string_view("\0", 1), parent.school,
                      absl::string_view("\0", 1));
}

std::string VersionKeyFromEvidenceKey(absl::string_view evidence_key,
                                      uint64_t version) {
  std::string key(evidence_key);
  PutU64BE(key, version);
  return key;
}

std::string VersionKey(const EvidenceName& name, uint64_t version) {
  return VersionKeyFromEvidenceKey(EvidenceKey(name), version);
}

uint64_t VersionOfKey(absl::string_view version_key) {
  return GetU64BE(version_key.substr(version_key.size() - 8));
}

std::string IndicatorPrefix(absl::string_view code) {
  return absl::StrCat(code, absl::string_view("\0", 1));
}

std::string IndicatorKey(absl::string_view code,
                         absl::string_view evidence_key) {
  return absl::StrCat(IndicatorPrefix(code), evidence_key);
}

absl::string_view EvidenceKeyOfIndicatorKey(absl::string_view key) {
  const size_t zero = key.find('\0');
  return zero == absl::string_view::npos ? absl::string_view()
                                         : key.substr(zero + 1);
}

std::string StagingKey(uint64_t upload_id, const Sha256Digest& chunk) {
  std::string key;
  PutU64BE(key, upload_id);
  absl::StrAppend(&key, AsBytes(chunk));
  return key;
}

absl::string_view ChunkOfStagingKey(absl::string_view key) {
  return key.substr(8);
}

uint64_t UploadOfStagingKey(absl::string_view key) {
  return key.size() < 8 ? 0 : GetU64BE(key.substr(0, 8));
}

std::string FreezeKey(const Parent& place) {
  std::string key("freeze");
  key.push_back('\0');
  key += place.county;
  key.push_back('\0');
  key += place.school;
  return key;
}

}  // namespace junheng::archive
