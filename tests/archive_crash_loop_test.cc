// junheng-archive killed with SIGKILL at random moments, 20 times, under a
// mixed load (uploads of 0 B to 8 MiB, new versions, request-id retries,
// deletes and undeletes, downloads, lists), restarted on the same data each
// time. Every acknowledged operation is recorded; afterwards a verifier
// checks that each acknowledged version is there with its bytes and
// metadata, that versions are numbered without gaps, that the list indexes
// and delete markers say what the acknowledged operations decided, that
// nothing is visible that no client sent (or that the server refused), and
// finally that the store passes CheckIntegrity().
//
// Thread scheduling makes a run irreproducible in detail, but the seed
// (printed; JUNHENG_CRASH_SEED overrides it) fixes the sizes, bytes,
// operation mix and kill moments.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "archive_service/archive_store.h"
#include "clients/archive_client.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/archive_backend.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;

constexpr int kRounds = 20;

// --data_dir and the chunk store's flags (archive_backend.h), then `extra`.
std::vector<std::string> WithBackend(const std::string& db,
                                     std::vector<std::string> extra) {
  std::vector<std::string> flags = {"--data_dir=" + db};
  for (auto& f : ::junheng::testing::ArchiveBackend::ServerFlags(db)) {
    flags.push_back(f);
  }
  for (auto& f : extra) flags.push_back(f);
  return flags;
}
constexpr int kWorkers = 4;
constexpr int kEvidence = 12;

// Everything an evidence's uploads say about it is a function of its index,
// so the evidence record's metadata is decidable whichever uploads landed.
struct EvidenceSpec {
  std::string county;
  std::string parent;
  std::string id;
  std::string name;
  std::string title;
  std::vector<std::string> indicators;
  int32_t year = 0;
  // Only the owner thread deletes and undeletes deletable evidence, so the
  // order of those operations is known.
  bool deletable = false;
  int owner = -1;
};

std::vector<EvidenceSpec> MakeEvidence() {
  const char* parents[] = {"counties/330106/schools/2133010601",
                           "counties/330106/schools/2133010602",
                           "counties/330106",
                           "counties/330107/schools/2133010701"};
  const char* codes[] = {"R4", "G11", "Q3", "R1", "G2"};
  std::vector<EvidenceSpec> out;
  for (int k = 0; k < kEvidence; ++k) {
    EvidenceSpec e;
    e.parent = parents[k % 4];
    e.county = e.parent.substr(0, std::string("counties/330106").size());
    e.id = absl::StrCat("ev-", k);
    e.name = absl::StrCat(e.parent, "/evidence/", e.id);
    e.title = absl::StrCat("证据材料 ", k);
    e.indicators.push_back(codes[k % 5]);
    if (k % 2 == 1) e.indicators.push_back(codes[(k + 2) % 5]);
    std::sort(e.indicators.begin(), e.indicators.end());
    e.year = 2024 + k % 2;
    e.deletable = k % 3 == 0;
    e.owner = e.deletable ? (k / 3) % kWorkers : -1;
    out.push_back(std::move(e));
  }
  return out;
}

enum class Outcome { kUnknown, kAcked, kRefused };

// One upload as sent. The file name is unique per attempt, so a visible
// version names the attempt it came from. A retry with the request id
// reuses the attempt: same bytes, same name.
struct UploadAttempt {
  int evidence = 0;
  uint64_t seed = 0;
  int64_t size = 0;
  std::string sha256;
  std::string content_type;
  std::string filename;
  std::string request_id;
  Outcome outcome = Outcome::kUnknown;
  v1::EvidenceVersion acked;  // when kAcked
};

struct DeleteOp {
  bool deleted_after = false;  // the state the operation asks for
  Outcome outcome = Outcome::kUnknown;
};

// Streams a version's bytes through SHA-256 without keeping them.
absl::StatusOr<std::pair<v1::EvidenceVersion, std::string>> DownloadSha(
    ArchiveClient& client, const std::string& name) {
  v1::DownloadRequest r;
  r.set_name(name);
  Sha256 h;
  auto v = client.Download(r, [&](absl::string_view b) {
    h.Update(b);
    return true;
  });
  if (!v.ok()) return v.status();
  return std::make_pair(*v, ToHex(h.Finish()));
}

class Recorder {
 public:
  explicit Recorder(const std::vector<EvidenceSpec>& evidence)
      : evidence_(evidence), deletes_(evidence.size()) {}

  // Records the attempt and names its file after it.
  int AddAttempt(UploadAttempt a) {
    std::lock_guard<std::mutex> lock(mu_);
    const int i = static_cast<int>(attempts_.size());
    a.filename = absl::StrCat("attempt-", i, ".bin");
    attempts_.push_back(std::move(a));
    return i;
  }
  UploadAttempt Attempt(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_[i];
  }
  void Resolve(int i, Outcome o, const v1::EvidenceVersion* v = nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_[i].outcome = o;
    if (v != nullptr) attempts_[i].acked = *v;
  }
  bool HasAcked(int evidence) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& a : attempts_) {
      if (a.evidence == evidence && a.outcome == Outcome::kAcked) return true;
    }
    return false;
  }
  // A random acknowledged attempt, for downloads under load.
  std::optional<UploadAttempt> RandomAcked(std::mt19937_64& rng) {
    std::lock_guard<std::mutex> lock(mu_);
    if (acked_.empty()) return std::nullopt;
    return attempts_[acked_[rng() % acked_.size()]];
  }
  void NoteAcked(int i) {
    std::lock_guard<std::mutex> lock(mu_);
    acked_.push_back(i);
  }
  // Acknowledged versions per evidence name (the largest version).
  std::map<std::string, int64_t> AckedSnapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, int64_t> out;
    for (int i : acked_) {
      const auto& a = attempts_[i];
      int64_t& v = out[evidence_[a.evidence].name];
      v = std::max(v, a.acked.version());
    }
    return out;
  }

  int AddDelete(int evidence, bool deleted_after) {
    std::lock_guard<std::mutex> lock(mu_);
    deletes_[evidence].push_back({deleted_after, Outcome::kUnknown});
    return static_cast<int>(deletes_[evidence].size()) - 1;
  }
  void ResolveDelete(int evidence, int i, Outcome o, bool deleted_after) {
    std::lock_guard<std::mutex> lock(mu_);
    deletes_[evidence][i].outcome = o;
    deletes_[evidence][i].deleted_after = deleted_after;
  }
  // The states the evidence's delete marker may be in: what the last
  // acknowledged operation left, or what any later unresolved one asked.
  std::set<bool> AllowedDeleted(int evidence) {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<bool> allowed;
    const auto& ops = deletes_[evidence];
    int last = -1;
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
      if (ops[i].outcome == Outcome::kAcked) last = i;
    }
    allowed.insert(last >= 0 ? ops[last].deleted_after : false);
    for (int i = last + 1; i < static_cast<int>(ops.size()); ++i) {
      if (ops[i].outcome == Outcome::kUnknown) {
        allowed.insert(ops[i].deleted_after);
      }
    }
    return allowed;
  }

  void Unexpected(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    unexpected_.push_back(what);
  }

  std::vector<UploadAttempt> attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }
  std::vector<std::string> unexpected() {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }
  std::vector<std::vector<DeleteOp>> deletes() {
    std::lock_guard<std::mutex> lock(mu_);
    return deletes_;
  }

 private:
  const std::vector<EvidenceSpec>& evidence_;
  std::mutex mu_;
  std::vector<UploadAttempt> attempts_;
  std::vector<int> acked_;
  std::vector<std::vector<DeleteOp>> deletes_;
  std::vector<std::string> unexpected_;
};

// Sizes from empty to 8 MiB, most of them small as real documents are;
// enough multi-chunk ones to catch the server mid-chunk.
int64_t PickSize(std::mt19937_64& rng) {
  const int r = static_cast<int>(rng() % 100);
  if (r < 12) return static_cast<int64_t>(rng() % 17);  // includes 0
  if (r < 57) return static_cast<int64_t>(rng() % (64 << 10));
  if (r < 82) return (64 << 10) + static_cast<int64_t>(rng() % (2 << 20));
  if (r < 92)
    return archive::kChunkSize * (1 + static_cast<int64_t>(rng() % 3));
  return (2 << 20) + static_cast<int64_t>(rng() % (6 << 20));
}

class Worker {
 public:
  Worker(int index, uint64_t seed, const std::string& address,
         const std::vector<EvidenceSpec>& evidence, Recorder& rec,
         const std::atomic<bool>& killing, std::vector<int>& pending_retries)
      : index_(index),
        rng_(seed),
        evidence_(evidence),
        rec_(rec),
        killing_(killing),
        pending_retries_(pending_retries) {
    ArchiveClient::Options options;
    const size_t chunk_sizes[] = {1 << 20, 256 << 10, (64 << 10) + 13};
    options.chunk_bytes = chunk_sizes[rng_() % 3];
    options.user = absl::StrCat("worker-", index);
    client_ = std::make_unique<ArchiveClient>(Connect(address), options);
  }

  void Run(const std::atomic<bool>& stop) {
    // First, retry what the last kill left unresolved, with its request id.
    std::vector<int> retries;
    retries.swap(pending_retries_);
    for (int i : retries) {
      if (stop) {
        pending_retries_.push_back(i);
        continue;
      }
      if (rng_() % 2 == 0) Upload(i);
    }
    while (!stop) {
      const int r = static_cast<int>(rng_() % 100);
      if (r < 55) {
        NewUpload();
      } else if (r < 67) {
        DeleteOrUndelete();
      } else if (r < 87) {
        DownloadSome();
      } else {
        ListSome();
      }
    }
  }

 private:
  // A failure that is not a definite answer: the outcome stays unknown. It
  // is only expected once the server is being killed.
  void Failed(const std::string& op, const absl::Status& s) {
    if (!killing_) {
      rec_.Unexpected(
          absl::StrCat("worker ", index_, " ", op, ": ", s.ToString()));
    }
  }

  void NewUpload() {
    UploadAttempt a;
    a.evidence = static_cast<int>(rng_() % evidence_.size());
    a.size = PickSize(rng_);
    a.seed = rng_();
    const std::string bytes = TestBytes(a.size, a.seed);
    a.sha256 = ToHex(Sha256::Of(bytes));
    const char* types[] = {"application/pdf", "image/jpeg", "text/csv", ""};
    a.content_type = types[rng_() % 4];
    if (a.size > archive::kChunkSize || rng_() % 2 == 0) {
      a.request_id = NewRequestId();
    }
    const int i = rec_.AddAttempt(std::move(a));
    Upload(i, &bytes);
  }

  void Upload(int i, const std::string* known_bytes = nullptr) {
    const UploadAttempt a = rec_.Attempt(i);
    std::string regenerated;
    if (known_bytes == nullptr) {
      regenerated = TestBytes(a.size, a.seed);
      known_bytes = &regenerated;
    }
    const std::string& bytes = *known_bytes;
    const EvidenceSpec& e = evidence_[a.evidence];
    v1::UploadHeader h;
    h.set_parent(e.parent);
    h.set_evidence_id(e.id);
    // Once a version is acknowledged the evidence exists for good (deletes
    // are soft), so the metadata may be left out: it must then stay.
    if (!rec_.HasAcked(a.evidence) || rng_() % 3 != 0) {
      h.set_title(e.title);
      for (const auto& c : e.indicators) h.add_indicator_codes(c);
      h.set_school_year(e.year);
    }
    h.set_content_type(a.content_type);
    h.set_filename(a.filename);
    h.set_request_id(a.request_id);
    if (rng_() % 2 == 0) {
      h.set_size_bytes(a.size);
      h.set_sha256(a.sha256);
    }
    auto v = client_->Upload(h, ::junheng::testing::ReadFrom(bytes));
    if (v.ok()) {
      if (v->sha256() != a.sha256 || v->size_bytes() != a.size ||
          v->filename() != a.filename) {
        rec_.Unexpected(absl::StrCat("upload of ", a.filename,
                                     " acknowledged as ", v->DebugString()));
      }
      rec_.Resolve(i, Outcome::kAcked, &*v);
      rec_.NoteAcked(i);
      return;
    }
    if (v.status().code() == absl::StatusCode::kFailedPrecondition &&
        e.deletable) {
      rec_.Resolve(i, Outcome::kRefused);
      return;
    }
    Failed(absl::StrCat("upload ", a.filename), v.status());
    if (!a.request_id.empty()) pending_retries_.push_back(i);
  }

  void DeleteOrUndelete() {
    std::vector<int> mine;
    for (int k = 0; k < static_cast<int>(evidence_.size()); ++k) {
      if (evidence_[k].owner == index_) mine.push_back(k);
    }
    if (mine.empty()) return NewUpload();
    const int k = mine[rng_() % mine.size()];
    // Mostly the opposite of what the owner believes; sometimes the same,
    // to see the "already" answers.
    bool want_deleted = rng_() % 2 == 0;
    if (auto it = believed_deleted_.find(k); it != believed_deleted_.end()) {
      want_deleted = rng_() % 5 == 0 ? it->second : !it->second;
    }
    const int op = rec_.AddDelete(k, want_deleted);
    const std::string& name = evidence_[k].name;
    auto r = want_deleted ? client_->DeleteEvidence(name)
                          : client_->UndeleteEvidence(name);
    if (r.ok()) {
      if (r->has_delete_time() != want_deleted) {
        rec_.Unexpected(
            absl::StrCat(name, ": delete answered ", r->DebugString()));
      }
      rec_.ResolveDelete(k, op, Outcome::kAcked, want_deleted);
      believed_deleted_[k] = want_deleted;
      return;
    }
    // Definite answers about the current state: "already deleted",
    // "not deleted", "no such evidence yet" (live once it exists).
    const absl::StatusCode code = r.status().code();
    if ((want_deleted && code == absl::StatusCode::kFailedPrecondition) ||
        (!want_deleted && code == absl::StatusCode::kAlreadyExists)) {
      rec_.ResolveDelete(k, op, Outcome::kAcked, want_deleted);
      believed_deleted_[k] = want_deleted;
      return;
    }
    if (code == absl::StatusCode::kNotFound) {
      rec_.ResolveDelete(k, op, Outcome::kAcked, false);
      believed_deleted_[k] = false;
      return;
    }
    Failed(absl::StrCat(want_deleted ? "delete " : "undelete ", name),
           r.status());
    believed_deleted_.erase(k);
  }

  void DownloadSome() {
    auto a = rec_.RandomAcked(rng_);
    if (!a) return NewUpload();
    auto got = DownloadSha(*client_, a->acked.name());
    if (!got.ok()) return Failed("download " + a->acked.name(), got.status());
    if (got->second != a->sha256 || got->first.sha256() != a->sha256 ||
        got->first.filename() != a->filename) {
      rec_.Unexpected(absl::StrCat(
          "download of ", a->acked.name(), " gave sha ", got->second,
          " metadata ", got->first.DebugString(), "; sent ", a->sha256));
    }
  }

  void ListSome() {
    // Everything acknowledged before the call must be listed (deleted
    // evidence too, with show_deleted), with at least that many versions.
    const std::map<std::string, int64_t> before = rec_.AckedSnapshot();
    const std::string county =
        rng_() % 2 ? "counties/330106" : "counties/330107";
    v1::ListEvidenceRequest r;
    r.set_parent(county);
    r.set_show_deleted(true);
    r.set_page_size(static_cast<int32_t>(1 + rng_() % 5));
    auto listed = client_->ListAllEvidence(r);
    if (!listed.ok()) return Failed("list " + county, listed.status());
    std::map<std::string, int64_t> counts;
    for (const auto& e : *listed) {
      counts[e.name()] = e.version_count();
      if (e.latest_version().version() != e.version_count()) {
        rec_.Unexpected("listed " + e.DebugString());
      }
    }
    for (const auto& [name, version] : before) {
      if (name.rfind(county + "/", 0) != 0) continue;
      if (counts[name] < version) {
        rec_.Unexpected(absl::StrCat("list of ", county, " shows ", name,
                                     " with ", counts[name], " versions; v",
                                     version, " was acked"));
      }
    }
  }

  const int index_;
  std::mt19937_64 rng_;
  const std::vector<EvidenceSpec>& evidence_;
  Recorder& rec_;
  const std::atomic<bool>& killing_;
  std::vector<int>& pending_retries_;
  std::unique_ptr<ArchiveClient> client_;
  std::map<int, bool> believed_deleted_;
};

uint64_t SeedFromEnvironment() {
  uint64_t seed = 0;
  const char* env = std::getenv("JUNHENG_CRASH_SEED");
  if (env != nullptr && absl::SimpleAtoi(env, &seed)) return seed;
  return std::random_device()();
}

// Quick check at each restart: every version acknowledged so far is listed
// with its checksum.
void ExpectAckedListed(ArchiveClient& client,
                       const std::vector<EvidenceSpec>& evidence,
                       const std::vector<UploadAttempt>& attempts, int round) {
  std::map<std::string, std::map<int64_t, std::string>> visible;
  for (const auto& e : evidence) {
    auto versions = client.ListAllVersions(e.name);
    if (!versions.ok()) continue;  // NOT_FOUND if nothing landed yet
    for (const auto& v : *versions) visible[e.name][v.version()] = v.sha256();
  }
  for (const auto& a : attempts) {
    if (a.outcome != Outcome::kAcked) continue;
    const std::string& name = evidence[a.evidence].name;
    EXPECT_EQ(visible[name][a.acked.version()], a.sha256)
        << "after restart " << round << ": " << a.acked.name() << " ("
        << a.filename << ")";
  }
}

TEST(ArchiveCrashLoopTest, AcknowledgedOperationsSurviveTwentyKills) {
  const uint64_t seed = SeedFromEnvironment();
  std::cout << "seed " << seed << " (rerun with JUNHENG_CRASH_SEED=" << seed
            << ")" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::vector<EvidenceSpec> evidence = MakeEvidence();
  Recorder rec(evidence);
  TempDir data;
  const std::string db = data.path() + "/db";
  std::vector<std::vector<int>> pending(kWorkers);
  std::vector<std::string> stderr_tails;

  for (int round = 0; round < kRounds; ++round) {
    // Odd rounds write all but each upload's first MiB without the WAL and
    // flush before the commit: both paths meet the kill.
    const std::string wal =
        absl::StrCat("--unlogged_after_bytes=", round % 2 ? 1048576 : -1);
    ServerProcess server("junheng-archive", WithBackend(db, {wal}));
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << "round " << round << ": " << started << "\n"
                              << server.Stderr();
    {
      ArchiveClient check(Connect(server.address()));
      ExpectAckedListed(check, evidence, rec.attempts(), round);
    }
    std::atomic<bool> stop{false};
    std::atomic<bool> killing{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWorkers; ++t) {
      const uint64_t worker_seed = rng();
      threads.emplace_back([&, t, worker_seed] {
        Worker w(t, worker_seed, server.address(), evidence, rec, killing,
                 pending[t]);
        w.Run(stop);
      });
    }
    // Now and then right after start, mostly in the thick of it.
    const int wait_ms = rng() % 10 == 0 ? static_cast<int>(rng() % 100)
                                        : 200 + static_cast<int>(rng() % 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    killing = true;
    server.Kill();
    stop = true;
    for (auto& th : threads) th.join();
  }
  if (HasFailure()) return;

  ServerProcess server("junheng-archive", WithBackend(db, {}));
  ASSERT_TRUE(server.Start().ok()) << server.Stderr();
  ArchiveClient client(Connect(server.address()));
  const std::vector<UploadAttempt> attempts = rec.attempts();
  EXPECT_THAT(rec.unexpected(), ::testing::IsEmpty());

  std::map<std::string, int> by_filename;
  int acked = 0, unknown = 0, refused = 0, acked_multi_chunk = 0;
  for (int i = 0; i < static_cast<int>(attempts.size()); ++i) {
    by_filename[attempts[i].filename] = i;
    switch (attempts[i].outcome) {
      case Outcome::kAcked:
        ++acked;
        if (attempts[i].size > archive::kChunkSize &&
            !attempts[i].request_id.empty()) {
          ++acked_multi_chunk;
        }
        break;
      case Outcome::kUnknown:
        ++unknown;
        break;
      case Outcome::kRefused:
        ++refused;
        break;
    }
  }

  int64_t total_versions = 0, landed_unknown = 0, live_evidence = 0,
          existing_evidence = 0;
  std::set<std::string> expect_listed, expect_listed_live;
  std::map<std::string, std::set<std::string>> expect_by_code;
  for (int k = 0; k < kEvidence; ++k) {
    const EvidenceSpec& e = evidence[k];
    SCOPED_TRACE(e.name);
    std::vector<const UploadAttempt*> acked_here;
    for (const auto& a : attempts) {
      if (a.evidence == k && a.outcome == Outcome::kAcked) {
        acked_here.push_back(&a);
      }
    }
    auto info = client.GetEvidence(e.name);
    auto versions = client.ListAllVersions(e.name);
    if (!info.ok()) {
      EXPECT_EQ(info.status().code(), absl::StatusCode::kNotFound);
      EXPECT_THAT(acked_here, ::testing::IsEmpty());
      continue;
    }
    ASSERT_TRUE(versions.ok()) << versions.status();
    ++existing_evidence;
    // Metadata: every upload sent the same, or none.
    EXPECT_EQ(info->title(), e.title);
    EXPECT_THAT(info->indicator_codes(),
                ::testing::ElementsAreArray(e.indicators));
    EXPECT_EQ(info->school_year(), e.year);
    // Numbering: 1..N without gaps, N the count, the latest the last.
    ASSERT_EQ(static_cast<int64_t>(versions->size()), info->version_count());
    ASSERT_FALSE(versions->empty());
    for (size_t i = 0; i < versions->size(); ++i) {
      EXPECT_EQ((*versions)[i].version(), static_cast<int64_t>(i) + 1);
    }
    EXPECT_EQ(info->latest_version().version(), info->version_count());
    EXPECT_EQ(info->latest_version().sha256(), versions->back().sha256());
    total_versions += info->version_count();
    // Every visible version is one attempt that was acknowledged or whose
    // outcome is unknown, never one the server refused, and at most once.
    std::set<std::string> seen_files, seen_request_ids;
    for (const auto& v : *versions) {
      auto it = by_filename.find(v.filename());
      ASSERT_NE(it, by_filename.end())
          << "version " << v.version()
          << " is no upload any client sent: " << v.DebugString();
      const UploadAttempt& a = attempts[it->second];
      EXPECT_EQ(a.evidence, k) << v.filename();
      EXPECT_NE(a.outcome, Outcome::kRefused)
          << "a refused upload is visible: " << v.DebugString();
      EXPECT_TRUE(seen_files.insert(v.filename()).second)
          << "one upload landed twice: " << v.filename();
      if (!v.request_id().empty()) {
        EXPECT_TRUE(seen_request_ids.insert(v.request_id()).second)
            << "request id committed twice: " << v.request_id();
      }
      EXPECT_EQ(v.sha256(), a.sha256) << v.filename();
      EXPECT_EQ(v.size_bytes(), a.size) << v.filename();
      // The server records a missing content type as the generic one.
      EXPECT_EQ(v.content_type(), a.content_type.empty()
                                      ? "application/octet-stream"
                                      : a.content_type)
          << v.filename();
      EXPECT_EQ(v.request_id(), a.request_id) << v.filename();
      if (a.outcome == Outcome::kAcked) {
        EXPECT_EQ(v.version(), a.acked.version()) << v.filename();
        EXPECT_EQ(v.uploader(), a.acked.uploader()) << v.filename();
        EXPECT_EQ(v.create_time().seconds(), a.acked.create_time().seconds());
      } else {
        ++landed_unknown;
      }
      // The bytes themselves, streamed and hashed.
      auto got = DownloadSha(client, v.name());
      ASSERT_TRUE(got.ok()) << v.name() << ": " << got.status();
      EXPECT_EQ(got->second, a.sha256) << v.name();
    }
    for (const UploadAttempt* a : acked_here) {
      EXPECT_TRUE(seen_files.count(a->filename))
          << "acknowledged " << a->acked.name() << " (" << a->filename
          << ") is gone";
    }
    // The delete marker: what the acknowledged operations decided.
    const bool deleted = info->has_delete_time();
    EXPECT_THAT(rec.AllowedDeleted(k), ::testing::Contains(deleted))
        << "deleted=" << deleted;
    expect_listed.insert(e.name);
    if (!deleted) {
      ++live_evidence;
      expect_listed_live.insert(e.name);
      for (const auto& c : e.indicators) expect_by_code[c].insert(e.name);
    }
  }

  // The list indexes agree with the records.
  auto names = [&](v1::ListEvidenceRequest r) {
    std::set<std::string> out;
    auto listed = client.ListAllEvidence(std::move(r));
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const auto& e : *listed) out.insert(e.name());
    }
    return out;
  };
  std::set<std::string> all, live;
  std::map<std::string, std::set<std::string>> by_code;
  for (const char* county : {"counties/330106", "counties/330107"}) {
    v1::ListEvidenceRequest r;
    r.set_parent(county);
    r.set_page_size(3);
    for (const auto& n : names(r)) live.insert(n);
    r.set_show_deleted(true);
    for (const auto& n : names(r)) all.insert(n);
    for (const char* code : {"R4", "G11", "Q3", "R1", "G2"}) {
      v1::ListEvidenceRequest c;
      c.set_parent(county);
      c.set_indicator_code(code);
      for (const auto& n : names(c)) by_code[code].insert(n);
    }
  }
  EXPECT_EQ(all, expect_listed);
  EXPECT_EQ(live, expect_listed_live);
  for (const char* code : {"R4", "G11", "Q3", "R1", "G2"}) {
    EXPECT_EQ(by_code[code], expect_by_code[code]) << code;
  }
  for (int year : {2024, 2025}) {
    v1::ListEvidenceRequest r;
    r.set_parent("counties/330106");
    r.set_school_year(year);
    r.set_show_deleted(true);
    for (const auto& n : names(r)) {
      const std::string id = n.substr(n.rfind('-') + 1);
      int k = 0;
      ASSERT_TRUE(absl::SimpleAtoi(id, &k)) << n;
      EXPECT_EQ(evidence[k].year, year) << n;
    }
  }

  std::cout << "attempts " << attempts.size() << ": acked " << acked
            << " (multi-chunk with request id " << acked_multi_chunk
            << "), refused " << refused << ", unknown " << unknown
            << " (landed " << landed_unknown << "); versions " << total_versions
            << ", evidence " << existing_evidence << " (live " << live_evidence
            << ")" << std::endl;
  int delete_ops = 0;
  for (const auto& ops : rec.deletes()) {
    for (const auto& op : ops) delete_ops += op.outcome == Outcome::kAcked;
  }
  std::cout << "acknowledged delete/undelete answers: " << delete_ops
            << std::endl;
  // The load must have been heavy enough to prove something.
  // Floors, not targets: low enough for a sanitizer build on a busy
  // machine, high enough that the loop exercised something.
  EXPECT_GT(acked, 50);
  EXPECT_GT(acked_multi_chunk, 5);
  EXPECT_GT(delete_ops, 10);
  EXPECT_GT(unknown, 5) << "few operations were in flight at the kills";

  EXPECT_EQ(server.Stop(), 0);
  auto store = ::junheng::testing::ArchiveBackend::OpenStore(db);
  ASSERT_TRUE(store.ok()) << store.status();
  auto report = (*store)->CheckIntegrity();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(report->problems, ::testing::IsEmpty());
  EXPECT_EQ(report->versions, total_versions);
  EXPECT_EQ(report->evidence, existing_evidence);
}

}  // namespace
}  // namespace junheng
