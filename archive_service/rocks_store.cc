// ArchiveStore on RocksDB, and the ChunkStore on the same database (the
// default). The layout is in keys.h and FORMAT.md.
//
// Concurrency: chunk bytes are written outside any lock. mu_ serializes what
// must agree with the reference counts: staging decisions, commits, aborts,
// delete markers. Reference counts only ever grow (versions are never
// removed), so a chunk with a reference is permanent; only chunks with no
// reference and no upload in flight pinning them are ever deleted, and that
// decision and its delete are made under mu_.
#include <sys/statvfs.h>

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "archive_service/archive_store.h"
#include "archive_service/keys.h"
#include "common/grpc_status.h"
#include "common/mutex.h"
#include "common/rocks_audit.h"
#include "common/rocks_status.h"
#include "common/status_macros.h"
#include "junheng/internal/archive_records.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_batch.h"

namespace junheng::archive {
namespace {

using internal::ContentRecord;
using internal::EvidenceRecord;
using internal::FreezeRecord;
using internal::RequestRecord;
using internal::UploadSessionRecord;
using internal::VersionRecord;

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

// A remote store can still complete a PUT after the archive has given up on
// it: a request that timed out, or one a killed archive had fully sent. If
// it lands after the chunk's DELETE, the chunk is back with nothing to say
// it is garbage. So a remote chunk's staging entry is not removed when the
// chunk is deleted: it becomes a sweep entry holding when (u64 BE micros),
// every start-up deletes the chunk again, and the entry goes only once a
// late PUT can no longer land (FORMAT.md).
constexpr int64_t kLatePutGraceMicros = int64_t{60} * 60 * 1000 * 1000;

std::string SweptAt(int64_t now) {
  std::string value;
  PutU64BE(value, static_cast<uint64_t>(now));
  return value;
}

// A staging entry's value: empty for a chunk staged, SweptAt for a sweep.
bool IsSweepEntry(absl::string_view value) { return value.size() == 8; }

Sha256Digest DigestFrom(absl::string_view raw) {
  Sha256Digest d{};
  if (raw.size() == d.size()) std::copy(raw.begin(), raw.end(), d.begin());
  return d;
}

VersionInfo FromRecord(int64_t version, const VersionRecord& r) {
  VersionInfo v;
  v.version = version;
  v.sha256 = DigestFrom(r.sha256());
  v.size_bytes = r.size_bytes();
  v.content_type = r.content_type();
  v.filename = r.filename();
  v.create_time_us = r.create_time_us();
  v.uploader = r.uploader();
  v.request_id = r.request_id();
  return v;
}

// Every write to the database goes through one guard: refused while the
// disk is below its reserve or after a failed write, and a failure is
// remembered. Shared by the metadata and the chunk store.
class WriteGuard {
 public:
  WriteGuard(std::string dir, int64_t min_free_bytes)
      : dir_(std::move(dir)), min_free_bytes_(min_free_bytes) {}

  absl::Status Mutate(absl::string_view doing,
                      const std::function<rocksdb::Status()>& op,
                      bool check_reserve = true);
  absl::Status WriteAllowed();

 private:
  const std::string dir_;
  const int64_t min_free_bytes_;
  Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

// Chunks in the `chunks` column family (integrated BlobDB). Plain puts go
// through the write-ahead log that the metadata store's commit syncs; bulk
// puts skip it and Sync(true) flushes them to their files instead.
class RocksChunkStore final : public ChunkStore {
 public:
  RocksChunkStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                  WriteGuard& guard)
      : db_(db), cf_(cf), guard_(guard) {}

  std::string Describe() const override { return "RocksDB"; }
  bool IsRemote() const override { return false; }
  int Parallelism() const override { return 1; }
  int64_t ChunkSize() const override { return kChunkSize; }

  absl::Status Put(const Sha256Digest& sha256, absl::string_view bytes,
                   bool bulk) override {
    rocksdb::WriteOptions options;
    // The bulk of a large upload skips the WAL, which would write every
    // byte a second time (with a software CRC in Debian's RocksDB build).
    options.disableWAL = bulk;
    return guard_.Mutate("storing an upload chunk", [&] {
      return db_->Put(options, cf_, ToSlice(AsBytes(sha256)), ToSlice(bytes));
    });
  }

  absl::StatusOr<std::string> Get(const Sha256Digest& sha256) override {
    // RocksDB checks its CRC of the blob record (and of the blocks on the
    // way to it) on this read: a damaged disk sector is an error here, not
    // bytes handed on (RELIABILITY.md, "Verifying downloads").
    return Read(sha256, /*verify_checksums=*/true);
  }

  absl::StatusOr<std::string> GetUnchecked(
      const Sha256Digest& sha256) override {
    // The caller checks the bytes against the chunk's CRC-32C: RocksDB's
    // own check, in software on Debian's portable build, would be the same
    // CRC computed again at a fifth of the speed.
    return Read(sha256, /*verify_checksums=*/false);
  }

  absl::Status Delete(const Sha256Digest& sha256) override {
    return guard_.Mutate(
        "removing an unreferenced chunk",
        [&] {
          return db_->Delete(rocksdb::WriteOptions(), cf_,
                             ToSlice(AsBytes(sha256)));
        },
        false);
  }

  absl::Status Sync(bool after_bulk) override {
    if (!after_bulk) return absl::OkStatus();  // the commit syncs the WAL
    // A memtable flush syncs the WALs closed before it, so a bulk chunk
    // that reaches disk always has its staging entry there too, and
    // start-up recovery can remove it if no commit follows.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    flush.allow_write_stall = true;
    return guard_.Mutate("making a large upload's chunks durable",
                         [&] { return db_->Flush(flush, cf_); });
  }

  // Freezes are enforced by the metadata store, which refuses to delete a
  // referenced chunk in the first place.
  absl::Status Retain(const Sha256Digest&, int64_t) override {
    return absl::OkStatus();
  }

  absl::Status ForEach(
      const std::function<bool(const Sha256Digest&)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!fn(DigestFrom(View(it->key())))) break;
    }
    return FromRocks(it->status(), "listing chunks");
  }

 private:
  absl::StatusOr<std::string> Read(const Sha256Digest& sha256,
                                   bool verify_checksums) {
    rocksdb::ReadOptions options;
    options.verify_checksums = verify_checksums;
    std::string bytes;
    rocksdb::Status s =
        db_->Get(options, cf_, ToSlice(AsBytes(sha256)), &bytes);
    if (s.IsNotFound()) {
      return absl::NotFoundError(
          absl::StrCat("stored chunk ", ToHex(sha256), " is missing"));
    }
    if (s.IsCorruption()) {
      return absl::DataLossError(absl::StrCat(
          "stored chunk ", ToHex(sha256),
          " failed RocksDB's checksum; the archive's disk corrupted it"));
    }
    RETURN_IF_ERROR(FromRocks(s, "reading a chunk"));
    return bytes;
  }

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const cf_;
  WriteGuard& guard_;
};

UploadSessionRecord ToRecord(const UploadSession& s) {
  UploadSessionRecord r;
  const CommitRequest& u = s.upload;
  r.set_evidence_key(EvidenceKey(u.name));
  r.set_upload_id(u.upload_id);
  r.set_title(u.metadata.title);
  for (const std::string& code : u.metadata.indicator_codes) {
    r.add_indicator_codes(code);
  }
  r.set_school_year(u.metadata.school_year);
  r.set_content_type(u.content_type);
  r.set_filename(u.filename);
  r.set_has_declared_size(s.declared_size.has_value());
  r.set_declared_size(s.declared_size.value_or(0));
  if (s.declared_sha256) {
    r.set_declared_sha256(std::string(AsBytes(*s.declared_sha256)));
  }
  r.set_uploader(u.uploader.principal);
  r.set_uploader_token_id(u.uploader.token_id);
  r.set_chunk_size(u.chunk_size);
  for (const Sha256Digest& d : u.chunks) {
    r.add_chunk_sha256(std::string(AsBytes(d)));
  }
  for (uint32_t crc : u.chunk_crc32c) r.add_chunk_crc32c(crc);
  r.set_committed_bytes(s.committed_bytes);
  r.set_create_time_us(s.create_time_us);
  r.set_update_time_us(s.update_time_us);
  r.set_expire_time_us(s.expire_time_us);
  return r;
}

std::optional<UploadSession> FromRecord(const std::string& request_id,
                                        const UploadSessionRecord& r) {
  std::optional<EvidenceName> name = DecodeEvidenceKey(r.evidence_key());
  if (!name || r.chunk_size() <= 0 ||
      r.chunk_crc32c_size() != r.chunk_sha256_size() ||
      r.committed_bytes() != r.chunk_size() * r.chunk_sha256_size() ||
      (!r.declared_sha256().empty() && r.declared_sha256().size() != 32)) {
    return std::nullopt;
  }
  UploadSession s;
  CommitRequest& u = s.upload;
  u.name = *name;
  u.upload_id = r.upload_id();
  u.metadata.title = r.title();
  u.metadata.indicator_codes.assign(r.indicator_codes().begin(),
                                    r.indicator_codes().end());
  u.metadata.school_year = r.school_year();
  u.content_type = r.content_type();
  u.filename = r.filename();
  u.uploader = {r.uploader(), r.uploader_token_id()};
  u.request_id = request_id;
  u.resumable = true;
  u.chunk_size = r.chunk_size();
  for (const std::string& c : r.chunk_sha256())
    u.chunks.push_back(DigestFrom(c));
  u.chunk_crc32c.assign(r.chunk_crc32c().begin(), r.chunk_crc32c().end());
  if (r.has_declared_size()) s.declared_size = r.declared_size();
  if (!r.declared_sha256().empty()) {
    s.declared_sha256 = DigestFrom(r.declared_sha256());
  }
  s.committed_bytes = r.committed_bytes();
  s.create_time_us = r.create_time_us();
  s.update_time_us = r.update_time_us();
  s.expire_time_us = r.expire_time_us();
  return s;
}

std::string FormatMicros(int64_t us) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMicros(us),
                          absl::UTCTimeZone());
}

class RocksArchiveStore final : public ArchiveStore {
 public:
  RocksArchiveStore(std::string dir, std::unique_ptr<rocksdb::DB> db,
                    std::vector<rocksdb::ColumnFamilyHandle*> handles,
                    StoreOptions options, std::unique_ptr<ChunkStore> chunks)
      : dir_(std::move(dir)),
        db_(std::move(db)),
        cf_(std::move(handles)),
        options_(options),
        guard_(dir_, options.min_free_bytes),
        chunks_(chunks != nullptr ? std::move(chunks)
                                  : std::make_unique<RocksChunkStore>(
                                        db_.get(), cf_[kChunksCf], guard_)) {}

  ~RocksArchiveStore() override {
    chunks_.reset();
    for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  absl::Status Recover() ABSL_LOCKS_EXCLUDED(mu_);

  uint64_t NewUploadId() override { return next_upload_id_.fetch_add(1); }

  absl::Status StageChunk(uint64_t upload_id, const Sha256Digest& sha256,
                          absl::string_view bytes) override;
  void AbortUpload(uint64_t upload_id) override;
  absl::StatusOr<CommitResult> CommitVersion(
      const CommitRequest& request) override;
  absl::StatusOr<std::optional<RequestInfo>> LookupRequest(
      const std::string& request_id) override;
  absl::StatusOr<std::optional<UploadSession>> GetUploadSession(
      const std::string& request_id) override;
  absl::Status SaveUploadSession(const UploadSession& session) override;
  absl::Status DeleteUploadSession(const std::string& request_id) override;
  absl::StatusOr<std::vector<SessionExpiry>> ListUploadSessions() override;
  absl::StatusOr<EvidenceInfo> GetEvidence(const EvidenceName& name) override;
  absl::StatusOr<VersionInfo> GetVersion(const EvidenceName& name,
                                         int64_t version) override;
  absl::StatusOr<std::vector<VersionInfo>> ListVersions(
      const EvidenceName& name, int64_t after, int limit) override;
  absl::StatusOr<ListPage> ListEvidence(const ListQuery& query) override;
  absl::StatusOr<Content> GetContent(const Sha256Digest& sha256) override;
  absl::StatusOr<std::string> ReadChunk(const Sha256Digest& sha256) override;
  ChunkStore& chunks() override { return *chunks_; }
  absl::StatusOr<EvidenceInfo> SetDeleted(const EvidenceName& name,
                                          bool deleted,
                                          const Actor& actor) override;
  absl::StatusOr<FreezeInfo> Freeze(const Parent& place, int64_t until_us,
                                    const std::string& reason,
                                    const Actor& actor) override;
  absl::StatusOr<std::optional<FreezeInfo>> FreezeOf(
      const Parent& parent) override;
  absl::Status RecordRead(const Actor& actor, const AuditEvent& event) override;
  absl::Status ScanAudit(
      int64_t from,
      const std::function<bool(const v1::AuditEntry&)>& fn) override;
  absl::StatusOr<IntegrityReport> CheckIntegrity() override;

 private:
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily c) const { return cf_[c]; }

  // Reads `key` of `c` into `out`; false if absent.
  absl::StatusOr<bool> Get(ColumnFamily c, absl::string_view key,
                           std::string* out);
  template <typename Proto>
  absl::StatusOr<bool> GetProto(ColumnFamily c, absl::string_view key,
                                Proto* out);
  absl::StatusOr<uint64_t> GetRef(absl::string_view chunk);
  absl::StatusOr<std::optional<FreezeInfo>> LoadFreeze(const Parent& place);
  // FAILED_PRECONDITION if evidence `name` is under a freeze in force.
  // Freeze records only ever extend, so a check under mu_ holds for the
  // change it guards (Freeze() writes under mu_ too).
  absl::Status CheckNotFrozen(const EvidenceName& name, int64_t now,
                              absl::string_view what);
  absl::StatusOr<EvidenceInfo> LoadEvidence(const EvidenceName& name,
                                            const EvidenceRecord& record);
  absl::Status Write(rocksdb::WriteBatch& batch, bool sync,
                     absl::string_view doing);
  absl::Status Mutate(absl::string_view doing,
                      const std::function<rocksdb::Status()>& op,
                      bool check_reserve = true) {
    return guard_.Mutate(doing, op, check_reserve);
  }
  // Makes every write so far durable. Changes are written under mu_
  // without a sync and synced here, after mu_ is released: the WAL is
  // sequential, so a change acknowledged after its sync has every change
  // it depended on durable too, and no lock waits on the disk.
  absl::Status SyncLog(absl::string_view doing);

  // Deletes the chunks the upload staged that nothing else needs (`keep`
  // chunks are needed) and adds the removal of all its staging entries to
  // `batch`. Under mu_, so no other upload stages one of them meanwhile;
  // the chunks go first, so a crash in between leaves staging entries that
  // start-up recovery finishes.
  absl::Status ReleaseLocked(uint64_t upload_id,
                             const absl::flat_hash_set<std::string>& keep,
                             rocksdb::WriteBatch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the upload's pins; call once its release batch is written (or
  // abandoned to start-up recovery).
  void ForgetUploadLocked(uint64_t upload_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the next link of the audit chain to `batch` and writes it (not
  // synced). audit_mu_ is held only for this, so a download's entry never
  // waits for another upload's reads under mu_.
  absl::Status WriteWithAudit(rocksdb::WriteBatch& batch, const Actor& actor,
                              const AuditEvent& event, int64_t now,
                              absl::string_view doing, bool check_reserve)
      ABSL_LOCKS_EXCLUDED(audit_mu_);

  const std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
  const StoreOptions options_;
  WriteGuard guard_;
  std::unique_ptr<ChunkStore> chunks_;
  std::atomic<uint64_t> next_upload_id_{1};

  Mutex mu_;
  // Orders the audit chain: taken after mu_ by changes, alone by reads.
  Mutex audit_mu_ ABSL_ACQUIRED_AFTER(mu_);
  AuditChain audit_ ABSL_GUARDED_BY(audit_mu_);
  // Chunk digest (raw) -> number of uploads in flight that staged it.
  absl::flat_hash_map<std::string, int> pins_ ABSL_GUARDED_BY(mu_);
  struct Staged {
    // Raw digests of the chunks with a staging entry (or one being
    // written): what a release deletes.
    absl::flat_hash_set<std::string> chunks;
    // Those of them whose write has not succeeded (yet). Staged again when
    // they come again: a resumed upload must not take a chunk whose write
    // failed in an earlier stream for stored.
    absl::flat_hash_set<std::string> unconfirmed;
    int64_t bytes = 0;
    // Some chunk was a bulk put: sync the chunk store before committing.
    bool bulk = false;
  };
  absl::flat_hash_map<uint64_t, Staged> staged_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<bool> RocksArchiveStore::Get(ColumnFamily c,
                                            absl::string_view key,
                                            std::string* out) {
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(c), ToSlice(key), out);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("reading ", kColumnFamilies[c])));
  return true;
}

template <typename Proto>
absl::StatusOr<bool> RocksArchiveStore::GetProto(ColumnFamily c,
                                                 absl::string_view key,
                                                 Proto* out) {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Get(c, key, &value));
  if (!found) return false;
  if (!out->ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat(
        "unreadable record in column family ", kColumnFamilies[c]));
  }
  return true;
}

absl::StatusOr<uint64_t> RocksArchiveStore::GetRef(absl::string_view chunk) {
  std::string value;
  ASSIGN_OR_RETURN(bool found, Get(kChunkRefsCf, chunk, &value));
  if (!found) return 0;
  if (value.size() != 8) return absl::DataLossError("bad chunk refcount");
  return GetU64BE(value);
}

absl::Status WriteGuard::WriteAllowed() {
  {
    MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
  }
  struct statvfs fs;
  if (min_free_bytes_ > 0 && ::statvfs(dir_.c_str(), &fs) == 0) {
    const int64_t free_bytes =
        static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    if (free_bytes < min_free_bytes_) {
      absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
          "the archive's disk is full: ", free_bytes >> 20,
          " MiB free, below the reserve of ", min_free_bytes_ >> 20,
          " MiB (--min_free_bytes); stored evidence stays readable, and "
          "uploads resume once space is freed"));
      SetRetryDelay(full, absl::Seconds(30));
      return full;
    }
  }
  return absl::OkStatus();
}

absl::Status RocksArchiveStore::SyncLog(absl::string_view doing) {
  return Mutate(
      doing, [&] { return db_->SyncWAL(); }, false);
}

absl::Status WriteGuard::Mutate(absl::string_view doing,
                                const std::function<rocksdb::Status()>& op,
                                bool check_reserve) {
  if (check_reserve) {
    RETURN_IF_ERROR(WriteAllowed());
  } else {
    MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
  }
  const rocksdb::Status s = op();
  if (s.ok()) return absl::OkStatus();
  absl::Status mapped = FromRocks(s, doing);
  // Debian's RocksDB 7.8 asserts if a file writer is used again after an
  // I/O error, so after one the store takes no more writes until restarted;
  // reads go on.
  if (s.IsIOError() || s.IsNoSpace()) {
    MutexLock lock(&mu_);
    if (failure_.ok()) {
      std::fprintf(stderr,
                   "junheng-archive: storage write failed (%s); refusing "
                   "writes until restarted, reads continue\n",
                   s.ToString().c_str());
      failure_ = mapped;
    }
  }
  return mapped;
}

absl::Status RocksArchiveStore::Write(rocksdb::WriteBatch& batch, bool sync,
                                      absl::string_view doing) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return Mutate(doing, [&] { return db_->Write(options, &batch); });
}

absl::Status RocksArchiveStore::Recover() {
  MutexLock lock(&mu_);
  std::string format;
  ASSIGN_OR_RETURN(bool has_format,
                   Get(kDefaultCf, kFormatVersionKey, &format));
  rocksdb::WriteBatch batch;
  if (!has_format || format == kUpgradableFormat) {
    // A format-2 directory has no sessions: its upload_sessions family was
    // just created empty, so upgrading is only recording the version.
    batch.Put(cf(kDefaultCf), kFormatVersionKey, kFormatVersion);
  } else if (format != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data directory holds archive format ", Excerpt(format, 20),
        "; this junheng-archive reads formats ", kUpgradableFormat, " and ",
        kFormatVersion, " (archive_service/FORMAT.md)"));
  }
  const int64_t now = NowMicros();
  // Upload ids are not persisted: the next one is past every id that still
  // has anything stored, so a new upload never shares a live session's.
  uint64_t max_upload_id = 0;
  // Live upload sessions keep the chunks they list; expired and unreadable
  // ones go, their chunks with the leftovers below.
  absl::flat_hash_map<uint64_t, absl::flat_hash_set<std::string>> live;
  int64_t expired = 0;
  int64_t resumable = 0;
  std::unique_ptr<rocksdb::Iterator> sessions(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kUploadSessionsCf)));
  for (sessions->SeekToFirst(); sessions->Valid(); sessions->Next()) {
    UploadSessionRecord r;
    const std::string request_id(View(sessions->key()));
    const bool readable =
        r.ParseFromArray(sessions->value().data(), sessions->value().size()) &&
        FromRecord(request_id, r).has_value();
    if (!readable || r.expire_time_us() <= now) {
      if (!readable) {
        std::fprintf(stderr,
                     "junheng-archive: the upload session of request id %s "
                     "is unreadable; discarding it\n",
                     Excerpt(request_id, 130).c_str());
      }
      batch.Delete(cf(kUploadSessionsCf), sessions->key());
      ++expired;
      continue;
    }
    ++resumable;
    max_upload_id = std::max(max_upload_id, r.upload_id());
    Staged& staged = staged_[r.upload_id()];
    staged.bytes = r.committed_bytes();
    for (const std::string& chunk : r.chunk_sha256()) {
      if (staged.chunks.insert(chunk).second) ++pins_[chunk];
      live[r.upload_id()].insert(chunk);
    }
  }
  RETURN_IF_ERROR(FromRocks(sessions->status(), "scanning upload sessions"));
  // Uploads that were in flight at a crash: drop their unreferenced chunks
  // that no live session holds, then their staging entries. A chunk the
  // chunk store cannot delete now (a remote store that is down) keeps its
  // entry for the next start. A session's staging entry for a chunk its
  // record does not list is a leftover too: that chunk was written after
  // the record, and may not have reached the disk.
  int64_t dropped = 0;
  absl::Status undeleted;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kStagingCf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t upload_id = UploadOfStagingKey(View(it->key()));
    max_upload_id = std::max(max_upload_id, upload_id);
    std::string chunk(ChunkOfStagingKey(View(it->key())));
    if (auto session = live.find(upload_id);
        session != live.end() && session->second.contains(chunk)) {
      continue;
    }
    ASSIGN_OR_RETURN(uint64_t refs, GetRef(chunk));
    if (refs == 0 && !pins_.contains(chunk)) {
      if (absl::Status d = chunks_->Delete(DigestFrom(chunk)); !d.ok()) {
        undeleted = d;
        continue;
      }
      const bool sweeping = IsSweepEntry(View(it->value()));
      if (!sweeping) ++dropped;
      if (chunks_->IsRemote()) {
        if (!sweeping) {
          batch.Put(cf(kStagingCf), it->key(), SweptAt(now));
          continue;
        }
        if (now - static_cast<int64_t>(GetU64BE(View(it->value()))) <
            kLatePutGraceMicros) {
          continue;
        }
      }
    }
    batch.Delete(cf(kStagingCf), it->key());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning staged chunks"));
  next_upload_id_ = max_upload_id + 1;
  if (!undeleted.ok()) {
    std::fprintf(stderr,
                 "junheng-archive: chunks of uploads interrupted by a crash "
                 "stay until the next start: %s\n",
                 undeleted.ToString().c_str());
  }
  // Directly, not through Mutate: the disk reserve must not stop start-up.
  rocksdb::WriteOptions sync;
  sync.sync = true;
  RETURN_IF_ERROR(
      FromRocks(db_->Write(sync, &batch), "recovering interrupted uploads"));
  if (dropped > 0 || expired > 0) {
    std::fprintf(stderr,
                 "junheng-archive: removed %lld chunks of uploads that never "
                 "committed (a crash, a chunk store that was down, or %lld "
                 "expired upload sessions)\n",
                 static_cast<long long>(dropped),
                 static_cast<long long>(expired));
  }
  if (resumable > 0) {
    std::fprintf(stderr,
                 "junheng-archive: %lld upload sessions can be resumed\n",
                 static_cast<long long>(resumable));
  }
  MutexLock audit_lock(&audit_mu_);
  return RestoreAuditChain(*db_, cf(kAuditCf), audit_);
}

absl::Status RocksArchiveStore::StageChunk(uint64_t upload_id,
                                           const Sha256Digest& sha256,
                                           absl::string_view bytes) {
  const std::string key(AsBytes(sha256));
  // Read outside mu_: reference counts only grow, so a count seen here stays
  // true, and a chunk committed meanwhile is merely staged again (the same
  // bytes; releasing it re-checks its count under mu_).
  ASSIGN_OR_RETURN(uint64_t refs, GetRef(key));
  if (refs > 0) return absl::OkStatus();  // committed chunks are permanent
  bool bulk = false;
  {
    MutexLock lock(&mu_);
    auto& mine = staged_[upload_id];
    if (mine.chunks.contains(key) && !mine.unconfirmed.contains(key)) {
      return absl::OkStatus();
    }
    if (mine.chunks.insert(key).second) {
      ++pins_[key];
      mine.bytes += static_cast<int64_t>(bytes.size());
    }
    mine.unconfirmed.insert(key);
    bulk = options_.unlogged_after_bytes >= 0 &&
           mine.bytes > options_.unlogged_after_bytes;
    mine.bulk |= bulk;
  }
  // The staging entry goes first, so that a chunk that reaches storage
  // always has its entry and start-up recovery can remove it if no commit
  // follows: in the same WAL before the chunk's own record (or the flush
  // that makes a bulk chunk durable), or synced before a remote store's
  // put, which is durable on its own. Another upload may be writing the
  // same chunk right now: both write the same bytes, and the pin keeps
  // either abort from deleting it.
  rocksdb::WriteBatch staging;
  staging.Put(cf(kStagingCf), StagingKey(upload_id, sha256), "");
  RETURN_IF_ERROR(
      Write(staging, chunks_->IsRemote(), "storing an upload chunk"));
  RETURN_IF_ERROR(chunks_->Put(sha256, bytes, bulk));
  // Another write of the same chunk by this upload may still fail: it
  // changes nothing, this one stored the bytes.
  MutexLock lock(&mu_);
  if (auto it = staged_.find(upload_id); it != staged_.end()) {
    it->second.unconfirmed.erase(key);
  }
  return absl::OkStatus();
}

absl::Status RocksArchiveStore::ReleaseLocked(
    uint64_t upload_id, const absl::flat_hash_set<std::string>& keep,
    rocksdb::WriteBatch& batch) {
  auto it = staged_.find(upload_id);
  if (it == staged_.end()) return absl::OkStatus();
  absl::flat_hash_set<std::string> deleted;
  for (const std::string& chunk : it->second.chunks) {
    if (pins_[chunk] > 1 || keep.contains(chunk)) continue;
    ASSIGN_OR_RETURN(uint64_t refs, GetRef(chunk));
    if (refs == 0) {
      RETURN_IF_ERROR(chunks_->Delete(DigestFrom(chunk)));
      deleted.insert(chunk);
    }
  }
  const int64_t now = NowMicros();
  for (const std::string& chunk : it->second.chunks) {
    const std::string key = StagingKey(upload_id, DigestFrom(chunk));
    if (chunks_->IsRemote() && deleted.contains(chunk)) {
      batch.Put(cf(kStagingCf), key, SweptAt(now));
    } else {
      batch.Delete(cf(kStagingCf), key);
    }
  }
  return absl::OkStatus();
}

void RocksArchiveStore::ForgetUploadLocked(uint64_t upload_id) {
  auto it = staged_.find(upload_id);
  if (it == staged_.end()) return;
  for (const std::string& chunk : it->second.chunks) {
    auto pin = pins_.find(chunk);
    if (--pin->second == 0) pins_.erase(pin);
  }
  staged_.erase(it);
}

void RocksArchiveStore::AbortUpload(uint64_t upload_id) {
  MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  // On failure the staging entries stay and the next start-up removes them.
  if (ReleaseLocked(upload_id, {}, batch).ok()) {
    Write(batch, false, "discarding an aborted upload").IgnoreError();
  }
  ForgetUploadLocked(upload_id);
}

absl::Status RocksArchiveStore::WriteWithAudit(
    rocksdb::WriteBatch& batch, const Actor& actor, const AuditEvent& event,
    int64_t now, absl::string_view doing, bool check_reserve) {
  MutexLock lock(&audit_mu_);
  const v1::AuditEntry entry = audit_.Next(actor, event, now);
  PutAuditEntry(batch, cf(kAuditCf), entry);
  RETURN_IF_ERROR(Mutate(
      doing, [&] { return db_->Write(rocksdb::WriteOptions(), &batch); },
      check_reserve));
  audit_.Advance(entry);
  return absl::OkStatus();
}

absl::Status RocksArchiveStore::RecordRead(const Actor& actor,
                                           const AuditEvent& event) {
  rocksdb::WriteBatch batch;
  // Not refused by the free-space reserve: stored evidence stays readable
  // on a full disk, and an entry is small.
  return WriteWithAudit(batch, actor, event, NowMicros(),
                        "recording a read in the audit log", false);
}

absl::Status RocksArchiveStore::ScanAudit(
    int64_t from, const std::function<bool(const v1::AuditEntry&)>& fn) {
  return ScanAuditLog(*db_, cf(kAuditCf), from, fn);
}

absl::StatusOr<std::optional<RequestInfo>> RocksArchiveStore::LookupRequest(
    const std::string& request_id) {
  RequestRecord request;
  ASSIGN_OR_RETURN(bool found, GetProto(kRequestsCf, request_id, &request));
  if (!found) return std::nullopt;
  return RequestInfo{DecodeEvidenceKey(request.evidence_key()),
                     request.version()};
}

absl::StatusOr<std::optional<UploadSession>>
RocksArchiveStore::GetUploadSession(const std::string& request_id) {
  UploadSessionRecord r;
  ASSIGN_OR_RETURN(bool found, GetProto(kUploadSessionsCf, request_id, &r));
  if (!found) return std::nullopt;
  std::optional<UploadSession> session = FromRecord(request_id, r);
  if (!session) {
    return absl::DataLossError(absl::StrCat("the upload session of request id ",
                                            Excerpt(request_id, 130),
                                            " is unreadable"));
  }
  return session;
}

absl::Status RocksArchiveStore::SaveUploadSession(
    const UploadSession& session) {
  bool bulk = false;
  {
    MutexLock lock(&mu_);
    auto it = staged_.find(session.upload.upload_id);
    bulk = it != staged_.end() && it->second.bulk;
  }
  // The chunks first, as for a commit: a record on disk never lists a
  // chunk that is not.
  RETURN_IF_ERROR(chunks_->Sync(bulk));
  rocksdb::WriteBatch batch;
  batch.Put(cf(kUploadSessionsCf), session.upload.request_id,
            ToRecord(session).SerializeAsString());
  // Synced on its own, outside mu_: what GetUploadSession shows must be
  // durable, and no lock waits on the disk. The application lets one
  // caller at a time work on a session, so nothing else writes this key.
  // Not refused by the disk reserve: the record is small, and losing it
  // would throw away every byte the session holds.
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return Mutate(
      "recording an upload session", [&] { return db_->Write(sync, &batch); },
      false);
}

absl::Status RocksArchiveStore::DeleteUploadSession(
    const std::string& request_id) {
  absl::StatusOr<std::optional<UploadSession>> session =
      GetUploadSession(request_id);
  // An unreadable record still goes; the chunks it held are then found
  // at the next start, as leftovers.
  if (!session.ok() && !absl::IsDataLoss(session.status())) {
    return session.status();
  }
  if (session.ok() && !session->has_value()) return absl::OkStatus();
  // The record first: once it is gone, start-up takes the staging entries
  // for leftovers, so a crash before the chunks go loses nothing. The other
  // way round a crash could leave a session whose chunks are missing.
  rocksdb::WriteBatch batch;
  batch.Delete(cf(kUploadSessionsCf), request_id);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  RETURN_IF_ERROR(Mutate(
      "removing an upload session", [&] { return db_->Write(sync, &batch); },
      false));
  if (session.ok()) AbortUpload((*session)->upload.upload_id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ArchiveStore::SessionExpiry>>
RocksArchiveStore::ListUploadSessions() {
  std::vector<SessionExpiry> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kUploadSessionsCf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    UploadSessionRecord r;
    // An unreadable record is listed as expired: the sweep removes it.
    const bool readable =
        r.ParseFromArray(it->value().data(), it->value().size());
    out.push_back({std::string(View(it->key())),
                   readable ? r.expire_time_us() : int64_t{0}});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing upload sessions"));
  return out;
}

absl::StatusOr<CommitResult> RocksArchiveStore::CommitVersion(
    const CommitRequest& req) {
  bool bulk = false;
  {
    MutexLock lock(&mu_);
    auto it = staged_.find(req.upload_id);
    bulk = it != staged_.end() && it->second.bulk;
  }
  // Outside mu_: other uploads keep staging and committing meanwhile.
  RETURN_IF_ERROR(chunks_->Sync(bulk));
  // mu_ orders the commit (reference counts, version numbers, the audit
  // chain) but is released before the disk sync; see SyncLog().
  ReleasableMutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  const int64_t now = NowMicros();
  const std::string ekey = EvidenceKey(req.name);

  if (!req.request_id.empty()) {
    ASSIGN_OR_RETURN(auto previous, LookupRequest(req.request_id));
    if (previous.has_value()) {
      if (!previous->name.has_value() || *previous->name != req.name) {
        return absl::AlreadyExistsError(absl::StrCat(
            "request id ", req.request_id, " committed a version of ",
            previous->name ? previous->name->ToString() : "other evidence"));
      }
      ASSIGN_OR_RETURN(VersionInfo version,
                       GetVersion(req.name, previous->version));
      RETURN_IF_ERROR(ReleaseLocked(req.upload_id, {}, batch));
      if (req.resumable) {
        batch.Delete(cf(kUploadSessionsCf), req.request_id);
      }
      RETURN_IF_ERROR(Write(batch, false, "discarding a repeated upload"));
      ForgetUploadLocked(req.upload_id);
      lock.Release();
      // The first commit may not be synced yet.
      RETURN_IF_ERROR(SyncLog("committing a version"));
      return CommitResult{version, true};
    }
  }

  RETURN_IF_ERROR(CheckNotFrozen(req.name, now, "cannot get a new version"));
  EvidenceRecord evidence;
  ASSIGN_OR_RETURN(bool exists, GetProto(kEvidenceCf, ekey, &evidence));
  if (exists && evidence.delete_time_us() != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(req.name.ToString(),
                     " is deleted; undelete it before adding a version"));
  }
  if (!exists) {
    // The application checks this with field violations before the upload
    // (archive.cc); evidence never disappears, so this only guards misuse.
    if (req.metadata.title.empty() || req.metadata.indicator_codes.empty() ||
        req.metadata.school_year == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(req.name.ToString(),
                       " does not exist yet; its first version needs a "
                       "title, indicator codes and a school year"));
    }
    evidence.set_create_time_us(now);
  }

  // Metadata: a non-empty field replaces the current value; the indicator
  // index follows the codes.
  if (!req.metadata.title.empty()) evidence.set_title(req.metadata.title);
  if (req.metadata.school_year != 0) {
    evidence.set_school_year(req.metadata.school_year);
  }
  if (!req.metadata.indicator_codes.empty()) {
    for (const std::string& code : evidence.indicator_codes()) {
      batch.Delete(cf(kIndicatorsCf), IndicatorKey(code, ekey));
    }
    std::set<std::string> codes(req.metadata.indicator_codes.begin(),
                                req.metadata.indicator_codes.end());
    evidence.clear_indicator_codes();
    for (const std::string& code : codes) {
      evidence.add_indicator_codes(code);
      batch.Put(cf(kIndicatorsCf), IndicatorKey(code, ekey), "");
    }
  }
  const int64_t version = evidence.version_count() + 1;
  evidence.set_version_count(version);
  evidence.set_update_time_us(now);

  // Content: shared by every version with the same bytes.
  const std::string content_key(AsBytes(req.sha256));
  ContentRecord content;
  ASSIGN_OR_RETURN(bool have_content,
                   GetProto(kContentsCf, content_key, &content));
  absl::flat_hash_set<std::string> referenced;
  if (have_content) {
    if (content.size_bytes() != req.size_bytes) {
      return absl::DataLossError(
          "stored content with this SHA-256 has a different size");
    }
  } else {
    content.set_size_bytes(req.size_bytes);
    content.set_chunk_size(req.chunk_size);
    if (req.chunk_crc32c.size() == req.chunks.size()) {
      for (uint32_t crc : req.chunk_crc32c) content.add_chunk_crc32c(crc);
    }
    const Staged& mine = staged_[req.upload_id];
    for (const Sha256Digest& d : req.chunks) {
      std::string chunk(AsBytes(d));
      content.add_chunk_sha256(chunk);
      if (!referenced.insert(chunk).second) continue;
      ASSIGN_OR_RETURN(uint64_t refs, GetRef(chunk));
      if (refs == 0 &&
          (!mine.chunks.contains(chunk) || mine.unconfirmed.contains(chunk))) {
        return absl::InternalError(
            "an upload chunk was not stored before commit");
      }
      batch.Put(cf(kChunkRefsCf), chunk, U64Key(refs + 1));
    }
  }
  content.set_refcount(content.refcount() + 1);
  batch.Put(cf(kContentsCf), content_key, content.SerializeAsString());

  VersionRecord record;
  record.set_sha256(content_key);
  record.set_size_bytes(req.size_bytes);
  record.set_content_type(req.content_type);
  record.set_filename(req.filename);
  record.set_create_time_us(now);
  record.set_uploader(req.uploader.principal);
  record.set_request_id(req.request_id);
  batch.Put(cf(kVersionsCf), VersionKeyFromEvidenceKey(ekey, version),
            record.SerializeAsString());
  batch.Put(cf(kEvidenceCf), ekey, evidence.SerializeAsString());
  if (!req.request_id.empty()) {
    RequestRecord request;
    request.set_evidence_key(ekey);
    request.set_version(version);
    batch.Put(cf(kRequestsCf), req.request_id, request.SerializeAsString());
  }
  // A resumable upload's session ends with its commit, atomically: never a
  // version and a session that would resume it, never neither.
  if (req.resumable) batch.Delete(cf(kUploadSessionsCf), req.request_id);
  CommitResult result{FromRecord(version, record), false};
  const std::string version_name = VersionName{req.name, version}.ToString();
  // Staged chunks this version now references stay; the rest (the content
  // was already stored) go, unless another upload still pins them.
  RETURN_IF_ERROR(ReleaseLocked(req.upload_id, referenced, batch));
  // On failure nothing was applied and the upload keeps its staging, for
  // AbortUpload to release.
  RETURN_IF_ERROR(WriteWithAudit(
      batch, req.uploader,
      {.action = "upload",
       .resource = version_name,
       .content_sha256 = ToHex(req.sha256),
       .request_id = req.request_id,
       .detail = absl::StrCat(req.size_bytes, " bytes, ", req.content_type,
                              req.filename.empty() ? "" : ", ", req.filename)},
      now, "committing a version", true));
  ForgetUploadLocked(req.upload_id);
  lock.Release();
  RETURN_IF_ERROR(SyncLog("committing a version"));
  return result;
}

absl::StatusOr<EvidenceInfo> RocksArchiveStore::LoadEvidence(
    const EvidenceName& name, const EvidenceRecord& record) {
  EvidenceInfo info;
  info.name = name;
  info.title = record.title();
  info.indicator_codes.assign(record.indicator_codes().begin(),
                              record.indicator_codes().end());
  info.school_year = record.school_year();
  info.version_count = record.version_count();
  info.create_time_us = record.create_time_us();
  info.update_time_us = record.update_time_us();
  info.delete_time_us = record.delete_time_us();
  VersionRecord latest;
  ASSIGN_OR_RETURN(
      bool found,
      GetProto(kVersionsCf, VersionKey(name, record.version_count()), &latest));
  if (!found) {
    return absl::DataLossError(absl::StrCat(
        name.ToString(), ": its latest version record is missing"));
  }
  info.latest = FromRecord(record.version_count(), latest);
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> freeze, FreezeOf(name.parent));
  if (freeze && freeze->until_us > NowMicros()) {
    info.frozen_until_us = freeze->until_us;
  }
  return info;
}

absl::StatusOr<std::optional<FreezeInfo>> RocksArchiveStore::LoadFreeze(
    const Parent& place) {
  FreezeRecord r;
  ASSIGN_OR_RETURN(bool found, GetProto(kDefaultCf, FreezeKey(place), &r));
  if (!found) return std::nullopt;
  return FreezeInfo{.place = place,
                    .until_us = r.until_us(),
                    .reason = r.reason(),
                    .create_time_us = r.create_time_us(),
                    .update_time_us = r.update_time_us(),
                    .creator = r.creator()};
}

absl::StatusOr<std::optional<FreezeInfo>> RocksArchiveStore::FreezeOf(
    const Parent& parent) {
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> county,
                   LoadFreeze(Parent{parent.county, ""}));
  if (parent.school.empty()) return county;
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> school, LoadFreeze(parent));
  if (!county) return school;
  if (!school) return county;
  return county->until_us >= school->until_us ? county : school;
}

absl::Status RocksArchiveStore::CheckNotFrozen(const EvidenceName& name,
                                               int64_t now,
                                               absl::string_view what) {
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> freeze, FreezeOf(name.parent));
  if (freeze && freeze->until_us > now) {
    return FrozenError(*freeze, absl::StrCat(name.ToString(), " ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<FreezeInfo> RocksArchiveStore::Freeze(const Parent& place,
                                                     int64_t until_us,
                                                     const std::string& reason,
                                                     const Actor& actor) {
  ReleasableMutexLock lock(&mu_);
  const int64_t now = NowMicros();
  ASSIGN_OR_RETURN(std::optional<FreezeInfo> current, LoadFreeze(place));
  if (current && current->until_us > until_us) {
    return absl::FailedPreconditionError(absl::StrCat(
        place.ToString(), " is frozen until ", FormatMicros(current->until_us),
        "; a freeze can be extended, never ", "shortened (asked for ",
        FormatMicros(until_us), ")"));
  }
  FreezeInfo info =
      current.value_or(FreezeInfo{.place = place, .create_time_us = now});
  if (!current || current->until_us < until_us) {
    info.until_us = until_us;
    info.update_time_us = now;
    info.creator = actor.principal;
    if (!reason.empty()) info.reason = reason;
    FreezeRecord r;
    r.set_until_us(info.until_us);
    r.set_reason(info.reason);
    r.set_create_time_us(info.create_time_us);
    r.set_update_time_us(info.update_time_us);
    r.set_creator(info.creator);
    rocksdb::WriteBatch batch;
    batch.Put(cf(kDefaultCf), FreezeKey(place), r.SerializeAsString());
    RETURN_IF_ERROR(WriteWithAudit(
        batch, actor,
        {.action = current ? "extend freeze" : "freeze",
         .resource = place.ToString(),
         .detail = absl::StrCat("until ", FormatMicros(info.until_us),
                                info.reason.empty() ? "" : ": ", info.reason)},
        now, "freezing evidence", true));
    lock.Release();
    RETURN_IF_ERROR(SyncLog("freezing evidence"));
  } else {
    lock.Release();
  }
  // Every chunk of every version under the place. No version can be added
  // there any more, so this list is complete.
  absl::flat_hash_set<std::string> contents;
  const std::string prefix = ParentPrefix(place);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kVersionsCf)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    VersionRecord record;
    if (!record.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("unreadable version record");
    }
    ++info.frozen_versions;
    contents.insert(record.sha256());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing versions to freeze"));
  absl::flat_hash_set<std::string> retained;
  for (const std::string& sha : contents) {
    ASSIGN_OR_RETURN(Content content, GetContent(DigestFrom(sha)));
    for (const Sha256Digest& chunk : content.chunks) {
      if (!retained.insert(std::string(AsBytes(chunk))).second) continue;
      RETURN_IF_ERROR(chunks_->Retain(chunk, info.until_us));
    }
  }
  return info;
}

absl::StatusOr<EvidenceInfo> RocksArchiveStore::GetEvidence(
    const EvidenceName& name) {
  EvidenceRecord record;
  ASSIGN_OR_RETURN(bool found,
                   GetProto(kEvidenceCf, EvidenceKey(name), &record));
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat(name.ToString(), " does not exist"));
  }
  return LoadEvidence(name, record);
}

absl::StatusOr<VersionInfo> RocksArchiveStore::GetVersion(
    const EvidenceName& name, int64_t version) {
  ASSIGN_OR_RETURN(EvidenceInfo evidence, GetEvidence(name));
  if (version == 0) return evidence.latest;
  if (version > evidence.version_count) {
    return absl::NotFoundError(
        absl::StrCat(name.ToString(), " has no version ", version, "; it has ",
                     evidence.version_count,
                     evidence.version_count == 1 ? " version" : " versions"));
  }
  VersionRecord record;
  ASSIGN_OR_RETURN(bool found,
                   GetProto(kVersionsCf, VersionKey(name, version), &record));
  if (!found) {
    return absl::DataLossError(absl::StrCat(
        VersionName{name, version}.ToString(), " record is missing"));
  }
  return FromRecord(version, record);
}

absl::StatusOr<std::vector<VersionInfo>> RocksArchiveStore::ListVersions(
    const EvidenceName& name, int64_t after, int limit) {
  ASSIGN_OR_RETURN(EvidenceInfo evidence, GetEvidence(name));
  std::vector<VersionInfo> out;
  const std::string prefix = EvidenceKey(name);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kVersionsCf)));
  for (it->Seek(VersionKey(name, after + 1));
       it->Valid() && it->key().starts_with(prefix) &&
       static_cast<int>(out.size()) < limit;
       it->Next()) {
    VersionRecord record;
    if (!record.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("unreadable version record");
    }
    out.push_back(FromRecord(VersionOfKey(View(it->key())), record));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing versions"));
  return out;
}

absl::StatusOr<ListPage> RocksArchiveStore::ListEvidence(const ListQuery& q) {
  // With an indicator code, walk that code's index; otherwise the evidence
  // itself. Both are in evidence-key order, so the cursor is an evidence key.
  const bool by_indicator = !q.indicator_code.empty();
  const std::string parent_prefix = ParentPrefix(q.parent);
  const std::string prefix = by_indicator
                                 ? IndicatorKey(q.indicator_code, parent_prefix)
                                 : parent_prefix;
  const ColumnFamily scan_cf = by_indicator ? kIndicatorsCf : kEvidenceCf;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(scan_cf)));
  if (q.start_after.empty()) {
    it->Seek(prefix);
  } else {
    const std::string from = by_indicator
                                 ? IndicatorKey(q.indicator_code, q.start_after)
                                 : q.start_after;
    it->Seek(from);
    if (it->Valid() && it->key() == from) it->Next();
  }
  ListPage page;
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (static_cast<int>(page.evidence.size()) == q.limit) {
      page.next_cursor = last;
      break;
    }
    std::string ekey(by_indicator ? EvidenceKeyOfIndicatorKey(View(it->key()))
                                  : View(it->key()));
    last = ekey;
    auto name = DecodeEvidenceKey(ekey);
    if (!name) return absl::DataLossError("unreadable evidence key");
    EvidenceRecord record;
    if (by_indicator) {
      ASSIGN_OR_RETURN(bool found, GetProto(kEvidenceCf, ekey, &record));
      if (!found)
        return absl::DataLossError("indicator index entry without evidence");
    } else if (!record.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("unreadable evidence record");
    }
    if (q.school_year != 0 && record.school_year() != q.school_year) continue;
    if (!q.show_deleted && record.delete_time_us() != 0) continue;
    ASSIGN_OR_RETURN(EvidenceInfo info, LoadEvidence(*name, record));
    page.evidence.push_back(std::move(info));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "listing evidence"));
  return page;
}

absl::StatusOr<Content> RocksArchiveStore::GetContent(
    const Sha256Digest& sha256) {
  ContentRecord record;
  ASSIGN_OR_RETURN(bool found, GetProto(kContentsCf, AsBytes(sha256), &record));
  if (!found) {
    return absl::DataLossError(
        absl::StrCat("the content ", ToHex(sha256), " is missing"));
  }
  Content content;
  content.size_bytes = record.size_bytes();
  content.chunk_size = record.chunk_size();
  for (const std::string& c : record.chunk_sha256()) {
    content.chunks.push_back(DigestFrom(c));
  }
  // A CRC list of another length is not trusted for anything: the chunks
  // are then checked by RocksDB's own checksums, as before it existed.
  if (record.chunk_crc32c_size() == record.chunk_sha256_size()) {
    content.chunk_crc32c.assign(record.chunk_crc32c().begin(),
                                record.chunk_crc32c().end());
  }
  const int64_t expected_chunks =
      content.chunk_size > 0
          ? (content.size_bytes + content.chunk_size - 1) / content.chunk_size
          : -1;
  if (expected_chunks != static_cast<int64_t>(content.chunks.size())) {
    return absl::DataLossError(absl::StrCat("the chunk list of content ",
                                            ToHex(sha256),
                                            " does not match its size"));
  }
  return content;
}

absl::StatusOr<std::string> RocksArchiveStore::ReadChunk(
    const Sha256Digest& sha256) {
  absl::StatusOr<std::string> bytes = chunks_->Get(sha256);
  if (absl::IsNotFound(bytes.status())) {
    return absl::DataLossError(bytes.status().message());
  }
  RETURN_IF_ERROR(bytes.status());
  if (Sha256::Of(*bytes) != sha256) {
    return absl::DataLossError(absl::StrCat(
        "stored chunk ", ToHex(sha256),
        " no longer matches its SHA-256; the archive's disk corrupted it"));
  }
  return bytes;
}

absl::StatusOr<EvidenceInfo> RocksArchiveStore::SetDeleted(
    const EvidenceName& name, bool deleted, const Actor& actor) {
  ReleasableMutexLock lock(&mu_);
  const std::string ekey = EvidenceKey(name);
  EvidenceRecord record;
  ASSIGN_OR_RETURN(bool found, GetProto(kEvidenceCf, ekey, &record));
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat(name.ToString(), " does not exist"));
  }
  if (deleted && record.delete_time_us() != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(name.ToString(), " is already deleted"));
  }
  if (!deleted && record.delete_time_us() == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(name.ToString(), " is not deleted"));
  }
  const int64_t now = NowMicros();
  RETURN_IF_ERROR(CheckNotFrozen(
      name, now, deleted ? "cannot be deleted" : "cannot be undeleted"));
  record.set_delete_time_us(deleted ? now : 0);
  record.set_update_time_us(now);
  rocksdb::WriteBatch batch;
  batch.Put(cf(kEvidenceCf), ekey, record.SerializeAsString());
  RETURN_IF_ERROR(WriteWithAudit(
      batch, actor,
      {.action = deleted ? "delete" : "undelete", .resource = name.ToString()},
      now, deleted ? "deleting" : "undeleting", true));
  lock.Release();
  RETURN_IF_ERROR(SyncLog(deleted ? "deleting" : "undeleting"));
  return LoadEvidence(name, record);
}

absl::StatusOr<IntegrityReport> RocksArchiveStore::CheckIntegrity() {
  MutexLock lock(&mu_);  // a consistent view: no commit in between
  IntegrityReport report;
  auto problem = [&report](std::string p) {
    report.problems.push_back(std::move(p));
  };
  // One snapshot for every family: an upload session recorded meanwhile
  // (outside mu_) must not be seen without the staging entries before it.
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions at_snapshot;
  at_snapshot.snapshot = snapshot.snapshot();
  auto scan = [this, &at_snapshot](ColumnFamily c, auto&& fn) -> absl::Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(at_snapshot, cf(c)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      fn(View(it->key()), View(it->value()));
    }
    return FromRocks(it->status(), "checking integrity");
  };

  absl::flat_hash_map<std::string, int64_t> version_counts;
  absl::flat_hash_map<std::string, int64_t> content_uses;
  RETURN_IF_ERROR(
      scan(kVersionsCf, [&](absl::string_view k, absl::string_view v) {
        ++report.versions;
        VersionRecord r;
        if (k.size() < 9 || !r.ParseFromArray(v.data(), v.size())) {
          problem("unreadable version record");
          return;
        }
        ++version_counts[std::string(k.substr(0, k.size() - 8))];
        ++content_uses[r.sha256()];
      }));
  absl::flat_hash_map<std::string, int64_t> index_entries;
  RETURN_IF_ERROR(
      scan(kIndicatorsCf, [&](absl::string_view k, absl::string_view) {
        ++index_entries[std::string(k)];
      }));
  RETURN_IF_ERROR(scan(kEvidenceCf, [&](absl::string_view k,
                                        absl::string_view v) {
    ++report.evidence;
    EvidenceRecord r;
    auto name = DecodeEvidenceKey(k);
    if (!name || !r.ParseFromArray(v.data(), v.size())) {
      problem("unreadable evidence record");
      return;
    }
    if (version_counts[std::string(k)] != r.version_count()) {
      problem(absl::StrCat(name->ToString(), ": version_count ",
                           r.version_count(), " but ",
                           version_counts[std::string(k)], " version records"));
    }
    for (const std::string& code : r.indicator_codes()) {
      if (index_entries.erase(IndicatorKey(code, k)) == 0) {
        problem(absl::StrCat(name->ToString(), ": no index entry for ", code));
      }
    }
  }));
  if (!index_entries.empty()) {
    problem(absl::StrCat(index_entries.size(),
                         " indicator index entries without matching evidence"));
  }
  absl::flat_hash_map<std::string, int64_t> chunk_uses;
  RETURN_IF_ERROR(scan(kContentsCf, [&](absl::string_view k,
                                        absl::string_view v) {
    ++report.contents;
    ContentRecord r;
    if (!r.ParseFromArray(v.data(), v.size())) {
      problem("unreadable content record");
      return;
    }
    const int64_t uses = content_uses[std::string(k)];
    if (uses != r.refcount()) {
      problem(absl::StrCat("content ", ToHex(k), ": refcount ", r.refcount(),
                           " but ", uses, " versions use it"));
    }
    absl::flat_hash_set<std::string> unique(r.chunk_sha256().begin(),
                                            r.chunk_sha256().end());
    for (const std::string& c : unique) ++chunk_uses[c];
  }));
  for (const auto& [sha, uses] : content_uses) {
    ContentRecord r;
    auto found = GetProto(kContentsCf, sha, &r);
    if (!found.ok() || !*found)
      problem(absl::StrCat("content ", ToHex(sha), " missing"));
  }
  RETURN_IF_ERROR(scan(kChunkRefsCf, [&](absl::string_view k,
                                         absl::string_view v) {
    const int64_t uses = chunk_uses[std::string(k)];
    if (v.size() != 8 || static_cast<int64_t>(GetU64BE(v)) != uses) {
      problem(absl::StrCat("chunk ", ToHex(k), ": refcount disagrees with the ",
                           uses, " contents that use it"));
    }
  }));
  std::vector<Sha256Digest> stored;
  RETURN_IF_ERROR(chunks_->ForEach([&](const Sha256Digest& d) {
    stored.push_back(d);
    return true;
  }));
  absl::flat_hash_set<std::string> stored_set;
  for (const Sha256Digest& d : stored)
    stored_set.insert(std::string(AsBytes(d)));
  // Staging entries: each belongs to an upload in flight or a live session
  // (both in staged_), else it is a leftover of a failed abort.
  absl::flat_hash_set<std::string> staging_keys;
  // Chunks deleted whose sweep entry stays until a late PUT can no longer
  // land: one that is stored again is garbage already known.
  absl::flat_hash_set<std::string> sweeping;
  RETURN_IF_ERROR(
      scan(kStagingCf, [&](absl::string_view k, absl::string_view v) {
        if (IsSweepEntry(v)) {
          sweeping.insert(std::string(ChunkOfStagingKey(k)));
          return;
        }
        staging_keys.insert(std::string(k));
        auto it = staged_.find(UploadOfStagingKey(k));
        if (it == staged_.end() ||
            !it->second.chunks.contains(ChunkOfStagingKey(k))) {
          problem("staging entry with no upload in flight");
        }
      }));
  // Upload sessions: every chunk they list is referenced, or staged under
  // the session's upload id and stored; those only a session holds have
  // their bytes checked below like referenced ones.
  absl::flat_hash_set<std::string> session_chunks;
  RETURN_IF_ERROR(scan(kUploadSessionsCf, [&](absl::string_view k,
                                              absl::string_view v) {
    UploadSessionRecord r;
    const std::string request_id(k);
    if (!r.ParseFromArray(v.data(), v.size()) ||
        !FromRecord(request_id, r).has_value()) {
      problem(absl::StrCat("upload session ", Excerpt(request_id, 130),
                           ": unreadable record"));
      return;
    }
    for (const std::string& c : r.chunk_sha256()) {
      if (chunk_uses.contains(c)) continue;
      session_chunks.insert(c);
      if (!staging_keys.contains(StagingKey(r.upload_id(), DigestFrom(c)))) {
        problem(absl::StrCat("upload session ", Excerpt(request_id, 130),
                             ": chunk ", ToHex(c),
                             " is neither staged nor referenced"));
      } else if (!stored_set.contains(c)) {
        problem(absl::StrCat("upload session ", Excerpt(request_id, 130),
                             ": chunk ", ToHex(c), " is missing"));
      }
    }
  }));
  for (const Sha256Digest& d : stored) {
    const std::string k(AsBytes(d));
    ++report.chunks;
    auto uses = chunk_uses.find(k);
    if (uses == chunk_uses.end()) {
      if (!pins_.contains(k) && !sweeping.contains(k)) {
        problem(
            absl::StrCat("chunk ", ToHex(k), " is stored but unreferenced"));
      }
      if (!session_chunks.contains(k)) continue;
    } else {
      chunk_uses.erase(uses);
    }
    absl::StatusOr<std::string> bytes = chunks_->Get(d);
    if (!bytes.ok()) {
      problem(absl::StrCat("chunk ", ToHex(k), ": ", bytes.status().message()));
    } else if (Sha256::Of(*bytes) != d) {
      problem(absl::StrCat("chunk ", ToHex(k), " does not match its hash"));
    }
  }
  for (const auto& [chunk, uses] : chunk_uses) {
    problem(absl::StrCat("chunk ", ToHex(chunk), " is referenced but missing"));
  }
  return report;
}

}  // namespace

absl::Status FrozenError(const FreezeInfo& freeze, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      what, ": ", freeze.place.ToString(), " is frozen for inspection until ",
      FormatMicros(freeze.until_us), " (by ", freeze.creator,
      freeze.reason.empty() ? "" : ": ", freeze.reason,
      "); frozen evidence cannot change, and a freeze is never shortened"));
}

absl::StatusOr<std::unique_ptr<ArchiveStore>> OpenRocksArchiveStore(
    const std::string& dir, const StoreOptions& store_options,
    std::unique_ptr<ChunkStore> chunks) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Flushes of the chunk memtables must keep up with many uploads: a write
  // stop halts every write of the database.
  db_options.max_background_jobs = 4;
  // Bounds the WAL (every chunk passes through it) and so recovery time.
  db_options.max_total_wal_size = 256 << 20;

  // One cache for every column family's index and data blocks; chunk
  // bytes live in blob files and bypass it.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(32 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  std::shared_ptr<rocksdb::TableFactory> table_factory(
      rocksdb::NewBlockBasedTableFactory(table));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int c = 0; c < kNumColumnFamilies; ++c) {
    rocksdb::ColumnFamilyOptions options;
    options.table_factory = table_factory;
    if (c == kChunksCf) {
      // Chunk bytes go to blob files at flush: the LSM tree keeps only
      // small references, so compaction never rewrites the bytes.
      options.enable_blob_files = true;
      options.min_blob_size = 4096;
      options.blob_file_size = 256 << 20;
      // Blob GC would keep rewriting the oldest blob files in every
      // compaction, yet chunks are almost never deleted (only those of
      // aborted uploads), so it costs far more than the space it returns.
      options.enable_blob_garbage_collection = false;
      options.write_buffer_size = store_options.chunk_write_buffer_bytes;
      options.max_write_buffer_number = 4;
    } else {
      options.write_buffer_size = 8 << 20;
    }
    descriptors.emplace_back(kColumnFamilies[c], options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw),
                absl::StrCat("opening the archive in ", dir)));
  auto store = std::make_unique<RocksArchiveStore>(
      dir, std::unique_ptr<rocksdb::DB>(raw), std::move(handles), store_options,
      std::move(chunks));
  RETURN_IF_ERROR(store->Recover());
  return store;
}

}  // namespace junheng::archive
