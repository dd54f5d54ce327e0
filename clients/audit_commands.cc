// junheng audit log|head|verify: reading and verifying the services' audit
// hash chains, and the token changes' chain in a principals file.
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/archive_client.h"
#include "clients/audit_verify.h"
#include "clients/cli.h"
#include "clients/commands.h"
#include "clients/connection.h"
#include "common/audit_chain.h"
#include "common/grpc_status.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/tokens.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"

namespace junheng::cli {

const char kAuditUsage[] =
    "junheng audit — the audit logs (hash chains) of the services\n"
    "\n"
    "  log archive|checklist [--resource PREFIX] [--since TIME] [--until "
    "TIME]\n"
    "                        [--from SEQUENCE] [--format json]\n"
    "  head archive|checklist\n"
    "      the chain head (SEQUENCE:HASH) to publish, so that later anyone\n"
    "      can check no earlier entry changed\n"
    "  verify archive|checklist [--head SEQUENCE:HASH] [--no_content] "
    "[--partial]\n"
    "      recomputes every entry's hash and link and, for the archive, the\n"
    "      SHA-256 of every uploaded version's stored content; prints the\n"
    "      first entry that does not match and exits 1. --partial: you may\n"
    "      not read every entry (gaps are not reported)\n"
    "  verify --principals FILE [--head SEQUENCE:HASH]\n"
    "      the token changes recorded in a principals file\n"
    "\n"
    "TIME is RFC 3339 (2026-11-23T08:00:00Z). Addresses: --archive_addr,\n"
    "--checklist_addr (or $JUNHENG_ARCHIVE_ADDR, $JUNHENG_CHECKLIST_ADDR).\n";

namespace {

std::string EntryLine(const v1::AuditEntry& e) {
  return absl::StrCat(
      e.sequence(), "  ",
      FormatRfc3339(e.time().seconds() * 1000000 + e.time().nanos() / 1000),
      "  ", e.principal(), e.token_id().empty() ? "" : " [", e.token_id(),
      e.token_id().empty() ? "" : "]", "  ", e.action(), "  ", e.resource(),
      e.detail().empty() ? "" : "  (", e.detail(),
      e.detail().empty() ? "" : ")");
}

// Streams the chosen service's log to `fn` (until it returns false).
absl::Status StreamLog(const Args& args, const std::string& service,
                       const Credentials& credentials,
                       const v1::GetAuditLogRequest& request,
                       const std::function<bool(const v1::AuditEntry&)>& fn,
                       std::string* address_out) {
  const std::string address = ServiceAddress(args, service);
  *address_out = address;
  ASSIGN_OR_RETURN(auto channel, Connect(address, credentials.tls));
  grpc::ClientContext context;
  AddCallerMetadata(context, credentials.token, credentials.user);
  std::unique_ptr<grpc::ClientReader<v1::AuditEntry>> reader;
  std::unique_ptr<v1::ArchiveService::Stub> archive;
  std::unique_ptr<v1::ChecklistService::Stub> checklist;
  if (service == "archive") {
    archive = v1::ArchiveService::NewStub(channel);
    reader = archive->GetAuditLog(&context, request);
  } else {
    checklist = v1::ChecklistService::NewStub(channel);
    reader = checklist->GetAuditLog(&context, request);
  }
  v1::AuditEntry entry;
  while (reader->Read(&entry)) {
    if (!fn(entry)) {
      context.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    return FromGrpc(status);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GetAuditLogRequest> RequestFromArgs(const Args& args) {
  v1::GetAuditLogRequest request;
  request.set_resource_prefix(args.Get("resource").value_or(""));
  for (const char* flag : {"since", "until"}) {
    if (auto text = args.Get(flag)) {
      std::optional<int64_t> t = ParseRfc3339(*text);
      if (!t) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", flag, " is an RFC 3339 time such as 2026-11-23T08:00:00Z"));
      }
      auto* ts = std::string(flag) == "since" ? request.mutable_start_time()
                                              : request.mutable_end_time();
      ts->set_seconds(*t / 1000000);
      ts->set_nanos(static_cast<int32_t>(*t % 1000000) * 1000);
    }
  }
  if (auto from = args.Get("from")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(*from, &n) || n < 0) {
      return absl::InvalidArgumentError("--from is a sequence number");
    }
    request.set_start_sequence(n);
  }
  return request;
}

int ReportProblem(const ChainVerifier& verifier, absl::string_view what) {
  std::fprintf(stderr, "junheng: %s: FAILED at entry %lld: %s\n",
               std::string(what).c_str(),
               static_cast<long long>(verifier.problem()->sequence),
               verifier.problem()->what.c_str());
  return kExitError;
}

int VerifyPrincipals(const Args& args, const std::optional<ChainHead>& head) {
  const std::string path = *args.Get("principals");
  absl::StatusOr<internal::PrincipalsFile> file = ReadPrincipalsFile(path);
  if (!file.ok()) return ReportError(file.status());
  ChainVerifier verifier(true, head);
  for (const auto& e : file->audit()) {
    if (!verifier.Add(e)) break;
  }
  if (!verifier.Finish()) return ReportProblem(verifier, path);
  std::printf("%s: %lld token changes verified; head %s\n", path.c_str(),
              static_cast<long long>(verifier.entries()),
              verifier.last().ToString().c_str());
  return 0;
}

int Verify(const Args& args, const std::string& service,
           const Credentials& credentials) {
  std::optional<ChainHead> head;
  if (auto text = args.Get("head")) {
    absl::StatusOr<ChainHead> parsed = ParseChainHead(*text);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    head = *parsed;
  }
  if (args.Get("principals")) return VerifyPrincipals(args, head);
  ChainVerifier verifier(!args.Has("partial"), head);
  // Uploads whose content is checked once the chain is read (a download is
  // itself audited, which must not disturb the read of the chain).
  std::map<int64_t, v1::AuditEntry> uploads;
  std::string address;
  absl::Status read = StreamLog(
      args, service, credentials, v1::GetAuditLogRequest(),
      [&](const v1::AuditEntry& e) {
        if (!verifier.Add(e)) return false;
        if (e.action() == "upload" && !e.content_sha256().empty()) {
          uploads[e.sequence()] = e;
        }
        return true;
      },
      &address);
  if (!read.ok()) return ReportError(read);
  if (!verifier.Finish()) return ReportProblem(verifier, service);
  int64_t checked = 0;
  int64_t unreadable = 0;
  if (service == "archive" && !args.Has("no_content")) {
    auto channel = Connect(address, credentials.tls);
    if (!channel.ok()) return ReportError(channel.status());
    ArchiveClient::Options options;
    options.token = credentials.token;
    options.user = credentials.user;
    ArchiveClient client(*channel, options);
    for (const auto& [seq, e] : uploads) {
      Sha256 hash;
      v1::DownloadRequest request;
      request.set_name(e.resource());
      absl::StatusOr<v1::EvidenceVersion> got =
          client.Download(request, [&hash](absl::string_view bytes) {
            hash.Update(bytes);
            return true;
          });
      std::string problem;
      if (absl::IsPermissionDenied(got.status())) {
        ++unreadable;
        continue;
      }
      if (!got.ok()) {
        problem = absl::StrCat(e.resource(), " cannot be read back: ",
                               absl::StatusCodeToString(got.status().code()),
                               ": ", got.status().message());
      } else if (const std::string now = ToHex(hash.Finish());
                 now != e.content_sha256()) {
        problem =
            absl::StrCat(e.resource(), " now holds content with SHA-256 ", now,
                         ", the entry recorded ", e.content_sha256());
      }
      if (!problem.empty()) {
        std::fprintf(stderr, "junheng: archive: FAILED at entry %lld: %s\n",
                     static_cast<long long>(seq), problem.c_str());
        return kExitError;
      }
      ++checked;
    }
  }
  std::printf("%s: %lld entries verified", service.c_str(),
              static_cast<long long>(verifier.entries()));
  if (service == "archive" && !args.Has("no_content")) {
    std::printf(", content of %lld uploads re-hashed",
                static_cast<long long>(checked));
    if (unreadable > 0) {
      std::printf(
          " (%lld you may not read were not: verify as a nation "
          "inspector to re-hash every upload)",
          static_cast<long long>(unreadable));
    }
  }
  std::printf("; head %s\n", verifier.last().ToString().c_str());
  return 0;
}

}  // namespace

int RunAuditCommand(const Args& args) {
  const auto& words = args.positional();
  if (words.size() < 2 ||
      (words[1] != "log" && words[1] != "head" && words[1] != "verify")) {
    return UsageError(
        "audit commands: log | head | verify (see 'junheng "
        "audit help')");
  }
  std::set<std::string> known = {"resource",     "since",         "until",
                                 "from",         "format",        "head",
                                 "no_content",   "partial",       "principals",
                                 "archive_addr", "checklist_addr"};
  known.insert(kCredentialFlags.begin(), kCredentialFlags.end());
  if (auto unknown = args.Unknown(known); !unknown.empty()) {
    return UsageError(
        absl::StrCat("audit ", words[1], " does not take --", unknown.front()));
  }
  if (words[1] == "verify" && args.Get("principals")) {
    return Verify(args, "", Credentials());
  }
  if (words.size() < 3 || (words[2] != "archive" && words[2] != "checklist")) {
    return UsageError(
        absl::StrCat("audit ", words[1], " takes archive or checklist"));
  }
  const std::string& service = words[2];
  absl::StatusOr<Credentials> credentials = CredentialsFromArgs(args);
  if (!credentials.ok()) return ReportError(credentials.status());
  if (words[1] == "verify") return Verify(args, service, *credentials);

  absl::StatusOr<v1::GetAuditLogRequest> request = RequestFromArgs(args);
  if (!request.ok()) return UsageError(request.status().message());
  const bool json = args.Get("format").value_or("table") == "json";
  const bool head_only = words[1] == "head";
  v1::AuditEntry last;
  std::string address;
  absl::Status read = StreamLog(
      args, service, *credentials,
      head_only ? v1::GetAuditLogRequest() : *request,
      [&](const v1::AuditEntry& e) {
        if (head_only) {
          last = e;
        } else if (json) {
          std::printf("%s\n", ToJson(e).c_str());
        } else {
          std::printf("%s\n", EntryLine(e).c_str());
        }
        return true;
      },
      &address);
  if (!read.ok()) return ReportError(read);
  if (head_only) {
    if (last.sequence() == 0) {
      std::printf("0:%s\n", std::string(kGenesisHash).c_str());
    } else {
      std::printf("%lld:%s\n", static_cast<long long>(last.sequence()),
                  last.hash().c_str());
    }
  }
  return 0;
}

}  // namespace junheng::cli
