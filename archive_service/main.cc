// junheng-archive: the evidence archive service.
//
//   junheng-archive --listen 127.0.0.1:0 --data_dir var/archive
//       --principals var/principals.textproto
// The shared server flags (TLS, principals, …) are in common/server_flags.h.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "archive_service/archive_grpc_service.h"
#include "archive_service/archive_store.h"
#include "common/server_flags.h"
#include "common/server_main.h"

ABSL_FLAG(std::string, data_dir, "", "directory of the RocksDB database");
ABSL_FLAG(int64_t, max_file_bytes, int64_t{8} << 30,
          "largest file accepted by Upload, in bytes");
ABSL_FLAG(int64_t, unlogged_after_bytes, int64_t{32} << 20,
          "an upload's bytes past this are written without the WAL and "
          "flushed before the commit; -1: always through the WAL");
ABSL_FLAG(int64_t, min_free_bytes, int64_t{256} << 20,
          "refuse uploads while the data directory has less free space");
ABSL_FLAG(int64_t, max_inflight_upload_bytes, int64_t{512} << 20,
          "memory uploads may hold at once; past it uploads get "
          "RESOURCE_EXHAUSTED with a retry delay; 0: no limit");

int main(int argc, char** argv) {
  junheng::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "The Junheng evidence archive.\n"
      "  junheng-archive --listen 127.0.0.1:0 --data_dir DIR "
      "(--principals FILE | --insecure_no_auth) [--tls_cert F --tls_key F]");
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::fprintf(stderr, "junheng-archive: --data_dir is required\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_max_file_bytes) <= 0) {
    std::fprintf(stderr,
                 "junheng-archive: --max_file_bytes must be positive\n");
    return 2;
  }
  absl::StatusOr<junheng::ServerSetup> setup =
      junheng::ServerSetupFromFlags("junheng-archive");
  if (!setup.ok()) {
    std::fprintf(stderr, "junheng-archive: %s\n",
                 std::string(setup.status().message()).c_str());
    return 2;
  }
  junheng::archive::StoreOptions store_options;
  store_options.unlogged_after_bytes =
      absl::GetFlag(FLAGS_unlogged_after_bytes);
  store_options.min_free_bytes = absl::GetFlag(FLAGS_min_free_bytes);
  auto store = junheng::archive::OpenRocksArchiveStore(data_dir, store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "junheng-archive: %s\n",
                 store.status().ToString().c_str());
    return 1;
  }
  junheng::archive::ArchiveGrpcService service(
      **store, *setup->auth,
      {.max_file_bytes = absl::GetFlag(FLAGS_max_file_bytes),
       .max_inflight_upload_bytes =
           absl::GetFlag(FLAGS_max_inflight_upload_bytes)});
  absl::Status served = junheng::Serve(setup->serve, {&service});
  if (!served.ok()) {
    std::fprintf(stderr, "junheng-archive: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
