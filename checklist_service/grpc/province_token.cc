#include "checklist_service/grpc/province_token.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace junheng::checklist {
namespace {

// Bump when the form changes; older tokens are then refused, not misread.
constexpr char kVersion[] = "p1";

bool Digits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// Standard ids are lower-case letters, digits and hyphens, hashes hex:
// neither can hold the separator.
bool Plain(absl::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string EncodeProvinceToken(const ProvinceToken& t) {
  return absl::WebSafeBase64Escape(
      absl::StrJoin({std::string(kVersion), t.province, absl::StrCat(t.year),
                     t.standard_id, t.standard_sha256, absl::StrCat(t.revision),
                     absl::StrCat(t.view), t.after_county},
                    "|"));
}

absl::StatusOr<ProvinceToken> DecodeProvinceToken(absl::string_view text) {
  const auto bad = absl::InvalidArgumentError(
      "is not a page token this service issued; pass next_page_token from "
      "an earlier EvaluateProvince stream unchanged");
  std::string raw;
  if (text.size() > 512 || !absl::WebSafeBase64Unescape(text, &raw)) {
    return bad;
  }
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  ProvinceToken t;
  if (parts.size() != 8 || parts[0] != kVersion || !Digits(parts[1], 2) ||
      !Digits(parts[2], 4) || !absl::SimpleAtoi(parts[2], &t.year) ||
      !Plain(parts[3]) || !Plain(parts[4]) ||
      !absl::SimpleAtoi(parts[5], &t.revision) || t.revision < 0 ||
      !absl::SimpleAtoi(parts[6], &t.view) || !Digits(parts[7], 6)) {
    return bad;
  }
  t.province = parts[1];
  t.standard_id = parts[3];
  t.standard_sha256 = parts[4];
  t.after_county = parts[7];
  return t;
}

}  // namespace junheng::checklist
