// junheng-archive: the evidence archive service.
//
//   junheng-archive --listen 127.0.0.1:0 --data_dir var/archive
//       --principals var/principals.textproto
//       [--chunk_store=s3 --s3_endpoint URL --s3_bucket NAME]
// The shared server flags (TLS, principals, …) are in common/server_flags.h.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "archive_service/archive.h"
#include "archive_service/archive_grpc_service.h"
#include "archive_service/archive_store.h"
#include "archive_service/s3_chunk_store.h"
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
ABSL_FLAG(std::string, download_check, "ranges",
          "how the server checks the bytes it sends: sha256 (hash every "
          "chunk) or ranges (hash the chunks of partial downloads; whole "
          "files rely on the chunk store's checksums and the receiver's "
          "end-to-end SHA-256, RELIABILITY.md)");
ABSL_FLAG(absl::Duration, upload_session_ttl, absl::Hours(7 * 24),
          "how long a resumable upload that was cut is kept for resuming, "
          "after its last stream (e.g. 168h, 30m, 1s)");
ABSL_FLAG(int64_t, upload_checkpoint_bytes, int64_t{64} << 20,
          "a resumable upload's stream records its progress every this many "
          "bytes, so that a crash of the server loses at most about this "
          "much of it; 0: only when the stream ends");
ABSL_FLAG(std::string, chunk_store, "rocksdb",
          "where evidence bytes live: rocksdb (in --data_dir) or s3 (a "
          "bucket; metadata stays in --data_dir)");
ABSL_FLAG(std::string, s3_endpoint, "",
          "with --chunk_store=s3: the S3 endpoint, e.g. http://127.0.0.1:7480");
ABSL_FLAG(std::string, s3_bucket, "",
          "with --chunk_store=s3: the bucket (created with Object Lock if "
          "missing)");
ABSL_FLAG(std::string, s3_region, "us-east-1",
          "with --chunk_store=s3: the region requests are signed for");
ABSL_FLAG(std::string, s3_credentials_file, "",
          "with --chunk_store=s3: an AWS shared-credentials file; without "
          "it AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are used");
ABSL_FLAG(int64_t, s3_request_timeout_ms, 30000,
          "with --chunk_store=s3: give up on one request after this long "
          "(then retried, up to 5 attempts in all)");
ABSL_FLAG(int64_t, s3_chunk_mib, 8,
          "with --chunk_store=s3: MiB per chunk object of new uploads");
ABSL_FLAG(int, s3_parallelism, 4,
          "with --chunk_store=s3: requests each upload or download keeps in "
          "flight");

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
  if (absl::GetFlag(FLAGS_upload_session_ttl) <= absl::ZeroDuration() ||
      absl::GetFlag(FLAGS_upload_checkpoint_bytes) < 0) {
    std::fprintf(stderr,
                 "junheng-archive: --upload_session_ttl must be positive and "
                 "--upload_checkpoint_bytes not negative\n");
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
  std::unique_ptr<junheng::archive::ChunkStore> chunks;
  const std::string chunk_store = absl::GetFlag(FLAGS_chunk_store);
  if (chunk_store == "s3") {
    junheng::archive::S3ChunkStoreOptions s3;
    s3.s3.endpoint = absl::GetFlag(FLAGS_s3_endpoint);
    s3.s3.bucket = absl::GetFlag(FLAGS_s3_bucket);
    s3.s3.region = absl::GetFlag(FLAGS_s3_region);
    s3.parallelism = std::max(1, absl::GetFlag(FLAGS_s3_parallelism));
    s3.chunk_size =
        std::clamp<int64_t>(absl::GetFlag(FLAGS_s3_chunk_mib), 1, 64) << 20;
    s3.s3.request_timeout =
        absl::Milliseconds(absl::GetFlag(FLAGS_s3_request_timeout_ms));
    absl::Status credentials = junheng::archive::LoadS3Credentials(
        absl::GetFlag(FLAGS_s3_credentials_file), &s3.s3);
    if (!credentials.ok()) {
      std::fprintf(stderr, "junheng-archive: %s\n",
                   std::string(credentials.message()).c_str());
      return 2;
    }
    auto opened = junheng::archive::OpenS3ChunkStore(s3);
    if (!opened.ok()) {
      std::fprintf(stderr, "junheng-archive: %s\n",
                   opened.status().ToString().c_str());
      return absl::IsInvalidArgument(opened.status()) ? 2 : 1;
    }
    chunks = *std::move(opened);
  } else if (chunk_store != "rocksdb") {
    std::fprintf(stderr,
                 "junheng-archive: --chunk_store must be rocksdb or s3, not "
                 "%s\n",
                 chunk_store.c_str());
    return 2;
  }
  auto store = junheng::archive::OpenRocksArchiveStore(data_dir, store_options,
                                                       std::move(chunks));
  if (!store.ok()) {
    std::fprintf(stderr, "junheng-archive: %s\n",
                 store.status().ToString().c_str());
    return 1;
  }
  const std::string check = absl::GetFlag(FLAGS_download_check);
  if (check != "sha256" && check != "ranges") {
    std::fprintf(stderr,
                 "junheng-archive: --download_check must be sha256 or ranges, "
                 "not %s\n",
                 check.c_str());
    return 2;
  }
  junheng::archive::Archive archive(
      **store,
      {.max_file_bytes = absl::GetFlag(FLAGS_max_file_bytes),
       .max_inflight_upload_bytes =
           absl::GetFlag(FLAGS_max_inflight_upload_bytes),
       .download_check = check == "sha256"
                             ? junheng::archive::ChunkCheck::kSha256
                             : junheng::archive::ChunkCheck::kRangesOnly,
       .upload_session_ttl = absl::GetFlag(FLAGS_upload_session_ttl),
       .upload_checkpoint_bytes =
           absl::GetFlag(FLAGS_upload_checkpoint_bytes)});
  junheng::archive::ArchiveGrpcService service(archive, *setup->auth);
  absl::Status served = junheng::Serve(setup->serve, {&service});
  if (!served.ok()) {
    std::fprintf(stderr, "junheng-archive: %s\n", served.ToString().c_str());
    return 1;
  }
  return 0;
}
