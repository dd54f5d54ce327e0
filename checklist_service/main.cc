// junheng-checklist: indicator standards, statistics and evaluation.
//
//   junheng-checklist --listen 127.0.0.1:0 --data_dir DIR
//       [--standards_dir standards] [--archive_addr 127.0.0.1:50051]
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "checklist_service/app/checklist.h"
#include "checklist_service/app/rectification.h"
#include "checklist_service/grpc/archive_evidence.h"
#include "checklist_service/grpc/checklist_grpc_service.h"
#include "checklist_service/grpc/rectification_grpc_service.h"
#include "checklist_service/planner/planner.h"
#include "checklist_service/standard/standard_loader.h"
#include "checklist_service/store/checklist_store.h"
#include "common/server_flags.h"
#include "common/server_main.h"
#include "common/tls.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB database");
ABSL_FLAG(std::string, standards_dir, JUNHENG_DEFAULT_STANDARDS_DIR,
          "directory of the *.textproto indicator standards");
ABSL_FLAG(std::string, archive_addr, "",
          "host:port of junheng-archive, for evidence status (optional)");
ABSL_FLAG(int, archive_timeout_ms, 2000,
          "how long an evaluation waits for the archive at most");
ABSL_FLAG(std::string, archive_token_file, "",
          "file holding this service's own token for the archive (role "
          "service); needed when the archive checks tokens");
ABSL_FLAG(std::string, archive_tls_ca, "",
          "PEM CA to verify the archive's TLS certificate with");
ABSL_FLAG(std::string, archive_tls_cert, "",
          "PEM client certificate for an archive that requires mutual TLS");
ABSL_FLAG(std::string, archive_tls_key, "", "PEM key of --archive_tls_cert");
ABSL_FLAG(std::string, costs_file, "",
          "the default cost model of rectification plans (CSV, "
          "standards/rectification-costs.csv's format); empty: that file in "
          "--standards_dir");
ABSL_FLAG(int, evaluation_threads, 2,
          "threads evaluating a province's counties in parallel, shared by "
          "every EvaluateProvince call (about one per core to spare)");

int main(int argc, char** argv) {
  junheng::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "The Junheng checklist service.\n"
      "  junheng-checklist --listen 127.0.0.1:0 --data_dir DIR "
      "(--principals FILE | --insecure_no_auth) [--archive_addr HOST:PORT "
      "--archive_token_file FILE]");
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::fprintf(stderr, "junheng-checklist: --data_dir is required\n");
    return 2;
  }
  absl::StatusOr<junheng::ServerSetup> setup =
      junheng::ServerSetupFromFlags("junheng-checklist");
  if (!setup.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n",
                 std::string(setup.status().message()).c_str());
    return 2;
  }
  // A standard that does not load is a start-up failure naming file, line
  // and field: serving verdicts from a half-read standard would be worse.
  auto standards = junheng::checklist::LoadStandardsDirectory(
      absl::GetFlag(FLAGS_standards_dir));
  if (!standards.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n",
                 std::string(standards.status().message()).c_str());
    return 1;
  }
  // The same for the default prices: a plan priced from a half-read file
  // would mislead a county's budget.
  std::string costs_path = absl::GetFlag(FLAGS_costs_file);
  if (costs_path.empty()) {
    costs_path =
        absl::GetFlag(FLAGS_standards_dir) + "/rectification-costs.csv";
  }
  std::ifstream costs_in(costs_path, std::ios::binary);
  std::stringstream costs_text;
  costs_text << costs_in.rdbuf();
  if (!costs_in) {
    std::fprintf(stderr, "junheng-checklist: cannot read the cost model %s\n",
                 costs_path.c_str());
    return 1;
  }
  auto costs = junheng::checklist::ParseCostModel(costs_text.str(), {});
  if (!costs.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s: %s\n", costs_path.c_str(),
                 std::string(costs.status().message()).c_str());
    return 1;
  }
  auto store = junheng::checklist::OpenRocksChecklistStore(data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n",
                 store.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<junheng::checklist::EvidenceSource> evidence;
  junheng::checklist::ChecklistOptions options;
  options.archive_timeout =
      absl::Milliseconds(absl::GetFlag(FLAGS_archive_timeout_ms));
  options.evaluation_threads = absl::GetFlag(FLAGS_evaluation_threads);
  if (options.evaluation_threads < 1 || options.evaluation_threads > 256) {
    std::fprintf(stderr,
                 "junheng-checklist: --evaluation_threads must be 1 to 256\n");
    return 2;
  }
  if (const std::string addr = absl::GetFlag(FLAGS_archive_addr);
      !addr.empty()) {
    auto credentials =
        junheng::ChannelCredentials({absl::GetFlag(FLAGS_archive_tls_ca),
                                     absl::GetFlag(FLAGS_archive_tls_cert),
                                     absl::GetFlag(FLAGS_archive_tls_key)});
    if (!credentials.ok()) {
      std::fprintf(stderr, "junheng-checklist: %s\n",
                   std::string(credentials.status().message()).c_str());
      return 2;
    }
    std::string token;
    if (const std::string path = absl::GetFlag(FLAGS_archive_token_file);
        !path.empty()) {
      std::ifstream in(path);
      std::getline(in, token);
      if (!in && token.empty()) {
        std::fprintf(stderr, "junheng-checklist: cannot read %s\n",
                     path.c_str());
        return 2;
      }
    }
    evidence = std::make_unique<junheng::checklist::ArchiveEvidenceSource>(
        junheng::v1::ArchiveService::NewStub(
            grpc::CreateChannel(addr, *credentials)),
        std::move(token));
  }
  junheng::checklist::Checklist checklist(**store, std::move(evidence),
                                          *std::move(standards), options);
  junheng::checklist::ChecklistGrpcService service(checklist, *setup->auth);
  junheng::checklist::Rectification rectification(checklist, **store,
                                                  *std::move(costs));
  junheng::checklist::RectificationGrpcService rectification_service(
      rectification, *setup->auth);
  absl::Status served =
      junheng::Serve(setup->serve, {&service, &rectification_service});
  if (!served.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
