// Fuzzes the standard-file loader (parse, resolve variants, validate) with
// arbitrary file text.
//
// Input: one control byte, then text. By the control byte modulo 3:
//   0: the text is one self-contained standard file (LoadStandard);
//   1: the text is a file loaded together with the repository's standards/,
//      so a variant of moe-2017-quality or moe-2012-basic gets resolved;
//   2: the text is several files separated by lines "#~~~", so bases,
//      cycles and duplicate ids across files are reachable.
//
// Besides "no crash, no hang, no leak", checks one property: a standard the
// loader accepts, variants resolved, is itself a valid standard. Printed as a
// self-contained file (base_standard_id cleared) it must load again, to the
// same message; abort() otherwise. A variant that loads but whose result
// would be refused as a file of its own means the validation of variants
// misses a case.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "checklist_service/standard/standard_loader.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"

namespace {

using junheng::checklist::LoadStandard;
using junheng::checklist::LoadStandards;
using junheng::checklist::StandardMap;
using junheng::checklist::StandardSource;

// The repository's standard files, read once.
const std::vector<StandardSource>& RepositoryStandards() {
  static const auto* sources = [] {
    auto result =
        junheng::checklist::ReadStandardSources(JUNHENG_STANDARDS_DIR);
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<StandardSource>(*std::move(result));
  }();
  return *sources;
}

// The repository's standards as loaded on their own; they need checking
// only once.
const StandardMap& RepositoryMap() {
  static const auto* map = [] {
    absl::StatusOr<StandardMap> result = LoadStandards(RepositoryStandards());
    if (!result.ok()) {
      std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
      std::abort();
    }
    return new StandardMap(*std::move(result));
  }();
  return *map;
}

void CheckReloads(const StandardMap& standards) {
  for (const auto& [id, standard] : standards) {
    if (auto it = RepositoryMap().find(id);
        it != RepositoryMap().end() &&
        google::protobuf::util::MessageDifferencer::Equals(it->second,
                                                           standard)) {
      continue;
    }
    junheng::v1::IndicatorStandard alone = standard;
    alone.clear_base_standard_id();
    std::string text;
    if (!google::protobuf::TextFormat::PrintToString(alone, &text)) {
      std::abort();
    }
    absl::StatusOr<junheng::v1::IndicatorStandard> again =
        LoadStandard("resolved.textproto", text);
    if (!again.ok()) {
      std::fprintf(stderr,
                   "standard \"%s\" loaded, but not as a file of its own:\n"
                   "%s\n--- file:\n%s\n",
                   id.c_str(), again.status().ToString().c_str(), text.c_str());
      std::abort();
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(*again, alone)) {
      std::fprintf(stderr, "standard \"%s\" changed on reloading:\n%s\n",
                   id.c_str(), text.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  switch (mode) {
    case 0: {
      absl::StatusOr<junheng::v1::IndicatorStandard> standard =
          LoadStandard("fuzz.textproto", text);
      if (standard.ok()) CheckReloads({{standard->id(), *standard}});
      break;
    }
    case 1: {
      std::vector<StandardSource> sources = RepositoryStandards();
      sources.push_back({"fuzz.textproto", std::string(text)});
      absl::StatusOr<StandardMap> standards = LoadStandards(sources);
      if (standards.ok()) CheckReloads(*standards);
      break;
    }
    case 2: {
      std::vector<StandardSource> sources;
      for (absl::string_view part : absl::StrSplit(text, "\n#~~~\n")) {
        sources.push_back({absl::StrCat("fuzz", sources.size(), ".textproto"),
                           std::string(part)});
      }
      absl::StatusOr<StandardMap> standards = LoadStandards(sources);
      if (standards.ok()) CheckReloads(*standards);
      break;
    }
  }
  return 0;
}
