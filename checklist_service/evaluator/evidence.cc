#include "checklist_service/evaluator/evidence.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/resource_name.h"

namespace junheng::checklist {

namespace v1 = junheng::v1;

void JudgeEvidence(const v1::IndicatorStandard& standard,
                   const EvidenceIndex* index, CountyVerdict& verdict) {
  verdict.evidence_checked = index != nullptr;
  absl::flat_hash_map<std::string, const v1::Indicator*> by_code;
  for (const v1::Indicator& i : standard.indicators()) by_code[i.code()] = &i;
  const std::string county_place = Parent{verdict.county_code, ""}.ToString();
  // Codes with evidence anywhere in the county.
  absl::flat_hash_set<std::string> anywhere;
  if (index != nullptr) {
    for (const auto& [code, place] : *index) anywhere.insert(code);
  }
  for (AreaVerdict& area : verdict.areas) {
    for (CountyIndicatorResult& result : area.indicators) {
      auto it = by_code.find(result.code);
      if (it == by_code.end() || it->second->evidence().empty()) {
        result.evidence = EvidenceState::kNotExpected;
        continue;
      }
      if (index == nullptr) {
        result.evidence = EvidenceState::kUnknown;
        continue;
      }
      std::set<std::string> missing;
      for (const v1::EvidenceExpectation& expected : it->second->evidence()) {
        if (!expected.per_school()) {
          if (!anywhere.contains(result.code)) missing.insert(county_place);
          continue;
        }
        for (const SchoolVerdict& school : verdict.schools) {
          if (school.inclusion != Inclusion::kCounted) continue;
          std::string place =
              Parent{verdict.county_code, school.school_code}.ToString();
          if (!index->contains({std::string(result.code), place})) {
            missing.insert(std::move(place));
          }
        }
      }
      result.evidence =
          missing.empty() ? EvidenceState::kPresent : EvidenceState::kMissing;
      result.missing_evidence_at.assign(missing.begin(), missing.end());
    }
  }
}

}  // namespace junheng::checklist
