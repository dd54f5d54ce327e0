#include "checklist_service/grpc/archive_evidence.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/authenticator.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "grpcpp/client_context.h"

namespace junheng::checklist {

ArchiveEvidenceSource::ArchiveEvidenceSource(
    std::unique_ptr<v1::ArchiveService::Stub> archive,
    std::string service_token)
    : archive_(std::move(archive)), service_token_(std::move(service_token)) {}

std::vector<std::pair<std::string, std::string>>
ArchiveEvidenceSource::MetadataFor(const Principal& caller) const {
  // The archive authorizes the real caller: this service names it and
  // proves itself with its own token.
  std::vector<std::pair<std::string, std::string>> metadata;
  if (!service_token_.empty()) {
    metadata.emplace_back(kAuthorizationMetadataKey,
                          absl::StrCat("Bearer ", service_token_));
    if (!caller.token_id.empty()) {
      metadata.emplace_back(kOnBehalfOfMetadataKey, caller.token_id);
    }
  }
  // A name is only forwarded to an archive without authentication, and only
  // if gRPC may carry it (printable ASCII; names may be Chinese).
  if (caller.token_id.empty() &&
      std::all_of(caller.name.begin(), caller.name.end(),
                  [](char c) { return c >= 0x20 && c < 0x7f; })) {
    metadata.emplace_back(kUserMetadataKey, caller.name);
  }
  return metadata;
}

absl::StatusOr<EvidenceIndex> ArchiveEvidenceSource::Fetch(
    const Principal& caller, const std::string& county, int year,
    absl::Duration timeout) {
  const auto metadata = MetadataFor(caller);
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  EvidenceIndex index;
  v1::ListEvidenceRequest request;
  request.set_parent(Parent{county, ""}.ToString());
  request.set_school_year(year);
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    v1::ListEvidenceResponse response;
    absl::Status s =
        FromGrpc(archive_->ListEvidence(&context, request, &response));
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

absl::StatusOr<std::vector<EvidenceSource::Lookup>>
ArchiveEvidenceSource::LookUp(const Principal& caller,
                              const std::vector<std::string>& names,
                              absl::Duration timeout) {
  const auto metadata = MetadataFor(caller);
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  std::vector<Lookup> out;
  out.reserve(names.size());
  for (const std::string& name : names) {
    absl::StatusOr<VersionName> parsed = ParseVersionName(name, "evidence");
    if (!parsed.ok()) {
      out.push_back(Lookup::kNotFound);
      continue;
    }
    grpc::ClientContext context;
    context.set_deadline(deadline);
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    v1::GetEvidenceRequest request;
    request.set_name(parsed->evidence.ToString());
    v1::Evidence evidence;
    absl::Status s =
        FromGrpc(archive_->GetEvidence(&context, request, &evidence));
    if (absl::IsNotFound(s)) {
      out.push_back(Lookup::kNotFound);
    } else if (absl::IsPermissionDenied(s)) {
      out.push_back(Lookup::kNotVisible);
    } else if (!s.ok()) {
      return s;
    } else if (parsed->version > evidence.version_count()) {
      out.push_back(Lookup::kNotFound);
    } else {
      out.push_back(evidence.has_delete_time() ? Lookup::kDeleted
                                               : Lookup::kPresent);
    }
  }
  return out;
}

}  // namespace junheng::checklist
