// TLS and mutual TLS through the real binaries, with certificates made at
// test time by the openssl command: the CLI against a TLS archive, client
// certificates, and the checklist service's link to the archive.
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/connection.h"
#include "common/grpc_status.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
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
using ::junheng::testing::TestBytes;
using ::junheng::testing::WriteFile;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kName[] =
    "counties/330106/schools/2133010601/evidence/r4-floor-area";

// The openssl binary on $PATH, or "".
std::string OpenSsl() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t at = 0;
  while (at <= dirs.size()) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(at, end - at) + "/openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    at = end + 1;
  }
  return "";
}

#define RETURN_IF_FAILED(expr) \
  do {                         \
    absl::Status s_ = (expr);  \
    if (!s_.ok()) return s_;   \
  } while (0)

// Two certificate authorities and their leaves, in a temporary directory:
//   ca.pem        the CA everything real is signed by
//   server.pem    for IP:127.0.0.1 and DNS:localhost, signed by ca
//   client.pem    a client certificate signed by ca
//   other-ca.pem  an unrelated CA, and other-client.pem signed by it
class Pki {
 public:
  explicit Pki(std::string openssl) : openssl_(std::move(openssl)) {}

  absl::Status Generate() {
    RETURN_IF_FAILED(Ca("ca", "Junheng Test CA"));
    RETURN_IF_FAILED(Ca("other-ca", "Somebody Else CA"));
    RETURN_IF_FAILED(Leaf("server", "ca", 1001,
                          "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                          "extendedKeyUsage=serverAuth\n"));
    RETURN_IF_FAILED(
        Leaf("client", "ca", 1002, "extendedKeyUsage=clientAuth\n"));
    RETURN_IF_FAILED(Leaf("other-client", "other-ca", 1003,
                          "extendedKeyUsage=clientAuth\n"));
    return absl::OkStatus();
  }

  std::string Pem(const std::string& name) const {
    return dir_.File(name + ".pem");
  }
  std::string Key(const std::string& name) const {
    return dir_.File(name + ".key");
  }

 private:
  absl::Status Run(const std::string& args) {
    const std::string log = dir_.File("openssl.log");
    const std::string command =
        absl::StrCat(openssl_, " ", args, " >", log, " 2>&1 </dev/null");
    const int rc = std::system(command.c_str());
    if (rc != 0) {
      return absl::InternalError(
          absl::StrCat("`", command, "` failed: ", ReadFile(log)));
    }
    return absl::OkStatus();
  }

  static std::string NewKey() {
    return "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  }

  absl::Status Ca(const std::string& name, const std::string& cn) {
    return Run(absl::StrCat("req -x509 ", NewKey(), " -keyout ", Key(name),
                            " -out ", Pem(name), " -days 2 -subj '/CN=", cn,
                            "'", " -addext basicConstraints=critical,CA:TRUE",
                            " -addext keyUsage=critical,keyCertSign,cRLSign"));
  }

  absl::Status Leaf(const std::string& name, const std::string& ca, int serial,
                    const std::string& extensions) {
    const std::string ext = dir_.File(name + ".ext");
    WriteFile(ext,
              "basicConstraints=CA:FALSE\n"
              "keyUsage=critical,digitalSignature\n" +
                  extensions);
    const std::string csr = dir_.File(name + ".csr");
    RETURN_IF_FAILED(
        Run(absl::StrCat("req -new ", NewKey(), " -keyout ", Key(name),
                         " -out ", csr, " -subj '/CN=", name, "'")));
    return Run(absl::StrCat("x509 -req -in ", csr, " -CA ", Pem(ca), " -CAkey ",
                            Key(ca), " -set_serial ", serial, " -days 2 -out ",
                            Pem(name), " -extfile ", ext));
  }

  std::string openssl_;
  TempDir dir_;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string openssl = OpenSsl();
    if (openssl.empty()) {
      GTEST_SKIP() << "no openssl command on $PATH to make test certificates "
                      "with; install the openssl package to run the TLS tests";
    }
    pki_ = std::make_unique<Pki>(openssl);
    absl::Status made = pki_->Generate();
    ASSERT_TRUE(made.ok()) << made;
    WriteFile(work_.File("ledger.pdf"), TestBytes(300000, 7));
  }

  std::unique_ptr<ServerProcess> StartArchive(
      bool mutual, std::vector<std::string> args = {}) {
    args.push_back("--data_dir=" + data_.File("archive"));
    args.push_back("--tls_cert=" + pki_->Pem("server"));
    args.push_back("--tls_key=" + pki_->Key("server"));
    if (mutual) args.push_back("--tls_client_ca=" + pki_->Pem("ca"));
    auto server =
        std::make_unique<ServerProcess>("junheng-archive", std::move(args));
    absl::Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started << server->Stderr();
    return started.ok() ? std::move(server) : nullptr;
  }

  // `junheng archive …` against `server` with extra (TLS) flags.
  CommandResult Cli(const ServerProcess& server, std::vector<std::string> args,
                    const std::vector<std::string>& tls,
                    const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), "archive");
    args.insert(args.end(), tls.begin(), tls.end());
    args.push_back("--archive_addr=" + server.address());
    return RunCommand("junheng", args, env, absl::Seconds(30));
  }

  CommandResult Put(const ServerProcess& server,
                    const std::vector<std::string>& tls) {
    return Cli(
        server,
        {"put", work_.File("ledger.pdf"), "--county", "330106", "--school",
         "2133010601", "--evidence", "r4-floor-area", "--indicator", "R4",
         "--year", "2025", "--title", "校舍面积台账"},
        tls);
  }

  // Uploads and downloads back, comparing the bytes.
  void ExpectRoundTrip(const ServerProcess& server,
                       const std::vector<std::string>& tls) {
    CommandResult put = Put(server, tls);
    ASSERT_EQ(put.exit_code, 0) << put.err;
    const std::string out = work_.File("back-" + std::to_string(++gets_));
    CommandResult get = Cli(server, {"get", kName, "-o", out}, tls);
    ASSERT_EQ(get.exit_code, 0) << get.err;
    EXPECT_THAT(get.out, HasSubstr("SHA-256 verified"));
    EXPECT_EQ(ReadFile(out), ReadFile(work_.File("ledger.pdf")));
  }

  // A call that must not get through: exit 1, UNAVAILABLE (the handshake
  // failed). (Not tried with put: it retries UNAVAILABLE for 6 s.)
  void ExpectRefused(const ServerProcess& server,
                     const std::vector<std::string>& tls) {
    CommandResult ls = Cli(server, {"ls"}, tls);
    EXPECT_EQ(ls.exit_code, 1) << ls.out;
    EXPECT_THAT(ls.err, HasSubstr("UNAVAILABLE"));
    CommandResult info = Cli(server, {"info", kName}, tls);
    EXPECT_EQ(info.exit_code, 1) << info.out;
    EXPECT_THAT(info.err, HasSubstr("UNAVAILABLE"));
  }

  std::unique_ptr<Pki> pki_;
  TempDir data_;
  TempDir work_;
  int gets_ = 0;
};

TEST_F(TlsTest, CliRoundTripsOverTlsAndOtherClientsAreRefused) {
  auto archive = StartArchive(false);
  ASSERT_NE(archive, nullptr);
  ExpectRoundTrip(*archive, {"--tls_ca", pki_->Pem("ca")});
  // The CA from the environment.
  CommandResult ls =
      Cli(*archive, {"ls"}, {}, {"JUNHENG_TLS_CA=" + pki_->Pem("ca")});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr(kName));

  // A server certificate from a CA the client does not trust.
  ExpectRefused(*archive, {"--tls_ca", pki_->Pem("other-ca")});
  // Plaintext against TLS.
  ExpectRefused(*archive, {});
  auto health = grpc::health::v1::Health::NewStub(Connect(archive->address()));
  grpc::ClientContext c;
  c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_FALSE(health->Check(&c, {}, &response).ok());

  // The trusted client still gets through afterwards.
  CommandResult versions =
      Cli(*archive, {"versions", kName}, {"--tls_ca", pki_->Pem("ca")});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_THAT(versions.out, HasSubstr("ledger.pdf"));
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificateFromTheRightCa) {
  auto archive = StartArchive(true);
  ASSERT_NE(archive, nullptr);
  // No client certificate.
  ExpectRefused(*archive, {"--tls_ca", pki_->Pem("ca")});
  // A certificate from another CA.
  ExpectRefused(*archive, {"--tls_ca", pki_->Pem("ca"), "--tls_cert",
                           pki_->Pem("other-client"), "--tls_key",
                           pki_->Key("other-client")});
  // The right one.
  ExpectRoundTrip(
      *archive, {"--tls_ca", pki_->Pem("ca"), "--tls_cert", pki_->Pem("client"),
                 "--tls_key", pki_->Key("client")});
  // A certificate without its key is a usage problem, found before any call.
  CommandResult half =
      Cli(*archive, {"ls"},
          {"--tls_ca", pki_->Pem("ca"), "--tls_cert", pki_->Pem("client")});
  EXPECT_NE(half.exit_code, 0);
}

TEST_F(TlsTest, BadServerTlsFlagsStopStartUp) {
  TempDir data;
  CommandResult no_key =
      RunCommand("junheng-archive",
                 {"--data_dir=" + data.path(), "--insecure_no_auth",
                  "--listen=127.0.0.1:0", "--tls_cert=" + pki_->Pem("server")},
                 {}, absl::Seconds(20));
  EXPECT_EQ(no_key.exit_code, 2) << no_key.err;
  EXPECT_THAT(no_key.err, HasSubstr("--tls_key"));
  CommandResult missing =
      RunCommand("junheng-archive",
                 {"--data_dir=" + data.path(), "--insecure_no_auth",
                  "--listen=127.0.0.1:0", "--tls_cert=" + data.File("nope.pem"),
                  "--tls_key=" + pki_->Key("server")},
                 {}, absl::Seconds(20));
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr(data.File("nope.pem")));
}

TEST_F(TlsTest, ChecklistReachesTheArchiveOverTls) {
  const std::string principals = data_.File("principals.txtpb");
  const std::string county =
      CreateToken(principals, "county", "counties/330106", "county");
  const std::string school = CreateToken(
      principals, "school", "counties/330106/schools/2133010601", "school");
  const std::string service = CreateToken(principals, "service", "", "svc");
  WriteFile(data_.File("service.token"), service + "\n");
  auto archive = StartArchive(true, {"--principals=" + principals});
  ASSERT_NE(archive, nullptr);
  ExpectRoundTrip(
      *archive, {"--tls_ca", pki_->Pem("ca"), "--tls_cert", pki_->Pem("client"),
                 "--tls_key", pki_->Key("client"), "--token", school});

  // `tls` are the checklist's --archive_tls_* flags.
  auto evaluate = [&](const std::string& data,
                      const std::vector<std::string>& tls)
      -> absl::StatusOr<v1::CountyEvaluation> {
    std::vector<std::string> args = {
        "--data_dir=" + data_.File(data),
        "--principals=" + principals,
        "--archive_addr=" + archive->address(),
        "--archive_timeout_ms=5000",
        "--archive_token_file=" + data_.File("service.token"),
        std::string("--standards_dir=") + JUNHENG_SOURCE_DIR + "/standards"};
    args.insert(args.end(), tls.begin(), tls.end());
    ServerProcess checklist("junheng-checklist", args);
    absl::Status started = checklist.Start();
    if (!started.ok()) return started;
    const std::string examples =
        std::string(JUNHENG_SOURCE_DIR) + "/examples/county-330106/";
    for (const char* what : {"schools", "counties"}) {
      CommandResult r =
          RunCommand("junheng", {"checklist", "import", what,
                                 examples + what + ".csv", "--token", county,
                                 "--checklist_addr", checklist.address()});
      if (r.exit_code != 0) return absl::InternalError(r.err);
    }
    auto stub = v1::ChecklistService::NewStub(Connect(checklist.address()));
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    c.AddMetadata("authorization", "Bearer " + county);
    v1::EvaluateCountyRequest r;
    r.set_name("counties/330106/years/2025");
    v1::CountyEvaluation e;
    absl::Status s = FromGrpc(stub->EvaluateCounty(&c, r, &e));
    if (!s.ok()) return s;
    return e;
  };

  absl::StatusOr<v1::CountyEvaluation> good =
      evaluate("c1", {"--archive_tls_ca=" + pki_->Pem("ca"),
                      "--archive_tls_cert=" + pki_->Pem("client"),
                      "--archive_tls_key=" + pki_->Key("client")});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->evidence_checked(), v1::EVIDENCE_PRESENT);
  EXPECT_THAT(good->warnings(),
              Each(Not(HasSubstr("evidence status unknown"))));

  // Without its client certificate, or trusting the wrong CA, the checklist
  // cannot reach the archive: the evaluation still answers, status unknown.
  for (const auto& [label, tls] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"no client certificate", {"--archive_tls_ca=" + pki_->Pem("ca")}},
           {"wrong CA",
            {"--archive_tls_ca=" + pki_->Pem("other-ca"),
             "--archive_tls_cert=" + pki_->Pem("client"),
             "--archive_tls_key=" + pki_->Key("client")}},
           {"plaintext", {}}}) {
    SCOPED_TRACE(label);
    absl::StatusOr<v1::CountyEvaluation> bad =
        evaluate("c-" + std::to_string(label.size()), tls);
    ASSERT_TRUE(bad.ok()) << bad.status();
    EXPECT_EQ(bad->evidence_checked(), v1::EVIDENCE_UNKNOWN);
    EXPECT_THAT(bad->warnings(),
                Contains(AllOf(HasSubstr("evidence status unknown"),
                               HasSubstr("UNAVAILABLE"))));
  }
}

TEST_F(TlsTest, TheWebGatewayServesHttpsAndReachesTheServicesOverTls) {
  const std::string principals = data_.File("principals.txtpb");
  const std::string school = CreateToken(
      principals, "school", "counties/330106/schools/2133010601", "实验小学");
  auto archive = StartArchive(false, {"--principals=" + principals});
  ASSERT_NE(archive, nullptr);
  // Without the CA it cannot reach a TLS archive; with it, it can.
  for (bool with_ca : {false, true}) {
    std::vector<std::string> args = {
        "--checklist_addr=127.0.0.1:1", "--archive_addr=" + archive->address(),
        // Any address: HTTPS may listen where others can reach it.
        "--listen=0.0.0.0:0", "--tls_cert=" + pki_->Pem("server"),
        "--tls_key=" + pki_->Key("server")};
    if (with_ca) args.push_back("--service_tls_ca=" + pki_->Pem("ca"));
    ServerProcess web("junheng-web", args);
    ASSERT_TRUE(web.Start().ok()) << web.Stderr();
    const std::string port = web.address().substr(web.address().rfind(':') + 1);
    httplib::SSLClient https("127.0.0.1", std::stoi(port));
    https.set_ca_cert_path(pki_->Pem("ca").c_str());
    https.enable_server_certificate_verification(true);
    auto r = https.Get("/v1/counties/330106/schools/2133010601/evidence",
                       {{"Authorization", "Bearer " + school}});
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, with_ca ? 200 : 503) << r->body;
    EXPECT_THAT(r->get_header_value("Strict-Transport-Security"),
                HasSubstr("max-age="));
    // Plain HTTP to the HTTPS port gets no answer, and a client that does
    // not trust the gateway's CA does not connect.
    httplib::Client plain("127.0.0.1", std::stoi(port));
    plain.set_connection_timeout(2);
    plain.set_read_timeout(2);
    auto p = plain.Get("/v1/me");
    EXPECT_TRUE(!p || p->status >= 400);
    httplib::SSLClient untrusting("127.0.0.1", std::stoi(port));
    untrusting.set_ca_cert_path(pki_->Pem("other-ca").c_str());
    untrusting.enable_server_certificate_verification(true);
    EXPECT_FALSE(untrusting.Get("/v1/me"));
  }
  CommandResult bad =
      RunCommand("junheng-web",
                 {"--listen=127.0.0.1:0", "--tls_cert=" + pki_->Pem("server"),
                  "--tls_key=" + pki_->Key("client")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("cannot load --tls_cert/--tls_key"));
}

}  // namespace
}  // namespace junheng
