// Fuzzes the resource-name parsers (common/resource_name.h) with arbitrary
// names.
//
// Besides "no crash, no hang, no leak", checks:
//   - round trip: a name that parses is canonical, i.e. ToString() of the
//     result is the input itself and parses again to the same value;
//   - the parsers agree: a parent is also a list parent, an evidence name is
//     also a version name (version 0), a version name is not an evidence name;
//   - a refusal is INVALID_ARGUMENT carrying a field violation for the field
//     given, whose text is valid UTF-8 when the name was, so that the
//     google.rpc.BadRequest sent to the client can be parsed there.
// abort() when one does not hold.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using junheng::EvidenceName;
using junheng::Parent;
using junheng::VersionName;
using junheng::fuzz::Fail;

constexpr absl::string_view kField = "request.name";

void CheckRefusal(const absl::Status& status, absl::string_view parser,
                  absl::string_view name) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    Fail(absl::StrCat(parser, " refused with ", status.ToString()));
  }
  const std::vector<junheng::FieldViolation> violations =
      junheng::FieldViolations(status);
  if (violations.size() != 1 || violations[0].field != kField) {
    Fail(absl::StrCat(parser, " refused without a violation of ", kField,
                      " that can be decoded: ", status.ToString()));
  }
  if (junheng::fuzz::IsValidUtf8(name) &&
      !junheng::fuzz::IsValidUtf8(violations[0].description)) {
    Fail(absl::StrCat(parser, " turned a UTF-8 name into a non-UTF-8 message"));
  }
}

bool SameVersion(const VersionName& a, const VersionName& b) {
  return a.evidence == b.evidence && a.version == b.version;
}

template <typename T, typename Equal>
void CheckRoundTrip(const absl::StatusOr<T>& parsed, absl::string_view name,
                    absl::StatusOr<T> (*parse)(absl::string_view,
                                               absl::string_view),
                    absl::string_view parser, Equal equal) {
  if (!parsed.ok()) {
    CheckRefusal(parsed.status(), parser, name);
    return;
  }
  const std::string text = parsed->ToString();
  if (text != name) {
    Fail(absl::StrCat(parser, " accepted \"", name, "\" but prints it as \"",
                      text, "\""));
  }
  const absl::StatusOr<T> again = parse(text, kField);
  if (!again.ok() || !equal(*again, *parsed)) {
    Fail(absl::StrCat(parser, ": \"", text, "\" does not parse back"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view name(reinterpret_cast<const char*>(data), size);
  auto equal = [](const auto& a, const auto& b) { return a == b; };

  const absl::StatusOr<Parent> parent = junheng::ParseParent(name, kField);
  CheckRoundTrip(parent, name, &junheng::ParseParent, "ParseParent", equal);
  const absl::StatusOr<Parent> list = junheng::ParseListParent(name, kField);
  CheckRoundTrip(list, name, &junheng::ParseListParent, "ParseListParent",
                 equal);
  const absl::StatusOr<EvidenceName> evidence =
      junheng::ParseEvidenceName(name, kField);
  CheckRoundTrip(evidence, name, &junheng::ParseEvidenceName,
                 "ParseEvidenceName", equal);
  const absl::StatusOr<VersionName> version =
      junheng::ParseVersionName(name, kField);
  CheckRoundTrip(version, name, &junheng::ParseVersionName, "ParseVersionName",
                 SameVersion);

  if (parent.ok() && !(list.ok() && *list == *parent)) {
    Fail("a parent that is not a list parent");
  }
  if (list.ok() && !parent.ok() && name != "counties/-") {
    Fail("a list parent other than counties/- that is not a parent");
  }
  if (evidence.ok() != (version.ok() && version->version == 0)) {
    Fail("ParseEvidenceName and ParseVersionName disagree");
  }
  if (evidence.ok() && !(version->evidence == *evidence)) {
    Fail("ParseEvidenceName and ParseVersionName parse differently");
  }
  if (version.ok() && version->version < 0) Fail("a negative version");
  if ((parent.ok() || version.ok()) && size > junheng::kMaxNameLength) {
    Fail("a name over kMaxNameLength accepted");
  }
  return 0;
}
