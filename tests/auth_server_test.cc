// Authentication and authorization through the real binaries: tokens made
// and revoked with `junheng admin token`, a junheng-archive run with
// --principals, and junheng-checklist calling it on behalf of its callers.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "clients/archive_client.h"
#include "clients/connection.h"
#include "common/grpc_status.h"
#include "common/tokens.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::CommandResult;
using ::junheng::testing::CreateToken;
using ::junheng::testing::ReadFile;
using ::junheng::testing::RunCommand;
using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::junheng::testing::WriteFile;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCounty[] = "counties/330106";
constexpr char kSchool[] = "counties/330106/schools/2133010601";
constexpr char kOtherSchool[] = "counties/330106/schools/2133010602";

using Metadata = std::vector<std::pair<std::string, std::string>>;

// `junheng admin token create`; the token it prints.

std::string IdOf(const std::string& token) { return token.substr(3, 16); }

CommandResult Revoke(const std::string& principals, const std::string& token) {
  return RunCommand("junheng", {"admin", "token", "revoke", IdOf(token),
                                "--principals", principals});
}

Metadata Bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

void AddMetadata(grpc::ClientContext& c, const Metadata& metadata) {
  c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  for (const auto& [k, v] : metadata) c.AddMetadata(k, v);
}

absl::Status List(const std::string& address, const Metadata& metadata,
                  const std::string& parent = kCounty) {
  auto stub = v1::ArchiveService::NewStub(Connect(address));
  grpc::ClientContext c;
  AddMetadata(c, metadata);
  v1::ListEvidenceRequest r;
  r.set_parent(parent);
  v1::ListEvidenceResponse response;
  return FromGrpc(stub->ListEvidence(&c, r, &response));
}

absl::Status GetEvidence(const std::string& address, const Metadata& metadata,
                         const std::string& name) {
  auto stub = v1::ArchiveService::NewStub(Connect(address));
  grpc::ClientContext c;
  AddMetadata(c, metadata);
  v1::GetEvidenceRequest r;
  r.set_name(name);
  v1::Evidence response;
  return FromGrpc(stub->GetEvidence(&c, r, &response));
}

absl::Status Download(const std::string& address, const Metadata& metadata,
                      const std::string& name) {
  auto stub = v1::ArchiveService::NewStub(Connect(address));
  grpc::ClientContext c;
  AddMetadata(c, metadata);
  v1::DownloadRequest r;
  r.set_name(name);
  auto reader = stub->Download(&c, r);
  v1::DownloadResponse m;
  while (reader->Read(&m)) {
  }
  return FromGrpc(reader->Finish());
}

absl::StatusOr<v1::EvidenceVersion> Upload(const std::string& address,
                                           const std::string& token,
                                           const std::string& parent,
                                           const std::string& id,
                                           const std::string& bytes) {
  ArchiveClient::Options options;
  options.token = token;
  ArchiveClient client(Connect(address), options);
  v1::UploadHeader h;
  h.set_parent(parent);
  h.set_evidence_id(id);
  h.set_title("校舍面积台账");
  h.add_indicator_codes("R4");
  h.set_school_year(2025);
  return client.Upload(h, ::junheng::testing::ReadFrom(bytes));
}

void ExpectServing(const std::string& address) {
  auto health = grpc::health::v1::Health::NewStub(Connect(address));
  grpc::ClientContext context;  // no token
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status s = health->Check(&context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

class AuthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    principals_ = dir_.File("principals.txtpb");
    admin_ = CreateToken(principals_, "admin", "", "root");
    county_ = CreateToken(principals_, "county", kCounty, "钱塘示范县教育局");
    school_ = CreateToken(principals_, "school", kSchool, "实验小学");
    other_school_ =
        CreateToken(principals_, "school", kOtherSchool, "城东小学");
    nation_ = CreateToken(principals_, "inspector", "nation", "督学-李");
    service_ = CreateToken(principals_, "service", "", "junheng-checklist");
    archive_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + dir_.File("archive"),
                                 "--principals=" + principals_});
    ASSERT_TRUE(archive_->Start().ok()) << archive_->Stderr();
  }

  void TearDown() override {
    // Whatever a test did to the principals file, the archive still serves.
    if (archive_->Running()) ExpectServing(archive_->address());
  }

  CommandResult Cli(std::vector<std::string> args, const std::string& token) {
    if (!token.empty()) {
      args.push_back("--token");
      args.push_back(token);
    }
    return RunCommand("junheng", args,
                      {"JUNHENG_ARCHIVE_ADDR=" + archive_->address()});
  }

  TempDir dir_;
  std::string principals_;
  std::string admin_, county_, school_, other_school_, nation_, service_;
  std::unique_ptr<ServerProcess> archive_;
};

TEST_F(AuthServerTest, FreshTokenWorksAndRevocationHoldsFromTheNextCall) {
  // Several rounds: a revocation must never depend on timing.
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    const std::string token = CreateToken(principals_, "school", kSchool,
                                          absl::StrCat("实验小学-", round));
    ASSERT_FALSE(token.empty());
    // A token made after the server started works at once.
    ASSERT_OK(List(archive_->address(), Bearer(token), kSchool));
    CommandResult revoked = Revoke(principals_, token);
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    // The very next call, no sleep.
    absl::Status s = List(archive_->address(), Bearer(token), kSchool);
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
    EXPECT_THAT(s.message(), HasSubstr("revoked"));
    // Revoking twice is refused.
    CommandResult again = Revoke(principals_, token);
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_THAT(again.err, HasSubstr("already revoked"));
  }
  // The CLI says so too, and other tokens are untouched.
  const std::string token = CreateToken(principals_, "school", kSchool, "x");
  EXPECT_EQ(
      Cli({"archive", "ls", "--county", "330106", "--school", "2133010601"},
          token)
          .exit_code,
      0);
  ASSERT_EQ(Revoke(principals_, token).exit_code, 0);
  CommandResult ls = Cli(
      {"archive", "ls", "--county", "330106", "--school", "2133010601"}, token);
  EXPECT_EQ(ls.exit_code, 1);
  EXPECT_THAT(ls.err, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(ls.err, HasSubstr("revoked"));
  EXPECT_OK(List(archive_->address(), Bearer(school_), kSchool));
  EXPECT_OK(List(archive_->address(), Bearer(county_)));

  CommandResult list = RunCommand(
      "junheng", {"admin", "token", "list", "--principals", principals_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr(IdOf(token)));
  EXPECT_THAT(list.out, HasSubstr("revoked"));
  EXPECT_THAT(list.out, Not(HasSubstr(token.substr(20))));  // no secret
  EXPECT_EQ(
      RunCommand("junheng", {"admin", "token", "revoke", "0123456789abcdef",
                             "--principals", principals_})
          .exit_code,
      1);

  // The token changes form a chain of their own that verifies.
  CommandResult verify =
      RunCommand("junheng", {"audit", "verify", "--principals", principals_});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("token changes verified"));
}

TEST_F(AuthServerTest, ExpiredTokenIsUnauthenticated) {
  const std::string token = CreateToken(principals_, "county", kCounty,
                                        "expiring", {"--expires_in", "1h"});
  ASSERT_OK(List(archive_->address(), Bearer(token)));
  // Time passes: the expiry is moved into the past in the file.
  absl::StatusOr<internal::PrincipalsFile> file =
      ReadPrincipalsFile(principals_);
  ASSERT_TRUE(file.ok()) << file.status();
  bool found = false;
  for (auto& t : *file->mutable_token()) {
    if (t.id() != IdOf(token)) continue;
    ASSERT_FALSE(t.expire_time().empty());
    t.set_expire_time(
        FormatRfc3339(absl::ToUnixMicros(absl::Now() - absl::Minutes(1))));
    found = true;
  }
  ASSERT_TRUE(found);
  ASSERT_OK(WritePrincipalsFile(principals_, *file));
  absl::Status s = List(archive_->address(), Bearer(token));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
  EXPECT_THAT(s.message(), HasSubstr("expired"));
  EXPECT_OK(List(archive_->address(), Bearer(county_)));
  CommandResult list = RunCommand(
      "junheng", {"admin", "token", "list", "--principals", principals_});
  EXPECT_THAT(list.out, HasSubstr("expired"));
}

TEST_F(AuthServerTest, MissingMalformedAndUnknownTokensRevealNothing) {
  ASSERT_OK(Upload(archive_->address(), school_, kSchool, "r4-floor-area",
                   "building,area\nA,500\n"));
  const std::string existing = std::string(kSchool) + "/evidence/r4-floor-area";
  const std::string missing = std::string(kSchool) + "/evidence/no-such-doc";
  ASSERT_OK(GetEvidence(archive_->address(), Bearer(school_), existing));
  ASSERT_EQ(GetEvidence(archive_->address(), Bearer(school_), missing).code(),
            absl::StatusCode::kNotFound);

  const std::string secret(43, 'A');
  const std::vector<std::pair<std::string, Metadata>> callers = {
      {"no token", {}},
      {"not a bearer token", {{"authorization", "Basic dXNlcjpwYXNz"}}},
      {"malformed", Bearer("jh_garbage")},
      {"unknown", Bearer("jh_0123456789abcdef_" + secret)},
      {"real id, wrong secret", Bearer("jh_" + IdOf(school_) + "_" + secret)},
      {"self-declared user only", {{"x-junheng-user", "root"}}},
  };
  for (const auto& [why, metadata] : callers) {
    SCOPED_TRACE(why);
    for (auto call : {&GetEvidence, &Download}) {
      absl::Status a = call(archive_->address(), metadata, existing);
      absl::Status b = call(archive_->address(), metadata, missing);
      EXPECT_EQ(a.code(), absl::StatusCode::kUnauthenticated) << a;
      EXPECT_EQ(b.code(), absl::StatusCode::kUnauthenticated) << b;
      EXPECT_EQ(a.message(), b.message());
      EXPECT_THAT(a.message(), Not(HasSubstr("r4-floor-area")));
      EXPECT_THAT(b.message(), Not(HasSubstr("no-such-doc")));
    }
    EXPECT_EQ(List(archive_->address(), metadata).code(),
              absl::StatusCode::kUnauthenticated);
  }
  // A real token outside its scope: refused alike, before any lookup.
  for (auto call : {&GetEvidence, &Download}) {
    absl::Status a = call(archive_->address(), Bearer(other_school_), existing);
    absl::Status b = call(archive_->address(), Bearer(other_school_), missing);
    EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
    EXPECT_EQ(b.code(), absl::StatusCode::kPermissionDenied) << b;
    EXPECT_EQ(a.message(), b.message());
  }
  // Nothing of this reached the audit log: only the upload is there.
  CommandResult log = Cli({"audit", "log", "archive"}, admin_);
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_THAT(log.out, HasSubstr("upload"));
  EXPECT_THAT(log.out, Not(HasSubstr("download")));
}

TEST_F(AuthServerTest, InvalidEditOfThePrincipalsFileKeepsThePreviousTokens) {
  const std::string good = ReadFile(principals_);
  ASSERT_FALSE(good.empty());
  // A hand edit with a typo.
  WriteFile(principals_, good + "\ntoken {\n  id: \"0123\"\n  rolle: x\n}\n");
  EXPECT_OK(List(archive_->address(), Bearer(county_)));
  EXPECT_OK(List(archive_->address(), Bearer(school_), kSchool));
  ExpectServing(archive_->address());
  EXPECT_THAT(archive_->Stderr(), HasSubstr("keeping the previous one"));
  EXPECT_THAT(archive_->Stderr(), HasSubstr("line "));
  // Also a well-formed but invalid record (a school token with no scope).
  absl::StatusOr<internal::PrincipalsFile> file = [&] {
    WriteFile(principals_, good);
    return ReadPrincipalsFile(principals_);
  }();
  ASSERT_TRUE(file.ok()) << file.status();
  internal::PrincipalsFile broken = *file;
  for (auto& t : *broken.mutable_token()) {
    if (t.id() == IdOf(school_)) t.clear_scope();
  }
  ASSERT_OK(WritePrincipalsFile(principals_, broken));
  EXPECT_OK(List(archive_->address(), Bearer(school_), kSchool));
  EXPECT_OK(List(archive_->address(), Bearer(county_)));

  // Fixed again: the file is read anew and a new token works.
  ASSERT_OK(WritePrincipalsFile(principals_, *file));
  const std::string fresh = CreateToken(principals_, "county", kCounty, "new");
  EXPECT_OK(List(archive_->address(), Bearer(fresh)));
  EXPECT_OK(List(archive_->address(), Bearer(school_), kSchool));
}

// A truncated principals file (an editor or `>` caught mid-write, or an
// accidental `: > file`) is not a valid list of who may call: like a typo,
// it must keep the previous tokens in force rather than lock everyone out.
TEST_F(AuthServerTest, EmptiedPrincipalsFileDoesNotLockEveryoneOut) {
  const std::string good = ReadFile(principals_);
  ASSERT_OK(List(archive_->address(), Bearer(county_)));
  WriteFile(principals_, "");
  EXPECT_OK(List(archive_->address(), Bearer(county_)));
  WriteFile(principals_, good);
  EXPECT_OK(List(archive_->address(), Bearer(county_)));
}

// What `junheng audit head` prints is what `junheng audit verify --head`
// takes, also for a log with no entries yet.
TEST_F(AuthServerTest, HeadOfAnEmptyLogIsAcceptedByVerify) {
  CommandResult head = Cli({"audit", "head", "archive"}, admin_);
  ASSERT_EQ(head.exit_code, 0) << head.err;
  const std::string published(absl::StripAsciiWhitespace(head.out));
  EXPECT_EQ(published, "0:" + std::string(64, '0'));
  CommandResult verify =
      Cli({"audit", "verify", "archive", "--head", published}, admin_);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(AuthServerTest, HealthCheckingNeedsNoToken) {
  ExpectServing(archive_->address());
  // While the service itself refuses a call without one.
  EXPECT_EQ(List(archive_->address(), {}).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthServerTest, ServiceTokenActsOnlyOnBehalfOfARealCaller) {
  // Alone, a service token may do nothing.
  absl::Status alone = List(archive_->address(), Bearer(service_));
  EXPECT_EQ(alone.code(), absl::StatusCode::kPermissionDenied) << alone;
  EXPECT_THAT(alone.message(), HasSubstr("on behalf"));

  // On behalf of the county: the county's rights, no more.
  Metadata via = Bearer(service_);
  via.emplace_back("x-junheng-on-behalf-of", IdOf(county_));
  EXPECT_OK(List(archive_->address(), via));
  EXPECT_EQ(List(archive_->address(), via, "counties/330199").code(),
            absl::StatusCode::kPermissionDenied);

  // Only a service may forward.
  Metadata forged = Bearer(county_);
  forged.emplace_back("x-junheng-on-behalf-of", IdOf(nation_));
  absl::Status s = List(archive_->address(), forged, "counties/330199");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  Metadata by_school = Bearer(school_);
  by_school.emplace_back("x-junheng-on-behalf-of", IdOf(county_));
  EXPECT_EQ(List(archive_->address(), by_school).code(),
            absl::StatusCode::kPermissionDenied);

  // Not on behalf of another service, an unknown or a revoked caller.
  const std::string other_service =
      CreateToken(principals_, "service", "", "other");
  Metadata chained = Bearer(service_);
  chained.emplace_back("x-junheng-on-behalf-of", IdOf(other_service));
  EXPECT_EQ(List(archive_->address(), chained).code(),
            absl::StatusCode::kPermissionDenied);
  Metadata unknown = Bearer(service_);
  unknown.emplace_back("x-junheng-on-behalf-of", "0123456789abcdef");
  EXPECT_EQ(List(archive_->address(), unknown).code(),
            absl::StatusCode::kUnauthenticated);
  ASSERT_EQ(Revoke(principals_, county_).exit_code, 0);
  EXPECT_EQ(List(archive_->address(), via).code(),
            absl::StatusCode::kUnauthenticated);
}

// --- Start-up ---------------------------------------------------------------

TEST(AuthStartupTest, ServersRefuseToStartWithoutPrincipalsOrInsecureNoAuth) {
  for (const char* binary : {"junheng-archive", "junheng-checklist"}) {
    SCOPED_TRACE(binary);
    TempDir data;
    CommandResult r = RunCommand(
        binary, {"--data_dir=" + data.path(), "--listen=127.0.0.1:0"}, {},
        absl::Seconds(20));
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("--principals"));
    EXPECT_THAT(r.err, HasSubstr("--insecure_no_auth"));
    EXPECT_THAT(r.out, Not(HasSubstr("listening on")));

    CommandResult both =
        RunCommand(binary,
                   {"--data_dir=" + data.path(), "--listen=127.0.0.1:0",
                    "--insecure_no_auth", "--principals=" + data.File("p")},
                   {}, absl::Seconds(20));
    EXPECT_EQ(both.exit_code, 2) << both.err;
    EXPECT_THAT(both.err, HasSubstr("exclude each other"));

    CommandResult no_file =
        RunCommand(binary,
                   {"--data_dir=" + data.path(), "--listen=127.0.0.1:0",
                    "--principals=" + data.File("absent.txtpb")},
                   {}, absl::Seconds(20));
    EXPECT_EQ(no_file.exit_code, 2) << no_file.err;
    EXPECT_THAT(no_file.err, HasSubstr(data.File("absent.txtpb")));
  }
}

TEST(AuthStartupTest, PlaintextOnANonLoopbackAddressIsRefused) {
  // Refused before anything listens; a short limit all the same.
  for (const char* binary : {"junheng-archive", "junheng-checklist"}) {
    for (const char* listen : {"0.0.0.0:0", "[::]:0"}) {
      SCOPED_TRACE(absl::StrCat(binary, " ", listen));
      TempDir data;
      CommandResult r =
          RunCommand(binary,
                     {"--data_dir=" + data.path(), "--insecure_no_auth",
                      std::string("--listen=") + listen},
                     {}, absl::Seconds(10));
      EXPECT_NE(r.exit_code, 0);
      EXPECT_NE(r.exit_code, -1) << "still running after 10 s";
      EXPECT_THAT(r.err, HasSubstr("refusing to serve plaintext"));
      EXPECT_THAT(r.out, Not(HasSubstr("listening on")));
    }
  }
}

// --- The checklist service calling the archive ----------------------------

class ChecklistForwardingTest : public AuthServerTest {
 protected:
  void SetUp() override {
    AuthServerTest::SetUp();
    if (HasFatalFailure()) return;
    WriteFile(dir_.File("service.token"), service_ + "\n");
  }

  std::unique_ptr<ServerProcess> StartChecklist(
      const std::string& principals, bool with_service_token,
      const std::string& data = "checklist") {
    std::vector<std::string> args = {
        "--data_dir=" + dir_.File(data), "--principals=" + principals,
        "--archive_addr=" + archive_->address(), "--archive_timeout_ms=5000",
        std::string("--standards_dir=") + JUNHENG_SOURCE_DIR + "/standards"};
    if (with_service_token) {
      args.push_back("--archive_token_file=" + dir_.File("service.token"));
    }
    auto checklist =
        std::make_unique<ServerProcess>("junheng-checklist", std::move(args));
    absl::Status started = checklist->Start();
    EXPECT_TRUE(started.ok()) << started << checklist->Stderr();
    return started.ok() ? std::move(checklist) : nullptr;
  }

  void ImportExample(const ServerProcess& checklist) {
    const std::string examples =
        std::string(JUNHENG_SOURCE_DIR) + "/examples/county-330106/";
    for (const char* what : {"schools", "counties"}) {
      CommandResult r =
          RunCommand("junheng",
                     {"checklist", "import", what, examples + what + ".csv",
                      "--token", county_},
                     {"JUNHENG_CHECKLIST_ADDR=" + checklist.address()});
      ASSERT_EQ(r.exit_code, 0) << what << ": " << r.err;
    }
  }

  absl::StatusOr<v1::CountyEvaluation> Evaluate(const ServerProcess& checklist,
                                                const std::string& token) {
    auto stub = v1::ChecklistService::NewStub(Connect(checklist.address()));
    grpc::ClientContext c;
    AddMetadata(c, Bearer(token));
    v1::EvaluateCountyRequest r;
    r.set_name("counties/330106/years/2025");
    v1::CountyEvaluation e;
    absl::Status s = FromGrpc(stub->EvaluateCounty(&c, r, &e));
    if (!s.ok()) return s;
    return e;
  }
};

TEST_F(ChecklistForwardingTest, WithAServiceTokenEvidenceStatusIsKnown) {
  auto checklist = StartChecklist(principals_, true);
  ASSERT_NE(checklist, nullptr);
  ImportExample(*checklist);
  ASSERT_OK(Upload(archive_->address(), school_, kSchool, "r4-floor-area",
                   "building,area\nA,500\n"));
  for (const std::string& who : {county_, nation_}) {
    absl::StatusOr<v1::CountyEvaluation> e = Evaluate(*checklist, who);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->evidence_checked(), v1::EVIDENCE_PRESENT);
    EXPECT_THAT(e->warnings(), Each(Not(HasSubstr("evidence status unknown"))));
  }
  // The checklist refuses the service token as a caller of its own.
  EXPECT_EQ(Evaluate(*checklist, service_).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Evaluate(*checklist, "").status().code(),
            absl::StatusCode::kUnauthenticated);
  ExpectServing(checklist->address());
}

TEST_F(ChecklistForwardingTest, WithoutAServiceTokenEvidenceIsUnknown) {
  auto checklist = StartChecklist(principals_, false);
  ASSERT_NE(checklist, nullptr);
  ImportExample(*checklist);
  absl::StatusOr<v1::CountyEvaluation> e = Evaluate(*checklist, county_);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->evidence_checked(), v1::EVIDENCE_UNKNOWN);
  EXPECT_THAT(e->warnings(),
              Contains(AllOf(HasSubstr("evidence status unknown"),
                             HasSubstr("UNAUTHENTICATED"))));
}

TEST_F(ChecklistForwardingTest, TheArchiveAuthorizesTheForwardedCaller) {
  // A county token the checklist knows but the archive does not: the
  // checklist admits it, the archive refuses the caller it is asked to act
  // for, so evidence status stays unknown.
  const std::string checklist_principals = dir_.File("checklist.txtpb");
  WriteFile(checklist_principals, ReadFile(principals_));
  const std::string local_only =
      CreateToken(checklist_principals, "county", kCounty, "checklist-only");
  auto checklist = StartChecklist(checklist_principals, true);
  ASSERT_NE(checklist, nullptr);
  ImportExample(*checklist);
  absl::StatusOr<v1::CountyEvaluation> e = Evaluate(*checklist, local_only);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->evidence_checked(), v1::EVIDENCE_UNKNOWN);
  EXPECT_THAT(e->warnings(),
              Contains(AllOf(HasSubstr("evidence status unknown"),
                             HasSubstr("UNAUTHENTICATED"))));
  // The same caller known to both: known.
  absl::StatusOr<v1::CountyEvaluation> known = Evaluate(*checklist, county_);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_EQ(known->evidence_checked(), v1::EVIDENCE_PRESENT);
}

}  // namespace
}  // namespace junheng
