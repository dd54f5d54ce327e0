#include "archive_service/s3_chunk_store.h"

#include <openssl/evp.h>

#include <cstdio>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"

namespace junheng::archive {
namespace {

std::string Base64Md5(absl::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_md5(), nullptr);
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(md), n));
}

std::string Between(absl::string_view text, absl::string_view open,
                    absl::string_view close, size_t* from) {
  const size_t a = text.find(open, *from);
  if (a == absl::string_view::npos) return "";
  const size_t b = text.find(close, a + open.size());
  if (b == absl::string_view::npos) return "";
  *from = b + close.size();
  return std::string(text.substr(a + open.size(), b - a - open.size()));
}

std::string UriEscape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      // Upper-case hex, as SigV4's canonical form has it: curl signs the
      // query as written and the store recomputes it canonically.
      static const char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

class S3ChunkStore final : public ChunkStore {
 public:
  explicit S3ChunkStore(const S3ChunkStoreOptions& options)
      : client_(options.s3),
        parallelism_(options.parallelism),
        chunk_size_(options.chunk_size) {}

  std::string Describe() const override { return client_.Describe(); }
  bool IsRemote() const override { return true; }
  int Parallelism() const override { return parallelism_; }
  int64_t ChunkSize() const override { return chunk_size_; }

  absl::Status EnsureBucket();

  absl::Status Put(const Sha256Digest& sha256, absl::string_view bytes,
                   bool) override {
    S3Request r{.method = "PUT",
                .key = S3ChunkKey(sha256),
                .body = bytes,
                .body_sha256 = ToHex(sha256)};
    ASSIGN_OR_RETURN(S3Response response, client_.Call(r));
    if (response.code == 200) return absl::OkStatus();
    return Refused("storing chunk", sha256, response);
  }

  absl::StatusOr<std::string> Get(const Sha256Digest& sha256) override {
    S3Request r{.method = "GET", .key = S3ChunkKey(sha256)};
    r.size_hint = chunk_size_;
    ASSIGN_OR_RETURN(S3Response response, client_.Call(r));
    if (response.code == 200) return std::move(response.body);
    if (response.code == 404) return GetHiddenVersion(sha256);
    return Refused("reading chunk", sha256, response);
  }

  absl::Status Delete(const Sha256Digest& sha256) override {
    // In a versioned bucket this adds a delete marker; the bucket's
    // lifecycle rule for noncurrent versions reclaims the bytes
    // (FORMAT.md). A chunk under retention cannot be deleted at all, and
    // only unreferenced chunks ever are.
    S3Request r{.method = "DELETE", .key = S3ChunkKey(sha256)};
    ASSIGN_OR_RETURN(S3Response response, client_.Call(r));
    if (response.code == 204 || response.code == 200 || response.code == 404) {
      return absl::OkStatus();
    }
    return Refused("deleting chunk", sha256, response);
  }

  absl::Status Sync(bool) override { return absl::OkStatus(); }

  absl::Status Retain(const Sha256Digest& sha256, int64_t until_us) override;

  absl::Status ForEach(
      const std::function<bool(const Sha256Digest&)>& fn) override;

 private:
  absl::Status Refused(absl::string_view doing, const Sha256Digest& sha256,
                       const S3Response& response) const {
    const std::string what =
        absl::StrCat(doing, " ", ToHex(sha256), " in ", Describe(), ": HTTP ",
                     response.code, " ", response.error_code());
    if (response.code == 403) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, "; check the archive's S3 credentials and bucket policy"));
    }
    return absl::InternalError(what);
  }

  // A DELETE by someone with access to the bucket only adds a delete
  // marker in a versioned bucket, and under Object Lock the bytes cannot be
  // removed at all: read the newest version the marker hides, so that
  // frozen evidence stays readable. NOT_FOUND when no version is left.
  absl::StatusOr<std::string> GetHiddenVersion(const Sha256Digest& sha256);

  S3Client client_;
  const int parallelism_;
  const int64_t chunk_size_;
};

absl::StatusOr<std::string> S3ChunkStore::GetHiddenVersion(
    const Sha256Digest& sha256) {
  const std::string key = S3ChunkKey(sha256);
  absl::Status missing = absl::NotFoundError(
      absl::StrCat("stored chunk ", ToHex(sha256), " is missing"));
  ASSIGN_OR_RETURN(
      S3Response list,
      client_.Call(
          {.query = absl::StrCat("prefix=", UriEscape(key), "&versions=")}));
  if (list.code != 200) return missing;
  // Versions are listed newest first; delete markers are <DeleteMarker>.
  size_t at = 0;
  for (;;) {
    const std::string version =
        Between(list.body, "<Version>", "</Version>", &at);
    if (version.empty()) return missing;
    size_t k = 0, v = 0;
    if (Between(version, "<Key>", "</Key>", &k) != key) continue;
    const std::string id = Between(version, "<VersionId>", "</VersionId>", &v);
    if (id.empty()) continue;
    S3Request r{.key = key, .query = absl::StrCat("versionId=", UriEscape(id))};
    r.size_hint = chunk_size_;
    ASSIGN_OR_RETURN(S3Response got, client_.Call(r));
    if (got.code == 200) return std::move(got.body);
  }
}

absl::Status S3ChunkStore::EnsureBucket() {
  ASSIGN_OR_RETURN(S3Response head, client_.Call({.method = "HEAD"}));
  if (head.code == 200) return absl::OkStatus();
  if (head.code != 404) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot use the bucket of ", Describe(), ": HTTP ", head.code,
        "; check the credentials and that the bucket belongs to them"));
  }
  ASSIGN_OR_RETURN(
      S3Response created,
      client_.Call({.method = "PUT",
                    .headers = {"x-amz-bucket-object-lock-enabled: true"}}));
  if (created.code != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", Describe(), ": HTTP ", created.code, " ",
                     created.error_code()));
  }
  std::fprintf(stderr, "junheng-archive: created %s with Object Lock\n",
               Describe().c_str());
  return absl::OkStatus();
}

absl::Status S3ChunkStore::Retain(const Sha256Digest& sha256,
                                  int64_t until_us) {
  const std::string key = S3ChunkKey(sha256);
  // A chunk shared by two frozen places keeps the later date: read the
  // current retention first and never ask for a shorter one (the store
  // would refuse it anyway under COMPLIANCE).
  ASSIGN_OR_RETURN(S3Response current,
                   client_.Call({.key = key, .query = "retention="}));
  if (current.code == 200) {
    size_t at = 0;
    const std::string date =
        Between(current.body, "<RetainUntilDate>", "</RetainUntilDate>", &at);
    absl::Time t;
    std::string err;
    if (absl::ParseTime(absl::RFC3339_full, date, &t, &err) &&
        absl::ToUnixMicros(t) >= until_us) {
      return absl::OkStatus();
    }
  } else if (current.code == 404 &&
             current.error_code() != "NoSuchObjectLockConfiguration" &&
             current.error_code() != "ObjectLockConfigurationNotFoundError") {
    return absl::DataLossError(absl::StrCat("stored chunk ", ToHex(sha256),
                                            " is missing from ", Describe()));
  }
  const std::string body = absl::StrCat(
      "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Mode>COMPLIANCE</Mode><RetainUntilDate>",
      absl::FormatTime("%Y-%m-%dT%H:%M:%S.000Z", absl::FromUnixMicros(until_us),
                       absl::UTCTimeZone()),
      "</RetainUntilDate></Retention>");
  ASSIGN_OR_RETURN(
      S3Response set,
      client_.Call({.method = "PUT",
                    .key = key,
                    .query = "retention=",
                    .body = body,
                    .headers = {absl::StrCat("Content-MD5: ", Base64Md5(body)),
                                "Content-Type: application/xml"}}));
  if (set.code == 200) return absl::OkStatus();
  if (set.error_code() == "InvalidRequest" ||
      set.error_code() == "InvalidBucketState") {
    return absl::FailedPreconditionError(absl::StrCat(
        Describe(),
        " has no Object Lock, so it cannot keep frozen evidence; use a "
        "bucket created with Object Lock enabled (FORMAT.md)"));
  }
  return Refused("putting retention on chunk", sha256, set);
}

absl::Status S3ChunkStore::ForEach(
    const std::function<bool(const Sha256Digest&)>& fn) {
  std::string token;
  for (;;) {
    // Parameters in sorted order: curl signs the query as written.
    std::string query;
    if (!token.empty()) {
      absl::StrAppend(&query, "continuation-token=", UriEscape(token), "&");
    }
    absl::StrAppend(&query, "list-type=2&prefix=", UriEscape(kS3ChunkPrefix));
    ASSIGN_OR_RETURN(S3Response page,
                     client_.Call({.method = "GET", .query = query}));
    if (page.code != 200) {
      return absl::InternalError(absl::StrCat("listing ", Describe(), ": HTTP ",
                                              page.code, " ",
                                              page.error_code()));
    }
    size_t at = 0;
    for (;;) {
      std::string key = Between(page.body, "<Key>", "</Key>", &at);
      if (key.empty()) break;
      auto digest = ParseSha256Hex(absl::string_view(key).substr(
          std::min(key.size(), sizeof(kS3ChunkPrefix) - 1)));
      if (digest.has_value() && !fn(*digest)) return absl::OkStatus();
    }
    size_t t = 0;
    if (Between(page.body, "<IsTruncated>", "</IsTruncated>", &t) != "true") {
      return absl::OkStatus();
    }
    t = 0;
    token = Between(page.body, "<NextContinuationToken>",
                    "</NextContinuationToken>", &t);
    if (token.empty()) return absl::OkStatus();
  }
}

}  // namespace

std::string S3ChunkKey(const Sha256Digest& sha256) {
  return absl::StrCat(kS3ChunkPrefix, ToHex(sha256));
}

absl::StatusOr<std::unique_ptr<ChunkStore>> OpenS3ChunkStore(
    const S3ChunkStoreOptions& options) {
  if (options.s3.endpoint.empty() || options.s3.bucket.empty()) {
    return absl::InvalidArgumentError(
        "the S3 chunk store needs --s3_endpoint and --s3_bucket");
  }
  auto store = std::make_unique<S3ChunkStore>(options);
  absl::Status bucket = store->EnsureBucket();
  if (absl::IsUnavailable(bucket)) {
    std::fprintf(stderr, "junheng-archive: warning: %s\n",
                 std::string(bucket.message()).c_str());
  } else if (!bucket.ok()) {
    return bucket;
  }
  return store;
}

}  // namespace junheng::archive
