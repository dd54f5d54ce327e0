// junheng-checklist: indicator standards, statistics and evaluation.
//
//   junheng-checklist --listen 127.0.0.1:0 --data_dir DIR
//       [--standards_dir standards] [--archive_addr 127.0.0.1:50051]
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "checklist_service/checklist_grpc_service.h"
#include "checklist_service/checklist_store.h"
#include "checklist_service/standard_loader.h"
#include "common/server_main.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "host:port to serve on; port 0 picks a free port, printed on start");
ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB database");
ABSL_FLAG(std::string, standards_dir, JUNHENG_DEFAULT_STANDARDS_DIR,
          "directory of the *.textproto indicator standards");
ABSL_FLAG(std::string, archive_addr, "",
          "host:port of junheng-archive, for evidence status (optional)");
ABSL_FLAG(int, archive_timeout_ms, 2000,
          "how long an evaluation waits for the archive at most");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "how long in-flight calls may run on after SIGTERM");

int main(int argc, char** argv) {
  junheng::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "The Junheng checklist service.\n"
      "  junheng-checklist --listen 127.0.0.1:0 --data_dir DIR "
      "[--archive_addr HOST:PORT]");
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::fprintf(stderr, "junheng-checklist: --data_dir is required\n");
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
  auto store = junheng::checklist::OpenRocksChecklistStore(data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n",
                 store.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<junheng::v1::ArchiveService::Stub> archive;
  if (const std::string addr = absl::GetFlag(FLAGS_archive_addr);
      !addr.empty()) {
    archive = junheng::v1::ArchiveService::NewStub(
        grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  }
  junheng::checklist::ChecklistOptions options;
  options.archive_timeout =
      absl::Milliseconds(absl::GetFlag(FLAGS_archive_timeout_ms));
  junheng::checklist::ChecklistGrpcService service(
      **store, *std::move(standards), std::move(archive), options);
  absl::Status served = junheng::Serve(
      {.listen_address = absl::GetFlag(FLAGS_listen),
       .server_name = "junheng-checklist",
       .shutdown_grace =
           absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds))},
      {&service});
  if (!served.ok()) {
    std::fprintf(stderr, "junheng-checklist: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
