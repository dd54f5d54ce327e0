// junheng-load: a load generator for the two services (a tool, not a timed
// test). N concurrent clients, each an inspector working on the schools of
// one county, run a weighted mix of realistic calls for a fixed time:
//
//   upload_photo    1–5 MiB (image/jpeg), per-school evidence
//   upload_pdf      100 KiB–20 MiB, log-uniform (most ledgers are small)
//   upload_video    --video_bytes (200 MiB), rare
//   download        a version uploaded earlier in this run, SHA-256 checked
//                   against what was uploaded (a mismatch is an error)
//   list_evidence   one page of a school's or the county's evidence
//   get_evidence    evidence uploaded earlier in this run
//   evaluate_summary / evaluate_full   EvaluateCounty of the client's county
//                   (asks the archive for evidence status)
//
// Every call has a deadline. RESOURCE_EXHAUSTED with a google.rpc.RetryInfo
// is counted as "throttled" (not an error) and retried after the delay the
// server asked for. Calls still running `--drain` after the end are
// cancelled and counted as "cut off".
//
// By default it starts build/bin/junheng-archive and junheng-checklist on
// 127.0.0.1 port 0 with their data in a temporary directory (removed at
// the end), imports examples/county-330106 and a few synthetic counties,
// and reports the services' peak RSS and CPU time; with --archive_addr and
// --checklist_addr it loads running services instead.
//
//   junheng-load --clients 32 --duration 60s [--video_bytes 52428800]
//       [--probe_hz 20] [--json] [--token T] [--principals FILE]
//   junheng-load --archive_addr A --checklist_addr C [--import] --token T ...
//
// bench/README.md ("Load") has figures and what they revealed.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/load_process.h"
#include "bench/load_stats.h"
#include "common/caller.h"
#include "common/sha256.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"

ABSL_FLAG(int, clients, 8, "concurrent clients, each with its own channels");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(60),
          "how long clients start new calls");
ABSL_FLAG(absl::Duration, drain, absl::Seconds(30),
          "how long calls running at the end may finish before being "
          "cancelled (and counted as cut off)");
ABSL_FLAG(std::string, archive_addr, "",
          "load a running archive (with --checklist_addr) instead of "
          "starting the services");
ABSL_FLAG(std::string, checklist_addr, "", "a running checklist service");
ABSL_FLAG(double, photo_weight, 20, "relative weight of photo uploads");
ABSL_FLAG(double, pdf_weight, 15, "relative weight of PDF uploads");
ABSL_FLAG(double, video_weight, 0.1, "relative weight of video uploads");
ABSL_FLAG(double, download_weight, 20, "relative weight of downloads");
ABSL_FLAG(double, list_weight, 10, "relative weight of ListEvidence");
ABSL_FLAG(double, get_weight, 25, "relative weight of GetEvidence");
ABSL_FLAG(double, eval_summary_weight, 4,
          "relative weight of EvaluateCounty, summary view");
ABSL_FLAG(double, eval_full_weight, 1,
          "relative weight of EvaluateCounty, full view");
ABSL_FLAG(double, probe_hz, 0,
          "if > 0, one more client issues GetEvidence at this fixed rate, "
          "reported apart (get_evidence_probe): latency that does not depend "
          "on how fast the mix runs");
ABSL_FLAG(int64_t, video_bytes, int64_t{200} << 20,
          "size of a video upload; scale down to spare the disk");
ABSL_FLAG(int, synthetic_counties, 3,
          "synthetic counties imported beside the example county");
ABSL_FLAG(int, synthetic_schools, 60, "schools per synthetic county (<100)");
ABSL_FLAG(absl::Duration, unary_deadline, absl::Seconds(10),
          "deadline of unary calls");
ABSL_FLAG(absl::Duration, stream_deadline, absl::Seconds(30),
          "deadline of an upload or download, plus 1 s per MiB");
ABSL_FLAG(bool, import, false,
          "with --archive_addr/--checklist_addr: import the example and "
          "synthetic counties first (always done when the services are "
          "started here)");
ABSL_FLAG(std::string, token, "",
          "sent as `authorization: Bearer TOKEN` on every call");
ABSL_FLAG(std::string, principals, "",
          "passed to both services as --principals (when started here)");
ABSL_FLAG(std::string, examples_dir,
          JUNHENG_SOURCE_DIR "/examples/county-330106",
          "the example county's schools.csv and counties.csv");
ABSL_FLAG(std::string, standards_dir, JUNHENG_SOURCE_DIR "/standards",
          "passed to junheng-checklist");
ABSL_FLAG(std::vector<std::string>, archive_flags, {},
          "extra flags for the junheng-archive started here, comma-separated "
          "(e.g. --max_inflight_upload_bytes=0)");
ABSL_FLAG(std::vector<std::string>, checklist_flags, {},
          "extra flags for the junheng-checklist started here");
ABSL_FLAG(uint64_t, seed, 1, "seed of the clients' random choices");
ABSL_FLAG(bool, json, false, "print the report as JSON");

namespace junheng::load {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int kYear = 2025;

enum Op {
  kUploadPhoto,
  kUploadPdf,
  kUploadVideo,
  kDownload,
  kList,
  kGet,
  kEvalSummary,
  kEvalFull,
  kProbeGet,  // GetEvidence at a fixed rate (--probe_hz), outside the mix
  // Not an operation of its own: the time from a download's start until
  // its first message (the version), i.e. before any byte is read or sent.
  kDownloadFirst,
  kNumOps
};
constexpr const char* kOpNames[kNumOps] = {
    "upload_photo",      "upload_pdf",    "upload_video",
    "download",          "list_evidence", "get_evidence",
    "evaluate_summary",  "evaluate_full", "get_evidence_probe",
    "download_first_msg"};

bool MovesBytes(int op) { return op <= kDownload; }

struct County {
  std::string code;
  std::vector<std::string> schools;
};

// What an upload is: evidence kinds as the standard names them.
struct EvidenceKind {
  const char* id;
  const char* indicator;
  const char* title;
  bool per_school;
};
constexpr EvidenceKind kPhotoKinds[] = {
    {"special-room-photo", "G3", "音乐、美术专用教室照片", true},
    {"sports-ground-photo", "R5", "体育运动场馆照片", true},
    {"multimedia-classroom-photo", "R7", "网络多媒体教室照片", true},
    {"lab-equipment-photo", "R6", "教学仪器设备照片", true},
};
constexpr EvidenceKind kPdfKinds[] = {
    {"floor-area-ledger", "R4", "校舍面积台账", true},
    {"teacher-roster", "R1", "教师花名册（含学历）", true},
    {"school-charter", "Q3", "学校章程及核准文件", true},
    {"teacher-certificates", "G12", "教师资格证登记表", true},
    {"enrollment-roster", "G4", "学籍花名册", true},
    {"school-layout-plan", "G1", "义务教育学校布局规划", false},
    {"salary-comparison", "G8", "教师与公务员工资收入对比表", false},
    {"rotation-roster", "G11", "交流轮岗教师名册", false},
};
constexpr EvidenceKind kVideoKinds[] = {
    {"ict-use-lesson-video", "Q5", "信息化教学应用课堂录像", true},
};

// Versions uploaded in this run to one county, shared by that county's
// clients: inspectors read each other's uploads (and, with tokens scoped to
// a county, only their own county's).
struct StoredVersion {
  std::string evidence;  // evidence name
  std::string version;   // version name
  std::string sha256;    // hex, as computed by the uploader
  int64_t size = 0;
};

class VersionPool {
 public:
  void Add(StoredVersion v, std::mt19937_64& rng) {
    absl::MutexLock lock(&mu_);
    if (versions_.size() < kCap) {
      versions_.push_back(std::move(v));
    } else {
      versions_[rng() % kCap] = std::move(v);
    }
  }
  bool Pick(std::mt19937_64& rng, StoredVersion* out) {
    absl::MutexLock lock(&mu_);
    if (versions_.empty()) return false;
    *out = versions_[rng() % versions_.size()];
    return true;
  }

 private:
  static constexpr size_t kCap = 50000;
  absl::Mutex mu_;
  std::vector<StoredVersion> versions_ ABSL_GUARDED_BY(mu_);
};

// What every client shares.
struct Shared {
  std::string archive_addr, checklist_addr;
  std::vector<County> counties;
  // Per county code, or one for all, or none.
  std::map<std::string, std::string> county_tokens;
  std::string token;
  std::vector<std::unique_ptr<VersionPool>> pools;  // one per county
  std::vector<double> weights;
  uint64_t run_nonce = 0;
  absl::Time stop_issuing;
  std::atomic<bool> cut{false};  // the drain ran out: calls are cancelled
};

// The delay a RESOURCE_EXHAUSTED status asks for, from the
// google.rpc.RetryInfo in its grpc-status-details-bin trailer.
std::optional<absl::Duration> RetryDelay(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED ||
      status.error_details().empty()) {
    return std::nullopt;
  }
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::nullopt;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo info;
    if (any.type_url() == "type.googleapis.com/google.rpc.RetryInfo" &&
        info.ParseFromString(any.value())) {
      return absl::Seconds(info.retry_delay().seconds()) +
             absl::Nanoseconds(info.retry_delay().nanos());
    }
  }
  return std::nullopt;
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// One inspector: its own channels, random choices and statistics.
class Client {
 public:
  Client(int index, Shared& shared)
      : index_(index),
        shared_(shared),
        county_(shared.counties[index % shared.counties.size()]),
        pool_(*shared.pools[index % shared.counties.size()]),
        rng_(absl::GetFlag(FLAGS_seed) * 1000003 + index),
        block_(kMiB, '\0') {
    // Own channels: separate inspectors do not share a connection.
    grpc::ChannelArguments args;
    args.SetInt("junheng.load.client", index);
    args.SetMaxReceiveMessageSize(64 << 20);
    archive_ = v1::ArchiveService::NewStub(grpc::CreateCustomChannel(
        shared.archive_addr, grpc::InsecureChannelCredentials(), args));
    if (!shared.checklist_addr.empty()) {
      checklist_ = v1::ChecklistService::NewStub(grpc::CreateCustomChannel(
          shared.checklist_addr, grpc::InsecureChannelCredentials(), args));
    }
    for (char& c : block_) c = static_cast<char>(rng_());
    auto it = shared.county_tokens.find(county_.code);
    token_ = it != shared.county_tokens.end() ? it->second : shared.token;
  }

  // Runs operations until stop_issuing.
  void Run() {
    std::discrete_distribution<int> pick(shared_.weights.begin(),
                                         shared_.weights.end());
    while (absl::Now() < shared_.stop_issuing) {
      const int op = pick(rng_);
      if (checklist_ == nullptr && (op == kEvalSummary || op == kEvalFull)) {
        continue;
      }
      RunOp(op);
    }
  }

  // GetEvidence every `period` until stop_issuing (open loop: the rate
  // does not slow down when the server does).
  void RunProbe(absl::Duration period) {
    absl::Time next = absl::Now();
    while (absl::Now() < shared_.stop_issuing) {
      RunOp(kProbeGet);
      next += period;
      const absl::Time now = absl::Now();
      if (next > now) {
        absl::SleepFor(next - now);
      } else {
        next = now;
      }
    }
  }

  // Cancels the call in flight, if any (the drain ran out).
  void CancelCurrent() {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr) current_->TryCancel();
  }

  // Uploads one small PDF to seed the version pool.
  bool Seed() {
    const grpc::Status s = Upload(kUploadPdf, 200 * 1024, nullptr);
    if (!s.ok()) {
      std::fprintf(stderr, "junheng-load: seeding failed: %s %s\n",
                   CodeName(s.error_code()).c_str(), s.error_message().c_str());
    }
    return s.ok();
  }

  const OpStats& stats(int op) const { return stats_[op]; }

 private:
  // A call's outcome: the status, bytes moved and a note for the stats.
  struct Outcome {
    grpc::Status status;
    int64_t bytes = 0;
    std::string error_label;  // overrides the status code (SHA mismatch)
    std::string note;
  };

  void RunOp(int op) {
    OpStats& st = stats_[op];
    // Sizes are drawn once, so a throttled upload is retried as it was.
    int64_t size = 0;
    if (op == kUploadPhoto) size = Uniform(1 * kMiB, 5 * kMiB);
    if (op == kUploadPdf) {
      size =
          static_cast<int64_t>(std::exp(std::uniform_real_distribution<double>(
              std::log(100.0 * 1024), std::log(20.0 * kMiB))(rng_)));
    }
    if (op == kUploadVideo) size = absl::GetFlag(FLAGS_video_bytes);
    StoredVersion target;
    if ((op == kDownload || op == kGet || op == kProbeGet) &&
        !pool_.Pick(rng_, &target)) {
      return;
    }
    const absl::Time start = absl::Now();
    Outcome out;
    for (;;) {
      out = Once(op, size, target);
      const auto delay = RetryDelay(out.status);
      if (!delay) break;
      ++st.throttled;
      const absl::Duration wait =
          std::min(*delay, shared_.stop_issuing - absl::Now());
      if (wait <= absl::ZeroDuration()) {
        ++st.notes["throttled_then_run_ended"];
        return;
      }
      st.throttle_wait_ms += absl::ToInt64Milliseconds(wait);
      absl::SleepFor(wait);
    }
    // End to end, including any throttled attempts: what the user waits.
    const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);
    if (!out.note.empty()) ++st.notes[out.note];
    if (shared_.cut && out.status.error_code() == grpc::StatusCode::CANCELLED) {
      ++st.cut_off;
      return;
    }
    st.latency_ms.push_back(ms);
    if (out.status.ok() && out.error_label.empty()) {
      ++st.ok;
      st.bytes += out.bytes;
    } else {
      ++st.errors[out.error_label.empty() ? CodeName(out.status.error_code())
                                          : out.error_label];
      if (errors_logged_ < 3) {
        ++errors_logged_;
        std::fprintf(
            stderr, "junheng-load: client %d %s: %s %s\n", index_, kOpNames[op],
            out.error_label.empty() ? CodeName(out.status.error_code()).c_str()
                                    : out.error_label.c_str(),
            out.status.error_message().c_str());
      }
    }
  }

  Outcome Once(int op, int64_t size, const StoredVersion& target) {
    Outcome out;
    switch (op) {
      case kUploadPhoto:
      case kUploadPdf:
      case kUploadVideo:
        out.status = Upload(op, size, &out.bytes);
        break;
      case kDownload:
        out = Download(target);
        break;
      case kList:
        out = List();
        break;
      case kGet:
      case kProbeGet:
        out = Get(target);
        break;
      default:
        out = Evaluate(op == kEvalFull ? v1::EVALUATION_VIEW_FULL
                                       : v1::EVALUATION_VIEW_SUMMARY);
    }
    return out;
  }

  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  // Deadline, identity and token on every call; registered for cancel.
  void Prepare(grpc::ClientContext& c, absl::Duration deadline) {
    c.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    c.AddMetadata(kUserMetadataKey, absl::StrCat("load-", index_));
    if (!token_.empty()) {
      c.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    }
    absl::MutexLock lock(&mu_);
    current_ = &c;
    if (shared_.cut) c.TryCancel();
  }
  void Done() {
    absl::MutexLock lock(&mu_);
    current_ = nullptr;
  }
  absl::Duration StreamDeadline(int64_t bytes) const {
    return absl::GetFlag(FLAGS_stream_deadline) +
           absl::Seconds(static_cast<double>(bytes) / kMiB);
  }

  const std::string& School() {
    return county_.schools[rng_() % county_.schools.size()];
  }

  grpc::Status Upload(int op, int64_t size, int64_t* bytes_out) {
    const EvidenceKind* kinds = kPdfKinds;
    size_t n = std::size(kPdfKinds);
    const char* content_type = "application/pdf";
    const char* ext = "pdf";
    if (op == kUploadPhoto) {
      kinds = kPhotoKinds, n = std::size(kPhotoKinds);
      content_type = "image/jpeg", ext = "jpg";
    } else if (op == kUploadVideo) {
      kinds = kVideoKinds, n = std::size(kVideoKinds);
      content_type = "video/mp4", ext = "mp4";
    }
    const EvidenceKind& kind = kinds[rng_() % n];
    v1::UploadRequest m;
    v1::UploadHeader& h = *m.mutable_header();
    h.set_parent(kind.per_school ? absl::StrCat("counties/", county_.code,
                                                "/schools/", School())
                                 : absl::StrCat("counties/", county_.code));
    // A few ids per kind and place: some uploads add a version to
    // existing evidence, as re-submitted ledgers do.
    const int number = static_cast<int>(rng_() % 3) + 1;
    h.set_evidence_id(absl::StrCat(kind.id, "-", number));
    h.set_title(kind.title);
    h.add_indicator_codes(kind.indicator);
    h.set_school_year(kYear);
    h.set_content_type(content_type);
    h.set_filename(absl::StrCat(kind.id, "-", number, ".", ext));
    h.set_size_bytes(size);
    const std::string evidence =
        absl::StrCat(h.parent(), "/evidence/", h.evidence_id());

    grpc::ClientContext c;
    Prepare(c, StreamDeadline(size));
    v1::EvidenceVersion version;
    auto writer = archive_->Upload(&c, &version);
    Sha256 sha;
    bool open = writer->Write(m);
    for (int64_t sent = 0; open && sent < size;) {
      const int64_t len = std::min(kMiB, size - sent);
      std::string* chunk = m.mutable_chunk();
      chunk->assign(block_.data(), len);
      // Distinct bytes in every 4 KiB, so deduplication does not flatter
      // the archive.
      for (int64_t at = 0; at + 8 <= len; at += 4096) {
        const uint64_t stamp = shared_.run_nonce ^
                               (static_cast<uint64_t>(index_) << 48) ^
                               ++counter_;
        std::memcpy(chunk->data() + at, &stamp, 8);
      }
      sha.Update(*chunk);
      open = writer->Write(m);
      sent += len;
    }
    if (open) writer->WritesDone();
    grpc::Status s = writer->Finish();
    Done();
    if (!s.ok()) return s;
    const std::string hex = ToHex(sha.Finish());
    if (version.sha256() != hex || version.size_bytes() != size) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS,
                          "the archive returned another SHA-256 or size than "
                          "was uploaded");
    }
    if (bytes_out) *bytes_out = size;
    pool_.Add({evidence, version.name(), hex, size}, rng_);
    return s;
  }

  Outcome Download(const StoredVersion& v) {
    Outcome out;
    grpc::ClientContext c;
    Prepare(c, StreamDeadline(v.size));
    v1::DownloadRequest r;
    r.set_name(v.version);
    auto reader = archive_->Download(&c, r);
    v1::DownloadResponse m;
    Sha256 sha;
    int64_t got = 0;
    const absl::Time start = absl::Now();
    while (reader->Read(&m)) {
      if (m.has_version()) {
        stats_[kDownloadFirst].latency_ms.push_back(
            absl::ToDoubleMilliseconds(absl::Now() - start));
        ++stats_[kDownloadFirst].ok;
        continue;
      }
      sha.Update(m.chunk());
      got += static_cast<int64_t>(m.chunk().size());
    }
    out.status = reader->Finish();
    Done();
    if (!out.status.ok()) return out;
    out.bytes = got;
    if (got != v.size || ToHex(sha.Finish()) != v.sha256) {
      out.error_label = "SHA256_MISMATCH";
      out.status = grpc::Status(
          grpc::StatusCode::DATA_LOSS,
          absl::StrCat(v.version, ": received ", got, " bytes of ", v.size,
                       " whose SHA-256 differs from what was uploaded"));
    }
    return out;
  }

  Outcome List() {
    Outcome out;
    grpc::ClientContext c;
    Prepare(c, absl::GetFlag(FLAGS_unary_deadline));
    v1::ListEvidenceRequest r;
    // Mostly one school's evidence; sometimes the whole county, filtered
    // by an indicator, as an inspector checking one indicator does.
    if (rng_() % 4 == 0) {
      r.set_parent(absl::StrCat("counties/", county_.code));
      r.set_indicator_code(kPdfKinds[rng_() % std::size(kPdfKinds)].indicator);
    } else {
      r.set_parent(
          absl::StrCat("counties/", county_.code, "/schools/", School()));
    }
    r.set_school_year(kYear);
    r.set_page_size(50);
    v1::ListEvidenceResponse response;
    out.status = archive_->ListEvidence(&c, r, &response);
    Done();
    return out;
  }

  Outcome Get(const StoredVersion& v) {
    Outcome out;
    grpc::ClientContext c;
    Prepare(c, absl::GetFlag(FLAGS_unary_deadline));
    v1::GetEvidenceRequest r;
    r.set_name(v.evidence);
    v1::Evidence e;
    out.status = archive_->GetEvidence(&c, r, &e);
    Done();
    return out;
  }

  Outcome Evaluate(v1::EvaluationView view) {
    Outcome out;
    grpc::ClientContext c;
    Prepare(c, absl::GetFlag(FLAGS_unary_deadline));
    v1::EvaluateCountyRequest r;
    r.set_name(absl::StrCat("counties/", county_.code, "/years/", kYear));
    r.set_view(view);
    v1::CountyEvaluation e;
    out.status = checklist_->EvaluateCounty(&c, r, &e);
    Done();
    if (out.status.ok()) {
      out.bytes = static_cast<int64_t>(e.ByteSizeLong());
      for (const auto& w : e.warnings()) {
        if (absl::StrContains(w, "evidence status unknown")) {
          out.note = "evidence_status_unknown";
        }
      }
    }
    return out;
  }

  const int index_;
  Shared& shared_;
  const County& county_;
  VersionPool& pool_;
  std::mt19937_64 rng_;
  std::string block_;
  uint64_t counter_ = 0;
  std::string token_;
  std::unique_ptr<v1::ArchiveService::Stub> archive_;
  std::unique_ptr<v1::ChecklistService::Stub> checklist_;
  OpStats stats_[kNumOps];
  int errors_logged_ = 0;
  absl::Mutex mu_;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// --- Data: the example county and synthetic ones.

std::string ReadText(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The second column of every data row: the school codes.
std::vector<std::string> SchoolCodes(const std::string& csv) {
  std::vector<std::string> out;
  std::vector<absl::string_view> lines = absl::StrSplit(csv, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<absl::string_view> cells = absl::StrSplit(lines[i], ',');
    if (cells.size() > 2) out.emplace_back(cells[1]);
  }
  return out;
}

constexpr char kSyntheticHeader[] =
    "county_code,school_code,school_name,year,school_type,location,boarding,"
    "has_charter,p_students,p_classes,p_max_class_size,p_teachers,"
    "p_teachers_above_degree,p_backbone_teachers,p_pe_art_teachers,"
    "p_certified_teachers,j_students,j_classes,j_max_class_size,j_teachers,"
    "j_teachers_above_degree,j_backbone_teachers,j_pe_art_teachers,"
    "j_certified_teachers,teaching_area_m2,sports_area_m2,"
    "equipment_value_yuan,multimedia_classrooms,music_rooms,art_rooms,"
    "music_room_min_area_m2,art_room_min_area_m2,public_funds_yuan,"
    "training_funds_yuan\n";

// A county of plausible schools (every fourth a junior middle school).
County SyntheticCounty(int i, int schools, std::string* csv) {
  County county{absl::StrFormat("3301%02d", 81 + i), {}};
  std::mt19937_64 rng(7919 * (i + 1));
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int s = 0; s < schools; ++s) {
    const std::string code = absl::StrFormat("21%s%02d", county.code, s + 1);
    county.schools.push_back(code);
    const bool junior = s % 4 == 3;
    const int64_t students = static_cast<int64_t>(uniform(200, 1800));
    const int64_t classes = (students + 39) / 40;
    const int64_t teachers =
        students / (junior ? 12 : 16) + static_cast<int64_t>(uniform(0, 5));
    const std::string part = absl::StrFormat(
        "%d,%d,%d,%d,%d,%d,%d,%d", students, classes,
        static_cast<int>(uniform(40, 46)), teachers, teachers * 9 / 10,
        std::max<int64_t>(1, students / 90), students / 100 + 1, teachers);
    const std::string empty = ",,,,,,,";
    absl::StrAppend(
        csv, county.code, ",", code, ",合成县", i + 1, "第", s + 1, "学校,",
        kYear, ",", junior ? "junior" : "primary", ",rural,false,true,",
        junior ? empty : part, ",", junior ? part : empty, ",",
        absl::StrFormat("%.0f,%.0f,%.0f,%d,%d,%d,100,95,%.0f,%.0f\n",
                        students * uniform(4.3, 7.5), students * uniform(7, 14),
                        students * uniform(1900, 3500), classes,
                        classes / 12 + 1, classes / 12 + 1, students * 600.0,
                        students * 600.0 * uniform(0.045, 0.08)));
  }
  return county;
}

absl::Status Import(v1::ChecklistService::Stub& stub, bool schools,
                    const std::string& csv, const std::string& token) {
  grpc::ClientContext c;
  c.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  c.AddMetadata(kUserMetadataKey, "load-import");
  if (!token.empty()) c.AddMetadata("authorization", "Bearer " + token);
  v1::ImportResponse response;
  auto writer = schools ? stub.ImportSchools(&c, &response)
                        : stub.ImportCounties(&c, &response);
  for (size_t at = 0; at < csv.size(); at += 1 << 20) {
    v1::ImportRequest m;
    m.set_csv_chunk(csv.substr(at, 1 << 20));
    if (!writer->Write(m)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                        s.error_message());
  }
  return absl::OkStatus();
}

// --- Authentication (issue 4), detected from the binaries.

enum class AuthMode { kNone, kInsecureFlag, kPrincipalsGiven, kTokensCreated };
constexpr const char* kAuthNames[] = {
    "none (binaries predate authentication)", "--insecure_no_auth",
    "--principals (given)",
    "--principals with tokens made by `junheng admin "
    "token create`"};

// Creates a principals file with one county token per county; false if
// the CLI cannot (then the caller falls back to --insecure_no_auth).
bool CreateTokens(const std::string& cli, const std::string& file,
                  const std::vector<County>& counties,
                  std::map<std::string, std::string>* tokens) {
  // An older CLI answers any unknown command's --help with its general
  // usage (exit 0), so look for the command's own flags.
  const CommandOutput help =
      RunCapture({cli, "admin", "token", "create", "--help"});
  const std::string text = help.out + help.err;
  if (help.exit_code != 0 || !absl::StrContains(text, "--role") ||
      !absl::StrContains(text, "--scope")) {
    return false;
  }
  // County tokens for the inspectors (upload, read and evaluate their
  // county); a province token for the import, which spans counties.
  // And the checklist service's own token for the archive (role service,
  // no scope).
  std::vector<std::pair<std::string, std::string>> wanted = {
      {"province", "provinces/33"}, {"service", ""}};
  for (const County& c : counties) {
    wanted.push_back({c.code, absl::StrCat("counties/", c.code)});
  }
  for (const auto& [key, scope] : wanted) {
    std::vector<std::string> argv = {
        cli,
        "admin",
        "token",
        "create",
        "--principals",
        file,
        "--role",
        key == "province" || key == "service" ? key : "county",
        "--name",
        absl::StrCat("load-", key)};
    if (!scope.empty()) {
      argv.push_back("--scope");
      argv.push_back(scope);
    }
    CommandOutput r = RunCapture(argv);
    std::string token(absl::StripAsciiWhitespace(r.out));
    if (r.exit_code != 0 || token.empty() || absl::StrContains(token, " ") ||
        absl::StrContains(token, "\n")) {
      std::fprintf(stderr,
                   "junheng-load: `junheng admin token create` failed (%s%s); "
                   "using --insecure_no_auth\n",
                   r.out.c_str(), r.err.c_str());
      tokens->clear();
      return false;
    }
    (*tokens)[key] = token;
  }
  return true;
}

// --- Reporting.

struct ServiceFigures {
  std::string name;
  int64_t peak_rss = 0, max_sampled_rss = 0, rss_before = 0;
  double cpu_load_s = 0;
  int max_threads = 0;
};

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, absl::StrFormat("\\u%04x", c));
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string JoinCounts(const std::map<std::string, int64_t>& m) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : m) parts.push_back(absl::StrCat(k, " ", v));
  return absl::StrJoin(parts, ", ");
}

void Report(int clients, double duration_s, double elapsed_s,
            const std::vector<County>& counties, const std::string& auth,
            double load_before, double load_after, OpStats (&ops)[kNumOps],
            const std::vector<ServiceFigures>& services, double client_cpu_s,
            bool json) {
  size_t schools = 0;
  for (const auto& c : counties) schools += c.schools.size();
  Percentiles p[kNumOps];
  for (int op = 0; op < kNumOps; ++op) {
    p[op] = ComputePercentiles(ops[op].latency_ms);
  }
  if (json) {
    std::string out = absl::StrFormat(
        "{\"clients\":%d,\"duration_s\":%.1f,\"elapsed_s\":%.2f,"
        "\"counties\":%d,\"schools\":%d,\"auth\":%s,"
        "\"load_average_before\":%.2f,\"load_average_after\":%.2f,"
        "\"client_cpu_s\":%.1f,\"ops\":{",
        clients, duration_s, elapsed_s, counties.size(), schools,
        JsonString(auth), load_before, load_after, client_cpu_s);
    for (int op = 0; op < kNumOps; ++op) {
      const OpStats& s = ops[op];
      std::vector<std::string> errors, notes;
      for (const auto& [k, v] : s.errors) {
        errors.push_back(absl::StrCat(JsonString(k), ":", v));
      }
      for (const auto& [k, v] : s.notes) {
        notes.push_back(absl::StrCat(JsonString(k), ":", v));
      }
      absl::StrAppend(
          &out, op ? "," : "", JsonString(kOpNames[op]),
          absl::StrFormat(
              ":{\"count\":%d,\"ok\":%d,\"ops_per_s\":%.2f,\"mb_per_s\":%.2f,"
              "\"bytes\":%d,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f,"
              "\"max_ms\":%.2f,\"mean_ms\":%.2f,\"throttled\":%d,"
              "\"throttle_wait_ms\":%d,\"cut_off\":%d,",
              s.latency_ms.size(), s.ok, s.latency_ms.size() / elapsed_s,
              s.bytes / 1e6 / elapsed_s, s.bytes, p[op].p50, p[op].p95,
              p[op].p99, p[op].max, p[op].mean, s.throttled, s.throttle_wait_ms,
              s.cut_off),
          "\"errors\":{", absl::StrJoin(errors, ","), "},\"notes\":{",
          absl::StrJoin(notes, ","), "}}");
    }
    absl::StrAppend(&out, "},\"services\":{");
    for (size_t i = 0; i < services.size(); ++i) {
      const ServiceFigures& f = services[i];
      absl::StrAppend(
          &out, i ? "," : "", JsonString(f.name),
          absl::StrFormat(
              ":{\"peak_rss_mib\":%d,\"max_sampled_rss_mib\":%d,"
              "\"rss_before_load_mib\":%d,\"cpu_s\":%.1f,\"max_threads\":%d}",
              f.peak_rss >> 20, f.max_sampled_rss >> 20, f.rss_before >> 20,
              f.cpu_load_s, f.max_threads));
    }
    absl::StrAppend(&out, "}}\n");
    std::fputs(out.c_str(), stdout);
    return;
  }
  std::printf(
      "junheng-load: %d clients, %.0f s (+%.1f s to finish the last calls), "
      "%zu counties / %zu schools\nauth: %s; load average %.2f before, %.2f "
      "after\n\n",
      clients, duration_s, elapsed_s - duration_s, counties.size(), schools,
      auth.c_str(), load_before, load_after);
  std::printf("%-17s %7s %8s %8s %9s %9s %9s %9s %6s %9s\n", "operation",
              "count", "ops/s", "MB/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
              "errors", "throttled");
  int64_t total = 0;
  double upload_mb = 0;
  for (int op = 0; op < kNumOps; ++op) {
    const OpStats& s = ops[op];
    if (op != kDownloadFirst)
      total += static_cast<int64_t>(s.latency_ms.size());
    if (op <= kUploadVideo) upload_mb += s.bytes / 1e6;
    std::printf("%-17s %7zu %8.1f %8s %9.1f %9.1f %9.1f %9.1f %6lld %9lld\n",
                kOpNames[op], s.latency_ms.size(),
                s.latency_ms.size() / elapsed_s,
                MovesBytes(op)
                    ? absl::StrFormat("%.1f", s.bytes / 1e6 / elapsed_s).c_str()
                    : "",
                p[op].p50, p[op].p95, p[op].p99, p[op].max,
                static_cast<long long>(s.ErrorCount()),
                static_cast<long long>(s.throttled));
  }
  std::printf("%-17s %7lld %8.1f %8.1f   (uploads %.1f MB/s)\n", "all",
              static_cast<long long>(total), total / elapsed_s,
              (upload_mb + ops[kDownload].bytes / 1e6) / elapsed_s,
              upload_mb / elapsed_s);
  bool header = false;
  for (int op = 0; op < kNumOps; ++op) {
    const OpStats& s = ops[op];
    if (s.errors.empty() && s.notes.empty() && s.cut_off == 0 &&
        s.throttled == 0) {
      continue;
    }
    if (!header) std::printf("\n");
    header = true;
    std::printf("%s:", kOpNames[op]);
    if (!s.errors.empty())
      std::printf(" errors: %s;", JoinCounts(s.errors).c_str());
    if (s.throttled) {
      std::printf(" throttled %lld (waited %lld ms);",
                  static_cast<long long>(s.throttled),
                  static_cast<long long>(s.throttle_wait_ms));
    }
    if (s.cut_off) {
      std::printf(" cut off at the end %lld;",
                  static_cast<long long>(s.cut_off));
    }
    if (!s.notes.empty())
      std::printf(" notes: %s", JoinCounts(s.notes).c_str());
    std::printf("\n");
  }
  if (!services.empty()) {
    std::printf("\n%-18s %14s %16s %14s %12s %11s\n", "service", "peak RSS MiB",
                "max sampled MiB", "before load", "CPU s", "threads max");
    for (const ServiceFigures& f : services) {
      std::printf("%-18s %14lld %16lld %14lld %12.1f %11d\n", f.name.c_str(),
                  static_cast<long long>(f.peak_rss >> 20),
                  static_cast<long long>(f.max_sampled_rss >> 20),
                  static_cast<long long>(f.rss_before >> 20), f.cpu_load_s,
                  f.max_threads);
    }
  }
  std::printf("%-18s %14s %16s %14s %12.1f   (of %.0f core-seconds)\n",
              "junheng-load", "", "", "", client_cpu_s,
              elapsed_s * std::thread::hardware_concurrency());
}

double OwnCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

int Main() {
  const int clients = absl::GetFlag(FLAGS_clients);
  const double probe_hz = absl::GetFlag(FLAGS_probe_hz);
  if (clients < 0 || (clients == 0 && probe_hz <= 0)) {
    std::fprintf(stderr,
                 "junheng-load: --clients must be positive (or 0 with "
                 "--probe_hz)\n");
    return 2;
  }
  Shared shared;
  shared.archive_addr = absl::GetFlag(FLAGS_archive_addr);
  shared.checklist_addr = absl::GetFlag(FLAGS_checklist_addr);
  shared.token = absl::GetFlag(FLAGS_token);
  shared.run_nonce = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  shared.weights = {absl::GetFlag(FLAGS_photo_weight),
                    absl::GetFlag(FLAGS_pdf_weight),
                    absl::GetFlag(FLAGS_video_weight),
                    absl::GetFlag(FLAGS_download_weight),
                    absl::GetFlag(FLAGS_list_weight),
                    absl::GetFlag(FLAGS_get_weight),
                    absl::GetFlag(FLAGS_eval_summary_weight),
                    absl::GetFlag(FLAGS_eval_full_weight),
                    0,
                    0};
  const bool start_services = shared.archive_addr.empty();
  if (!start_services && shared.checklist_addr.empty()) {
    std::fprintf(stderr,
                 "junheng-load: without --checklist_addr, evaluations are "
                 "skipped\n");
  }

  // The counties: the example one and synthetic ones.
  const std::string examples = absl::GetFlag(FLAGS_examples_dir);
  const std::string example_schools = ReadText(examples + "/schools.csv");
  const std::string example_counties = ReadText(examples + "/counties.csv");
  if (example_schools.empty() || example_counties.empty()) {
    std::fprintf(stderr, "junheng-load: cannot read %s/schools.csv\n",
                 examples.c_str());
    return 1;
  }
  shared.counties.push_back({"330106", SchoolCodes(example_schools)});
  std::string synthetic_schools = kSyntheticHeader;
  std::string synthetic_counties =
      "county_code,county_name,year,province_code,satisfaction_rate,"
      "junior_consolidation_rate\n";
  const int synthetic_per =
      std::clamp(absl::GetFlag(FLAGS_synthetic_schools), 1, 99);
  for (int i = 0; i < absl::GetFlag(FLAGS_synthetic_counties); ++i) {
    shared.counties.push_back(
        SyntheticCounty(i, synthetic_per, &synthetic_schools));
    absl::StrAppend(&synthetic_counties, shared.counties.back().code, ",合成县",
                    i + 1, ",", kYear, ",33,0.9,0.97\n");
  }

  for (size_t i = 0; i < shared.counties.size(); ++i) {
    shared.pools.push_back(std::make_unique<VersionPool>());
  }

  // The services.
  std::unique_ptr<ScratchDir> scratch;
  std::unique_ptr<ServiceProcess> archive, checklist;
  AuthMode auth = AuthMode::kNone;
  if (start_services) {
    scratch = std::make_unique<ScratchDir>("junheng-load");
    const std::string bin = BinDir();
    std::vector<std::string> auth_args, checklist_extra;
    const std::string principals = absl::GetFlag(FLAGS_principals);
    const bool has_auth = absl::StrContains(
        RunCapture({bin + "/junheng-archive", "--helpfull"}).out,
        "insecure_no_auth");
    if (!principals.empty()) {
      auth = AuthMode::kPrincipalsGiven;
      auth_args = {"--principals=" + principals};
    } else if (has_auth) {
      const std::string file = scratch->path() + "/principals";
      if (shared.token.empty() &&
          CreateTokens(bin + "/junheng", file, shared.counties,
                       &shared.county_tokens)) {
        auth = AuthMode::kTokensCreated;
        auth_args = {"--principals=" + file};
        const std::string service_token = scratch->path() + "/service-token";
        FILE* f = std::fopen(service_token.c_str(), "w");
        if (f != nullptr) {
          std::fputs(shared.county_tokens["service"].c_str(), f);
          std::fclose(f);
        }
        checklist_extra = {"--archive_token_file=" + service_token};
      } else {
        auth = AuthMode::kInsecureFlag;
        auth_args = {"--insecure_no_auth"};
      }
    }
    std::vector<std::string> archive_args = {"--data_dir=" + scratch->path() +
                                             "/archive"};
    archive_args.insert(archive_args.end(), auth_args.begin(), auth_args.end());
    for (const std::string& f : absl::GetFlag(FLAGS_archive_flags)) {
      archive_args.push_back(f);
    }
    archive = std::make_unique<ServiceProcess>(bin + "/junheng-archive",
                                               archive_args, scratch->path());
    if (absl::Status s = archive->Start(absl::Seconds(30)); !s.ok()) {
      std::fprintf(stderr, "junheng-load: %s\n", s.ToString().c_str());
      return 1;
    }
    std::vector<std::string> checklist_args = {
        "--data_dir=" + scratch->path() + "/checklist",
        "--archive_addr=" + archive->address(),
        "--standards_dir=" + absl::GetFlag(FLAGS_standards_dir)};
    checklist_args.insert(checklist_args.end(), auth_args.begin(),
                          auth_args.end());
    checklist_args.insert(checklist_args.end(), checklist_extra.begin(),
                          checklist_extra.end());
    for (const std::string& f : absl::GetFlag(FLAGS_checklist_flags)) {
      checklist_args.push_back(f);
    }
    checklist = std::make_unique<ServiceProcess>(
        bin + "/junheng-checklist", checklist_args, scratch->path());
    if (absl::Status s = checklist->Start(absl::Seconds(30)); !s.ok()) {
      std::fprintf(stderr, "junheng-load: %s\n", s.ToString().c_str());
      return 1;
    }
    shared.archive_addr = archive->address();
    shared.checklist_addr = checklist->address();
  }

  // Import what the evaluations read: always into services started here,
  // into given ones only when asked (it adds revisions to their data).
  if ((start_services || absl::GetFlag(FLAGS_import)) &&
      !shared.checklist_addr.empty()) {
    auto stub = v1::ChecklistService::NewStub(grpc::CreateChannel(
        shared.checklist_addr, grpc::InsecureChannelCredentials()));
    const std::string import_token = shared.county_tokens.contains("province")
                                         ? shared.county_tokens["province"]
                                         : shared.token;
    for (const auto& [schools, csv] :
         std::vector<std::pair<bool, const std::string*>>{
             {true, &example_schools},
             {false, &example_counties},
             {true, &synthetic_schools},
             {false, &synthetic_counties}}) {
      if (absl::Status s = Import(*stub, schools, *csv, import_token);
          !s.ok()) {
        std::fprintf(stderr, "junheng-load: import failed: %s\n",
                     s.ToString().c_str());
        return 1;
      }
    }
  }

  std::vector<std::unique_ptr<Client>> pool;
  for (int i = 0; i < clients; ++i) {
    pool.push_back(std::make_unique<Client>(i, shared));
  }
  if (probe_hz > 0) {
    pool.push_back(std::make_unique<Client>(clients, shared));
  }
  // Seed: a few versions per county, so downloads and gets have targets
  // from the first second.
  for (size_t i = 0; i < pool.size(); ++i) {
    if (i >= 16 && i + 1 < pool.size()) continue;
    for (int k = 0; k < 3; ++k) {
      if (!pool[i]->Seed()) return 1;
    }
  }

  std::vector<pid_t> pids;
  std::vector<ServiceFigures> figures;
  std::vector<double> cpu_before;
  if (start_services) {
    for (ServiceProcess* p : {archive.get(), checklist.get()}) {
      pids.push_back(p->pid());
      const ProcSample s = ReadProc(p->pid());
      cpu_before.push_back(s.cpu_seconds);
      ServiceFigures f;
      f.name = p == archive.get() ? "junheng-archive" : "junheng-checklist";
      f.rss_before = s.rss_bytes;
      figures.push_back(f);
    }
  }
  RssSampler sampler(pids, absl::Milliseconds(100));

  const double load_before = LoadAverage1();
  const double client_cpu_before = OwnCpuSeconds();
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  const absl::Time start = absl::Now();
  shared.stop_issuing = start + duration;
  std::vector<std::thread> threads;
  std::atomic<int> running{static_cast<int>(pool.size())};
  for (size_t i = 0; i < pool.size(); ++i) {
    Client* c = pool[i].get();
    const bool probe = probe_hz > 0 && i + 1 == pool.size();
    threads.emplace_back([c, probe, probe_hz, &running] {
      if (probe) {
        c->RunProbe(absl::Seconds(1 / probe_hz));
      } else {
        c->Run();
      }
      --running;
    });
  }
  absl::SleepFor(duration);
  const absl::Time drain_end = absl::Now() + absl::GetFlag(FLAGS_drain);
  while (running > 0 && absl::Now() < drain_end) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (running > 0) {
    shared.cut = true;
    for (auto& c : pool) c->CancelCurrent();
  }
  for (auto& t : threads) t.join();
  const double elapsed_s = absl::ToDoubleSeconds(absl::Now() - start);
  const double client_cpu_s = OwnCpuSeconds() - client_cpu_before;
  const double load_after = LoadAverage1();
  sampler.Stop();
  for (size_t i = 0; i < pids.size(); ++i) {
    const ProcSample s = ReadProc(pids[i]);
    figures[i].peak_rss = s.peak_rss_bytes;
    figures[i].max_sampled_rss = sampler.MaxRss(i);
    figures[i].max_threads = sampler.MaxThreads(i);
    figures[i].cpu_load_s = s.cpu_seconds - cpu_before[i];
  }

  OpStats ops[kNumOps];
  for (auto& c : pool) {
    for (int op = 0; op < kNumOps; ++op) ops[op].Merge(c->stats(op));
  }
  Report(clients, absl::ToDoubleSeconds(duration), elapsed_s, shared.counties,
         start_services         ? kAuthNames[static_cast<int>(auth)]
         : shared.token.empty() ? "services given by address, no token"
                                : "services given by address, --token",
         load_before, load_after, ops, figures, client_cpu_s,
         absl::GetFlag(FLAGS_json));
  if (checklist) checklist->Stop();
  if (archive) archive->Stop();
  return 0;
}

}  // namespace
}  // namespace junheng::load

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Load generator for junheng-archive and junheng-checklist.\n"
      "  junheng-load --clients 32 --duration 60s [--video_bytes N] [--json]");
  absl::ParseCommandLine(argc, argv);
  return junheng::load::Main();
}
