#include "archive_service/s3_client.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/sha256.h"

namespace junheng::archive {
namespace {

// What a body-less request signs: the SHA-256 of nothing.
constexpr char kEmptySha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Reader {
  absl::string_view rest;
};

size_t ReadBody(char* out, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reader*>(user);
  const size_t take = std::min(size * n, r->rest.size());
  std::memcpy(out, r->rest.data(), take);
  r->rest.remove_prefix(take);
  return take;
}

size_t WriteBody(char* in, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(in, size * n);
  return size * n;
}

size_t WriteHeader(char* in, size_t size, size_t n, void* user) {
  absl::string_view line(in, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(
        user))[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

bool Retryable(long code) {
  return code == 500 || code == 502 || code == 503 || code == 504;
}

std::string Between(absl::string_view text, absl::string_view open,
                    absl::string_view close) {
  const size_t a = text.find(open);
  if (a == absl::string_view::npos) return "";
  const size_t b = text.find(close, a + open.size());
  if (b == absl::string_view::npos) return "";
  return std::string(text.substr(a + open.size(), b - a - open.size()));
}

}  // namespace

std::string S3Response::error_code() const {
  return Between(body, "<Code>", "</Code>");
}

absl::Status LoadS3Credentials(const std::string& file, S3Options* options) {
  if (file.empty()) {
    const char* key = std::getenv("AWS_ACCESS_KEY_ID");
    const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
    if (key == nullptr || secret == nullptr || *key == '\0' ||
        *secret == '\0') {
      return absl::InvalidArgumentError(
          "the S3 chunk store needs credentials: set AWS_ACCESS_KEY_ID and "
          "AWS_SECRET_ACCESS_KEY, or pass --s3_credentials_file (never the "
          "keys themselves on the command line)");
    }
    options->access_key = key;
    options->secret_key = secret;
    return absl::OkStatus();
  }
  std::ifstream in(file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the S3 credentials file ", file));
  }
  struct stat st;
  if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::fprintf(stderr,
                 "junheng-archive: warning: %s is readable by other users; "
                 "chmod 600 it\n",
                 file.c_str());
  }
  // The AWS shared-credentials format; the [default] profile, or the only
  // one there is.
  std::string line, section;
  std::map<std::string, std::map<std::string, std::string>> profiles;
  while (std::getline(in, line)) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#' || l[0] == ';') continue;
    if (l.front() == '[' && l.back() == ']') {
      section = std::string(l.substr(1, l.size() - 2));
      continue;
    }
    const size_t eq = l.find('=');
    if (eq == absl::string_view::npos) continue;
    profiles[section]
            [std::string(absl::StripAsciiWhitespace(l.substr(0, eq)))] =
                std::string(absl::StripAsciiWhitespace(l.substr(eq + 1)));
  }
  auto profile = profiles.find("default");
  if (profile == profiles.end() && profiles.size() == 1) {
    profile = profiles.begin();
  }
  if (profile == profiles.end() ||
      profile->second["aws_access_key_id"].empty() ||
      profile->second["aws_secret_access_key"].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file,
                     " has no [default] profile with aws_access_key_id and "
                     "aws_secret_access_key"));
  }
  options->access_key = profile->second["aws_access_key_id"];
  options->secret_key = profile->second["aws_secret_access_key"];
  return absl::OkStatus();
}

struct S3Client::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

S3Client::S3Client(S3Options options) : options_(std::move(options)) {
  GlobalInit();
}

S3Client::~S3Client() = default;

std::string S3Client::Describe() const {
  return absl::StrCat("s3://", options_.bucket, " at ", options_.endpoint);
}

std::unique_ptr<S3Client::Handle> S3Client::Acquire() {
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  h->curl = curl_easy_init();
  return h;
}

void S3Client::Release(std::unique_ptr<Handle> handle) {
  MutexLock lock(&mu_);
  idle_.push_back(std::move(handle));
}

absl::StatusOr<S3Response> S3Client::Once(Handle& h, const S3Request& r,
                                          const std::string& body_sha256,
                                          std::string* transport_error) {
  CURL* c = h.curl;
  curl_easy_reset(c);
  std::string url = absl::StrCat(options_.endpoint, "/", options_.bucket);
  if (!r.key.empty()) absl::StrAppend(&url, "/", r.key);
  if (!r.query.empty()) absl::StrAppend(&url, "?", r.query);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  const std::string sigv4 = absl::StrCat("aws:amz:", options_.region, ":s3");
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
  const std::string userpwd =
      absl::StrCat(options_.access_key, ":", options_.secret_key);
  curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // For diagnosing a store's refusals: the requests and answers on stderr.
  static const bool verbose = std::getenv("JUNHENG_S3_VERBOSE") != nullptr;
  if (verbose) curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(
      c, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(
      c, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));

  curl_slist* headers = nullptr;
  const std::string content_sha =
      absl::StrCat("x-amz-content-sha256: ", body_sha256);
  headers = curl_slist_append(headers, content_sha.c_str());
  for (const std::string& extra : r.headers) {
    headers = curl_slist_append(headers, extra.c_str());
  }
  Reader reader{r.body};
  if (r.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &reader);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(r.body.size()));
  } else if (r.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  S3Response response;
  if (r.size_hint > 0) response.body.reserve(r.size_hint);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    *transport_error = curl_easy_strerror(rc);
    return absl::UnavailableError(*transport_error);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.code);
  return response;
}

absl::StatusOr<S3Response> S3Client::Call(const S3Request& r) {
  const std::string body_sha256 = !r.body_sha256.empty() ? r.body_sha256
                                  : r.body.empty() ? std::string(kEmptySha256)
                                                   : ToHex(Sha256::Of(r.body));
  thread_local std::minstd_rand jitter(std::random_device{}());
  std::string last;
  absl::Duration backoff = options_.first_backoff;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    std::unique_ptr<Handle> h = Acquire();
    std::string transport_error;
    absl::StatusOr<S3Response> response =
        Once(*h, r, body_sha256, &transport_error);
    Release(std::move(h));
    if (response.ok() && !Retryable(response->code)) return response;
    last = response.ok() ? absl::StrCat("HTTP ", response->code, " ",
                                        response->error_code())
                         : transport_error;
    if (attempt < options_.max_attempts) {
      // Full jitter: concurrent uploads that met the same SlowDown do not
      // all come back at once.
      const double f = std::uniform_real_distribution<double>(0.5, 1.0)(jitter);
      absl::SleepFor(backoff * f);
      backoff *= 2;
    }
  }
  return absl::UnavailableError(absl::StrCat(
      "the chunk store ", Describe(), " did not answer a ", r.method, " after ",
      options_.max_attempts, " attempts (last: ", last,
      "); evidence uploads are refused until it is back, and what the "
      "archive's metadata holds stays readable"));
}

}  // namespace junheng::archive
