// Tampering with the stored data behind the services' backs, and
// `junheng audit verify` finding exactly what was changed: an altered audit
// entry, an overwritten chunk, a deleted entry, and a chain rebuilt
// consistently after an edit (caught only by a head published before).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/archive_client.h"
#include "clients/connection.h"
#include "common/audit_chain.h"
#include "common/big_endian.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "junheng/v1/audit.pb.h"
#include "rocksdb/db.h"
#include "tests/archive_test_util.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::CommandResult;
using ::junheng::testing::CreateToken;
using ::junheng::testing::DownloadBytes;
using ::junheng::testing::EvidenceHeader;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::TestBytes;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSchool[] = "counties/330106/schools/2133010601";

std::string U64(uint64_t v) {
  std::string key;
  PutU64BE(key, v);
  return key;
}

// A service's RocksDB opened directly, every column family listed.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    if (!s.ok()) {
      error_ = s.ToString();
      return;
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& n : names) {
      descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* raw = nullptr;
    s = rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles_,
                          &raw);
    if (!s.ok()) {
      error_ = s.ToString();
      return;
    }
    db_.reset(raw);
  }
  ~RawDb() {
    if (db_ == nullptr) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  bool ok() const { return db_ != nullptr; }
  const std::string& error() const { return error_; }

  rocksdb::ColumnFamilyHandle* Cf(const std::string& name) const {
    for (auto* h : handles_) {
      if (h->GetName() == name) return h;
    }
    ADD_FAILURE() << "no column family " << name;
    return handles_.front();
  }

  std::optional<std::string> Get(const std::string& cf,
                                 const std::string& key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Cf(cf), key, &value);
    if (!s.ok()) return std::nullopt;
    return value;
  }
  void Put(const std::string& cf, const std::string& key,
           const std::string& value) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db_->Put(sync, Cf(cf), key, value).ok());
  }
  void Delete(const std::string& cf, const std::string& key) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db_->Delete(sync, Cf(cf), key).ok());
  }

  std::vector<v1::AuditEntry> Audit() {
    std::vector<v1::AuditEntry> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Cf("audit")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::AuditEntry e;
      EXPECT_TRUE(e.ParseFromArray(it->value().data(),
                                   static_cast<int>(it->value().size())));
      EXPECT_EQ(GetU64BE(absl::string_view(it->key().data(), it->key().size())),
                static_cast<uint64_t>(e.sequence()));
      out.push_back(e);
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }
  void PutAudit(const v1::AuditEntry& e) {
    Put("audit", U64(static_cast<uint64_t>(e.sequence())),
        e.SerializeAsString());
  }

 private:
  std::string error_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    principals_ = dir_.File("principals.txtpb");
    admin_ = CreateToken(principals_, "admin", "", "root");
    county_ = CreateToken(principals_, "county", "counties/330106", "county");
    school_ = CreateToken(principals_, "school", kSchool, "实验小学");
    nation_ = CreateToken(principals_, "inspector", "nation", "督学-李");
  }

  void StartArchive() {
    archive_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + dir_.File("archive"),
                                 "--principals=" + principals_});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
  }
  void StopArchive() { ASSERT_EQ(archive_->Stop(), 0); }

  ArchiveClient Client(const std::string& token) {
    ArchiveClient::Options options;
    options.token = token;
    return ArchiveClient(Connect(archive_->address()), options);
  }

  std::string Name(const std::string& id) {
    return std::string(kSchool) + "/evidence/" + id;
  }

  // Three versions of one document and one of another, uploaded by the
  // school, and version 2 read by the county.
  void Populate() {
    ArchiveClient school = Client(school_);
    for (int i = 1; i <= 3; ++i) {
      bytes_.push_back(TestBytes(20000 * i, 100 + i));
      versions_.push_back(Upload(school, "r4-floor-area", bytes_.back()));
    }
    Upload(school, "r5-sports-ground", TestBytes(5000, 200));
    ArchiveClient county = Client(county_);
    absl::StatusOr<std::string> v2 =
        Download(county, Name("r4-floor-area") + "/versions/2");
    ASSERT_TRUE(v2.ok()) << v2.status();
    EXPECT_EQ(*v2, bytes_[1]);
  }

  v1::EvidenceVersion Upload(ArchiveClient& client, const std::string& id,
                             const std::string& bytes) {
    auto v = client.Upload(EvidenceHeader(kSchool, id, "校舍面积台账"),
                           ::junheng::testing::ReadFrom(bytes));
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : v1::EvidenceVersion();
  }

  absl::StatusOr<std::string> Download(ArchiveClient& client,
                                       const std::string& name) {
    return DownloadBytes(client, name);
  }

  CommandResult Audit(const std::string& verb, const std::string& service,
                      const std::string& address, const std::string& token,
                      const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"audit",   verb,  service,
                                     "--token", token, "--" + service + "_addr",
                                     address};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand("junheng", args);
  }
  CommandResult VerifyArchive(const std::string& token,
                              const std::vector<std::string>& extra = {}) {
    return Audit("verify", "archive", archive_->address(), token, extra);
  }

  // The sequence of the audit entry with `action` on `resource`.
  static int64_t SequenceOf(const std::vector<v1::AuditEntry>& entries,
                            const std::string& action,
                            const std::string& resource) {
    for (const auto& e : entries) {
      if (e.action() == action && e.resource() == resource) return e.sequence();
    }
    ADD_FAILURE() << "no " << action << " entry for " << resource;
    return -1;
  }

  TempDir dir_;
  std::string principals_;
  std::string admin_, county_, school_, nation_;
  std::unique_ptr<ServerProcess> archive_;
  std::vector<std::string> bytes_;
  std::vector<v1::EvidenceVersion> versions_;
};

TEST_F(TamperTest, AlteredArchiveEntryIsNamedBySequence) {
  StartArchive();
  Populate();
  CommandResult clean = VerifyArchive(admin_);
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_THAT(clean.out, HasSubstr("5 entries verified"));
  StopArchive();
  {
    RawDb db(dir_.File("archive"));
    ASSERT_TRUE(db.ok()) << db.error();
    std::vector<v1::AuditEntry> entries = db.Audit();
    ASSERT_EQ(entries.size(), 5u);  // 4 uploads, 1 download
    v1::AuditEntry e = entries[1];
    ASSERT_EQ(e.sequence(), 2);
    e.set_principal("someone-else");  // the stored hash is kept
    db.PutAudit(e);
  }
  StartArchive();
  for (const std::string& token : {admin_, nation_}) {
    CommandResult verify = VerifyArchive(token);
    EXPECT_EQ(verify.exit_code, 1) << verify.out;
    EXPECT_THAT(verify.err,
                HasSubstr("archive: FAILED at entry 2: entry 2 was altered"));
  }
}

TEST_F(TamperTest, OverwrittenChunkIsDataLossAndNamesItsUpload) {
  StartArchive();
  Populate();
  ASSERT_EQ(VerifyArchive(nation_).exit_code, 0);
  StopArchive();
  const v1::EvidenceVersion& v2 = versions_[1];
  std::optional<Sha256Digest> digest = ParseSha256Hex(v2.sha256());
  ASSERT_TRUE(digest.has_value()) << v2.sha256();
  int64_t upload_seq = -1;
  {
    RawDb db(dir_.File("archive"));
    ASSERT_TRUE(db.ok()) << db.error();
    const std::vector<v1::AuditEntry> entries = db.Audit();
    upload_seq = SequenceOf(entries, "upload", v2.name());
    EXPECT_EQ(entries[upload_seq - 1].content_sha256(), v2.sha256());
    // One chunk (< 1 MiB): its key is the file's own SHA-256.
    const std::string key(AsBytes(*digest));
    std::optional<std::string> chunk = db.Get("chunks", key);
    ASSERT_TRUE(chunk.has_value());
    ASSERT_EQ(*chunk, bytes_[1]);
    std::string rotten = *chunk;
    rotten[rotten.size() / 2] ^= 0x20;
    db.Put("chunks", key, rotten);
  }
  StartArchive();
  ArchiveClient school = Client(school_);
  absl::StatusOr<std::string> bad = Download(school, v2.name());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr(v2.sha256()));
  // Refused by the server, against the CRC-32C recorded at upload, before
  // any of the chunk was sent; the client's SHA-256 would have caught it too.
  EXPECT_THAT(bad.status().message(), HasSubstr("CRC-32C"));
  // Every other version is intact.
  for (size_t i : {0u, 2u}) {
    absl::StatusOr<std::string> good = Download(school, versions_[i].name());
    ASSERT_TRUE(good.ok()) << versions_[i].name() << ": " << good.status();
    EXPECT_EQ(*good, bytes_[i]);
  }
  absl::StatusOr<std::string> other =
      Download(school, Name("r5-sports-ground"));
  EXPECT_TRUE(other.ok()) << other.status();

  // The chain is intact; the content check names the upload's entry.
  CommandResult verify = VerifyArchive(nation_);
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_THAT(verify.err, HasSubstr(absl::StrCat("archive: FAILED at entry ",
                                                 upload_seq, ": ", v2.name())));
  EXPECT_THAT(verify.err, HasSubstr("DATA_LOSS"));
  // Without content checking it passes: only the bytes changed.
  EXPECT_EQ(VerifyArchive(nation_, {"--no_content"}).exit_code, 0);
}

TEST_F(TamperTest, DeletedEntryIsAGapAtItsSequence) {
  StartArchive();
  Populate();
  StopArchive();
  {
    RawDb db(dir_.File("archive"));
    ASSERT_TRUE(db.ok()) << db.error();
    ASSERT_EQ(db.Audit().size(), 5u);
    db.Delete("audit", U64(3));
    ASSERT_EQ(db.Audit().size(), 4u);
  }
  StartArchive();
  CommandResult verify = VerifyArchive(admin_);
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_THAT(verify.err, HasSubstr("archive: FAILED at entry 3: entries 3 "
                                    "to 3 are missing"));
}

TEST_F(TamperTest, RebuiltChainPassesAloneButNotAgainstThePublishedHead) {
  StartArchive();
  Populate();
  CommandResult head = Audit("head", "archive", archive_->address(), admin_);
  ASSERT_EQ(head.exit_code, 0) << head.err;
  const std::string published(absl::StripAsciiWhitespace(head.out));
  ASSERT_TRUE(absl::StartsWith(published, "5:")) << published;
  ASSERT_EQ(VerifyArchive(admin_, {"--head", published}).exit_code, 0);
  StopArchive();
  {
    RawDb db(dir_.File("archive"));
    ASSERT_TRUE(db.ok()) << db.error();
    std::vector<v1::AuditEntry> entries = db.Audit();
    ASSERT_EQ(entries.size(), 5u);
    // Who uploaded version 2 is rewritten, and every later hash with it.
    entries[1].set_principal("nobody");
    for (size_t i = 1; i < entries.size(); ++i) {
      entries[i].set_previous_hash(entries[i - 1].hash());
      entries[i].set_hash(AuditEntryHash(entries[i]));
    }
    for (const auto& e : entries) db.PutAudit(e);
  }
  StartArchive();
  CommandResult alone = VerifyArchive(nation_);
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
  CommandResult against = VerifyArchive(nation_, {"--head", published});
  EXPECT_EQ(against.exit_code, 1) << against.out;
  EXPECT_THAT(against.err, HasSubstr("archive: FAILED at entry 5:"));
  EXPECT_THAT(against.err, HasSubstr("published head"));
}

TEST_F(TamperTest, AlteredChecklistEntryIsNamedBySequence) {
  const std::string data = dir_.File("checklist");
  auto start = [&] {
    auto server = std::make_unique<ServerProcess>(
        "junheng-checklist",
        std::vector<std::string>{"--data_dir=" + data,
                                 "--principals=" + principals_,
                                 std::string("--standards_dir=") +
                                     JUNHENG_SOURCE_DIR + "/standards"});
    absl::Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started << server->Stderr();
    return server;
  };
  auto checklist = start();
  ASSERT_TRUE(checklist->Running());
  const std::string examples =
      std::string(JUNHENG_SOURCE_DIR) + "/examples/county-330106/";
  for (const char* what : {"schools", "counties"}) {
    CommandResult r =
        RunCommand("junheng", {"checklist", "import", what,
                               examples + what + ".csv", "--token", county_,
                               "--checklist_addr", checklist->address()});
    ASSERT_EQ(r.exit_code, 0) << what << ": " << r.err;
  }
  CommandResult clean =
      Audit("verify", "checklist", checklist->address(), admin_);
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_THAT(clean.out, HasSubstr("41 entries verified"));
  ASSERT_EQ(checklist->Stop(), 0);
  {
    RawDb db(data);
    ASSERT_TRUE(db.ok()) << db.error();
    std::vector<v1::AuditEntry> entries = db.Audit();
    // One entry per imported row: 40 schools, 1 county.
    ASSERT_EQ(entries.size(), 41u);
    v1::AuditEntry e = entries[6];
    ASSERT_EQ(e.sequence(), 7);
    e.set_resource(e.resource() + "x");
    db.PutAudit(e);
  }
  checklist = start();
  ASSERT_TRUE(checklist->Running());
  CommandResult verify =
      Audit("verify", "checklist", checklist->address(), admin_);
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_THAT(verify.err,
              HasSubstr("checklist: FAILED at entry 7: entry 7 was altered"));
}

}  // namespace
}  // namespace junheng
