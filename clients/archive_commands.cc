// `junheng archive …`: evidence documents from the command line.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/archive_client.h"
#include "clients/cli.h"
#include "clients/commands.h"
#include "clients/text_table.h"
#include "common/resource_name.h"

namespace junheng::cli {

const char kArchiveUsage[] =
    "junheng archive — evidence documents\n"
    "\n"
    "  put FILE --county C [--school S] --evidence ID --indicator CODE\n"
    "      [--indicator CODE …] --year Y [--title T] [--content_type T]\n"
    "      [--request_id ID] [--resumable]\n"
    "        Upload FILE as a new version (the first upload creates the\n"
    "        evidence; later ones may omit title, indicators and year).\n"
    "        --resumable: a broken connection is resumed from what the\n"
    "        archive holds, not from the start; if it still fails, the same\n"
    "        command with the --request_id it prints continues it.\n"
    "  get NAME [--version N] [-o FILE] [--force]\n"
    "        Download a version (default: the latest), verified by SHA-256.\n"
    "        -o - writes to stdout; the default is the uploaded file name.\n"
    "  ls [--county C] [--school S] [--indicator CODE] [--year Y] [--deleted]\n"
    "        List evidence, everything by default.\n"
    "  info NAME            Show one evidence document.\n"
    "  versions NAME        List every version of a document.\n"
    "  rm NAME              Soft-delete (versions stay readable by number).\n"
    "  undelete NAME        Undo rm.\n"
    "\n"
    "NAME is counties/C/schools/S/evidence/ID or counties/C/evidence/ID.\n"
    "The archive's address comes from --archive_addr, else\n"
    "$JUNHENG_ARCHIVE_ADDR, else 127.0.0.1:50051.\n";

namespace {

struct Context {
  const Args& args;
  Format format;
  std::string address;
  ArchiveClient client;
};

int Fail(const Context& ctx, const absl::Status& status) {
  if (absl::IsUnavailable(status)) {
    return ReportError(absl::UnavailableError(absl::StrCat(
        "cannot reach the archive at ", ctx.address, " (", status.message(),
        "); is junheng-archive running? Set --archive_addr or "
        "JUNHENG_ARCHIVE_ADDR")));
  }
  return ReportError(status);
}

std::string GuessContentType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".mp4", "video/mp4"},
      {".csv", "text/csv"},
      {".txt", "text/plain"},
      {".xlsx",
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".xls", "application/vnd.ms-excel"},
      {".docx",
       "application/vnd.openxmlformats-officedocument.wordprocessingml."
       "document"},
      {".doc", "application/msword"},
      {".zip", "application/zip"},
  };
  const std::string lower = absl::AsciiStrToLower(path);
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(lower, ext)) return type;
  }
  return "application/octet-stream";
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void PrintVersion(const v1::EvidenceVersion& v) {
  std::printf(
      "  version   %lld\n  size      %s (%lld bytes)\n  sha256    %s\n"
      "  type      %s\n  uploaded  %s by %s\n",
      static_cast<long long>(v.version()), HumanBytes(v.size_bytes()).c_str(),
      static_cast<long long>(v.size_bytes()), v.sha256().c_str(),
      v.content_type().c_str(), HumanTime(v.create_time().seconds()).c_str(),
      v.uploader().c_str());
}

int Put(Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() != 3) return UsageError("put takes exactly one FILE");
  const std::string& path = words[2];
  auto county = ctx.args.Get("county");
  auto evidence = ctx.args.Get("evidence");
  if (!county || !evidence) {
    return UsageError("put needs --county and --evidence");
  }
  v1::UploadHeader header;
  header.set_parent(
      Parent{*county, ctx.args.Get("school").value_or("")}.ToString());
  header.set_evidence_id(*evidence);
  header.set_title(ctx.args.Get("title").value_or(""));
  for (const std::string& code : ctx.args.GetAll("indicator")) {
    header.add_indicator_codes(code);
  }
  if (auto year = ctx.args.Get("year")) {
    int y = 0;
    if (!absl::SimpleAtoi(*year, &y)) {
      return UsageError("--year takes a year such as 2025");
    }
    header.set_school_year(y);
  }
  header.set_content_type(
      ctx.args.Get("content_type").value_or(GuessContentType(path)));
  header.set_filename(BaseName(path));
  header.set_request_id(ctx.args.Get("request_id").value_or(""));
  const std::string evidence_name =
      EvidenceName{Parent{*county, ctx.args.Get("school").value_or("")},
                   *evidence}
          .ToString();
  // A new document needs a title; the file's name is a reasonable one. Not
  // when continuing an upload session: it has the title it started with.
  const bool continuing =
      ctx.args.Has("resumable") && !header.request_id().empty() &&
      ctx.client
          .GetUploadSession(
              absl::StrCat(evidence_name, "/uploads/", header.request_id()))
          .ok();
  if (header.title().empty() && !continuing) {
    auto existing = ctx.client.GetEvidence(evidence_name);
    if (!existing.ok()) header.set_title(BaseName(path));
  }
  ProgressBar bar("upload");
  const Progress progress = [&bar](int64_t d, int64_t t) { bar.Update(d, t); };
  std::string session;
  auto version =
      ctx.args.Has("resumable")
          ? ctx.client.UploadFileResumable(
                header, path, progress, 20,
                [&session](const std::string& name) { session = name; })
          : ctx.client.UploadFile(header, path, progress);
  bar.Done();  // the next message starts on a line of its own
  if (!version.ok()) {
    if (!session.empty()) {
      std::fprintf(stderr,
                   "the archive keeps what arrived (%s): run the same command "
                   "with --request_id %s to continue\n",
                   session.c_str(),
                   session.substr(session.rfind('/') + 1).c_str());
    }
    return Fail(ctx, version.status());
  }
  if (ctx.format == Format::kJson) {
    std::printf("%s\n", ToJson(*version).c_str());
  } else {
    std::printf("uploaded %s\n", version->name().c_str());
    PrintVersion(*version);
  }
  return 0;
}

int Get(Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() != 3) return UsageError("get takes exactly one NAME");
  std::string name = words[2];
  if (auto v = ctx.args.Get("version"))
    name = absl::StrCat(name, "/versions/", *v);
  const std::string output = ctx.args.Get("output").value_or("");
  if (output == "-") {
    v1::DownloadRequest request;
    request.set_name(name);
    auto version = ctx.client.Download(request, [](absl::string_view bytes) {
      return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
    });
    if (!version.ok()) return Fail(ctx, version.status());
    return 0;
  }
  ProgressBar bar("download");
  auto got = ctx.client.DownloadToFile(
      name, output, ctx.args.Has("force"),
      [&bar](int64_t d, int64_t t) { bar.Update(d, t); });
  bar.Done();
  if (!got.ok()) return Fail(ctx, got.status());
  if (ctx.format == Format::kJson) {
    std::printf("%s\n", ToJson(got->version).c_str());
  } else {
    std::printf("saved %s to %s (SHA-256 verified)\n",
                got->version.name().c_str(), got->path.c_str());
    PrintVersion(got->version);
  }
  return 0;
}

int List(Context& ctx) {
  v1::ListEvidenceRequest request;
  auto county = ctx.args.Get("county");
  auto school = ctx.args.Get("school");
  if (school && !county) return UsageError("--school needs --county");
  request.set_parent(
      Parent{county.value_or(""), school.value_or("")}.ToString());
  request.set_indicator_code(ctx.args.Get("indicator").value_or(""));
  if (auto year = ctx.args.Get("year")) {
    int y = 0;
    if (!absl::SimpleAtoi(*year, &y)) return UsageError("--year takes a year");
    request.set_school_year(y);
  }
  request.set_show_deleted(ctx.args.Has("deleted"));
  request.set_page_size(1000);
  auto all = ctx.client.ListAllEvidence(request);
  if (!all.ok()) return Fail(ctx, all.status());
  if (ctx.format == Format::kJson) {
    v1::ListEvidenceResponse response;
    for (const auto& e : *all) *response.add_evidence() = e;
    std::printf("%s\n", ToJson(response).c_str());
    return 0;
  }
  if (all->empty()) {
    std::printf("no evidence matches\n");
    return 0;
  }
  TextTable table({"NAME", "VER", "SIZE", "YEAR", "INDICATORS", "TITLE"},
                  "lrrrl");
  for (const auto& e : *all) {
    std::string title = e.title();
    if (e.has_delete_time()) title = "(deleted) " + title;
    table.AddRow({e.name(), absl::StrCat(e.version_count()),
                  HumanBytes(e.latest_version().size_bytes()),
                  absl::StrCat(e.school_year()),
                  absl::StrJoin(e.indicator_codes(), ","), title});
  }
  std::fputs(table.Render().c_str(), stdout);
  std::printf("%zu evidence document%s\n", all->size(),
              all->size() == 1 ? "" : "s");
  return 0;
}

void PrintEvidence(const v1::Evidence& e) {
  std::printf(
      "%s\n  title       %s\n  indicators  %s\n  school year %d\n"
      "  versions    %lld\n  created     %s\n  updated     %s\n",
      e.name().c_str(), e.title().c_str(),
      absl::StrJoin(e.indicator_codes(), ", ").c_str(), e.school_year(),
      static_cast<long long>(e.version_count()),
      HumanTime(e.create_time().seconds()).c_str(),
      HumanTime(e.update_time().seconds()).c_str());
  if (e.has_delete_time()) {
    std::printf("  deleted     %s\n",
                HumanTime(e.delete_time().seconds()).c_str());
  }
  std::printf("latest version:\n");
  PrintVersion(e.latest_version());
}

int Info(Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() != 3) return UsageError("info takes exactly one NAME");
  auto e = ctx.client.GetEvidence(words[2]);
  if (!e.ok()) return Fail(ctx, e.status());
  if (ctx.format == Format::kJson) {
    std::printf("%s\n", ToJson(*e).c_str());
  } else {
    PrintEvidence(*e);
  }
  return 0;
}

int Versions(Context& ctx) {
  const auto& words = ctx.args.positional();
  if (words.size() != 3) return UsageError("versions takes exactly one NAME");
  auto versions = ctx.client.ListAllVersions(words[2]);
  if (!versions.ok()) return Fail(ctx, versions.status());
  if (ctx.format == Format::kJson) {
    v1::ListVersionsResponse response;
    for (const auto& v : *versions) *response.add_versions() = v;
    std::printf("%s\n", ToJson(response).c_str());
    return 0;
  }
  TextTable table({"VERSION", "SIZE", "SHA256", "UPLOADED", "BY", "FILE"},
                  "rr");
  for (const auto& v : *versions) {
    table.AddRow({absl::StrCat(v.version()), HumanBytes(v.size_bytes()),
                  v.sha256().substr(0, 16),
                  HumanTime(v.create_time().seconds()), v.uploader(),
                  v.filename()});
  }
  std::fputs(table.Render().c_str(), stdout);
  return 0;
}

int SetDeleted(Context& ctx, bool deleted) {
  const auto& words = ctx.args.positional();
  if (words.size() != 3) {
    return UsageError(absl::StrCat(words[1], " takes exactly one NAME"));
  }
  auto e = deleted ? ctx.client.DeleteEvidence(words[2])
                   : ctx.client.UndeleteEvidence(words[2]);
  if (!e.ok()) return Fail(ctx, e.status());
  if (ctx.format == Format::kJson) {
    std::printf("%s\n", ToJson(*e).c_str());
  } else if (deleted) {
    std::printf(
        "deleted %s; its versions (1-%lld) stay readable with "
        "'junheng archive get %s --version N'\n",
        e->name().c_str(), static_cast<long long>(e->version_count()),
        e->name().c_str());
  } else {
    std::printf("restored %s (latest version %lld)\n", e->name().c_str(),
                static_cast<long long>(e->version_count()));
  }
  return 0;
}

}  // namespace

int RunArchiveCommand(const Args& args) {
  const auto& words = args.positional();
  if (words.size() < 2 || words[1] == "help") {
    std::fputs(kArchiveUsage, words.size() < 2 ? stderr : stdout);
    return words.size() < 2 ? kExitUsage : 0;
  }
  const std::string& verb = words[1];
  static const std::map<std::string, std::set<std::string>> kFlags = {
      {"put",
       {"county", "school", "evidence", "indicator", "year", "title",
        "content_type", "request_id", "resumable"}},
      {"get", {"version", "output", "force"}},
      {"ls", {"county", "school", "indicator", "year", "deleted"}},
      {"info", {}},
      {"versions", {}},
      {"rm", {}},
      {"undelete", {}},
  };
  auto flags = kFlags.find(verb);
  if (flags == kFlags.end()) {
    return UsageError(absl::StrCat("unknown command 'archive ", verb, "'"));
  }
  std::set<std::string> known = flags->second;
  known.insert({"archive_addr", "format"});
  known.insert(kCredentialFlags.begin(), kCredentialFlags.end());
  if (auto unknown = args.Unknown(known); !unknown.empty()) {
    return UsageError(absl::StrCat("archive ", verb, " does not take ",
                                   absl::StrJoin(unknown, ", ")));
  }
  const std::string format = args.Get("format").value_or("table");
  if (format != "table" && format != "json") {
    return UsageError("--format is table or json");
  }
  absl::StatusOr<Credentials> credentials = CredentialsFromArgs(args);
  if (!credentials.ok()) return ReportError(credentials.status());
  ArchiveClient::Options options;
  options.user = credentials->user;
  options.token = credentials->token;
  const std::string address = ServiceAddress(args, "archive");
  auto channel = Connect(address, credentials->tls);
  if (!channel.ok()) return ReportError(channel.status());
  Context ctx{args, format == "json" ? Format::kJson : Format::kTable, address,
              ArchiveClient(*channel, options)};
  if (verb == "put") return Put(ctx);
  if (verb == "get") return Get(ctx);
  if (verb == "ls") return List(ctx);
  if (verb == "info") return Info(ctx);
  if (verb == "versions") return Versions(ctx);
  return SetDeleted(ctx, verb == "rm");
}

}  // namespace junheng::cli
