#include "checklist_service/grpc/evidence_status.h"

#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "grpcpp/client_context.h"

namespace junheng::checklist {

absl::StatusOr<EvidenceIndex> FetchEvidence(v1::ArchiveService::Stub& archive,
                                            const ArchiveMetadata& metadata,
                                            const std::string& county, int year,
                                            absl::Duration timeout) {
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  EvidenceIndex index;
  v1::ListEvidenceRequest request;
  request.set_parent(absl::StrCat("counties/", county));
  request.set_school_year(year);
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    v1::ListEvidenceResponse response;
    absl::Status s =
        FromGrpc(archive.ListEvidence(&context, request, &response));
    if (!s.ok()) return s;
    for (const v1::Evidence& e : response.evidence()) {
      // counties/C[/schools/S]/evidence/ID: the place is what precedes
      // "/evidence/".
      const std::string place =
          e.name().substr(0, e.name().rfind("/evidence/"));
      for (const std::string& code : e.indicator_codes()) {
        index.emplace(code, place);
      }
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return index;
}

void ApplyEvidence(const v1::IndicatorStandard& standard,
                   const EvidenceIndex* index,
                   const std::vector<std::string>& counted_schools,
                   v1::CountyEvaluation& eval) {
  absl::flat_hash_map<std::string, const v1::Indicator*> by_code;
  for (const auto& i : standard.indicators()) by_code[i.code()] = &i;
  const std::string county_place =
      absl::StrCat("counties/", eval.county_code());
  // Codes with evidence anywhere in the county.
  std::set<std::string> anywhere;
  if (index) {
    for (const auto& [code, place] : *index) anywhere.insert(code);
  }
  for (auto& area : *eval.mutable_areas()) {
    for (auto& result : *area.mutable_indicators()) {
      auto it = by_code.find(result.code());
      if (it == by_code.end() || it->second->evidence().empty()) {
        result.set_evidence(v1::EVIDENCE_NOT_EXPECTED);
        continue;
      }
      if (index == nullptr) {
        result.set_evidence(v1::EVIDENCE_UNKNOWN);
        continue;
      }
      std::set<std::string> missing;
      for (const auto& expected : it->second->evidence()) {
        if (!expected.per_school()) {
          if (!anywhere.contains(result.code())) missing.insert(county_place);
          continue;
        }
        for (const std::string& school : counted_schools) {
          const std::string place =
              absl::StrCat(county_place, "/schools/", school);
          if (!index->contains({result.code(), place})) missing.insert(place);
        }
      }
      result.set_evidence(missing.empty() ? v1::EVIDENCE_PRESENT
                                          : v1::EVIDENCE_MISSING);
      for (const auto& m : missing) result.add_missing_evidence_at(m);
    }
  }
}

}  // namespace junheng::checklist
