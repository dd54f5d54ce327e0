// A small S3 client over libcurl, signing with libcurl's built-in AWS
// Signature Version 4 (CURLOPT_AWS_SIGV4). Just what the archive needs:
// object PUT/GET/DELETE, listing, bucket creation with Object Lock and
// object retention. Debian's libs3 signs only SigV2 and has no versioning
// or retention API, which is why this is not libs3.
//
// Every request carries x-amz-content-sha256 (the body's SHA-256; for a
// chunk that is its own name): RGW needs it to accept curl's signature, and
// the store checks the body against it, so a chunk damaged on its way in is
// refused rather than stored.
//
// Requests that meet a 500, 502, 503 (SlowDown), 504, a timeout or a
// refused connection are retried with exponential backoff and jitter, up to
// a bound; then UNAVAILABLE says which store did not answer.
//
// Thread-safety: Call() may be used from any number of threads; connections
// are pooled and kept alive.
#ifndef JUNHENG_ARCHIVE_SERVICE_S3_CLIENT_H_
#define JUNHENG_ARCHIVE_SERVICE_S3_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/mutex.h"

namespace junheng::archive {

struct S3Options {
  // http://host:port (path-style requests: endpoint/bucket/key).
  std::string endpoint;
  std::string bucket;
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  // Attempts per request, counting the first.
  int max_attempts = 5;
  absl::Duration first_backoff = absl::Milliseconds(50);
  absl::Duration connect_timeout = absl::Seconds(2);
  // Whole request; a 1 MiB chunk takes milliseconds on a healthy store.
  absl::Duration request_timeout = absl::Seconds(30);
};

// Reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or with `file` the AWS
// shared-credentials format ([default], aws_access_key_id = …,
// aws_secret_access_key = …). INVALID_ARGUMENT naming what is missing.
absl::Status LoadS3Credentials(const std::string& file, S3Options* options);

struct S3Request {
  std::string method = "GET";  // GET, PUT, DELETE, HEAD
  std::string key = {};        // empty: the bucket itself
  // Without '?'; sub-resources as "retention=", parameters escaped and in
  // sorted order (curl 7.88 signs the query as written).
  std::string query = {};
  absl::string_view body = {};
  // Hex SHA-256 of body; computed when empty.
  std::string body_sha256 = {};
  std::vector<std::string> headers = {};  // "Name: value"
  // For a GET: the expected size, to reserve the buffer once.
  int64_t size_hint = 0;
};

struct S3Response {
  long code = 0;  // HTTP status
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  // The <Code> of an S3 error body, if any ("NoSuchKey", "AccessDenied").
  std::string error_code() const;
};

class S3Client {
 public:
  explicit S3Client(S3Options options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Options& options() const { return options_; }
  // "s3://bucket at http://host:port", for messages.
  std::string Describe() const;

  // Sends `request`, retrying as described above. Any HTTP answer that is
  // not retried is returned as it came (the caller judges 4xx codes);
  // UNAVAILABLE when the store did not answer within the bound.
  absl::StatusOr<S3Response> Call(const S3Request& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);
  absl::StatusOr<S3Response> Once(Handle& handle, const S3Request& request,
                                  const std::string& body_sha256,
                                  std::string* transport_error);

  const S3Options options_;
  Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_S3_CLIENT_H_
