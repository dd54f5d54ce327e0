#include "tests/ceph_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace junheng::testing {
namespace {

std::string Script() {
  return std::string(JUNHENG_SOURCE_DIR) + "/scripts/ceph.sh";
}

// Runs a shell command, returning its stdout; its stderr goes to the test's.
absl::StatusOr<std::string> Run(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return absl::InternalError("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat(command, " failed (", rc, "):\n", out));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CephCluster>> CephCluster::Start() {
  std::unique_ptr<CephCluster> c(new CephCluster());
  const std::string dir = c->dir_.File("ceph");
  absl::StatusOr<std::string> out = Run(absl::StrCat(
      Script(), " start ", dir, " --owner ", ::getpid(), " </dev/null"));
  if (!out.ok()) return out.status();
  for (absl::string_view line : absl::StrSplit(*out, '\n')) {
    if (absl::ConsumePrefix(&line, "endpoint="))
      c->endpoint_ = std::string(line);
    if (absl::ConsumePrefix(&line, "access_key="))
      c->access_key_ = std::string(line);
    if (absl::ConsumePrefix(&line, "secret_key="))
      c->secret_key_ = std::string(line);
  }
  if (c->endpoint_.empty() || c->access_key_.empty()) {
    return absl::InternalError(
        absl::StrCat("ceph.sh start printed no endpoint:\n", *out));
  }
  c->credentials_file_ = c->dir_.File("credentials");
  WriteFile(c->credentials_file_,
            absl::StrCat("[default]\naws_access_key_id = ", c->access_key_,
                         "\naws_secret_access_key = ", c->secret_key_, "\n"));
  ::chmod(c->credentials_file_.c_str(), 0600);
  return c;
}

CephCluster::~CephCluster() {
  auto stopped = Run(absl::StrCat(Script(), " stop ", dir_.File("ceph")));
  if (!stopped.ok()) {
    std::fprintf(stderr, "%s\n", stopped.status().ToString().c_str());
  }
}

archive::S3Options CephCluster::Options() const {
  archive::S3Options o;
  o.endpoint = endpoint_;
  o.access_key = access_key_;
  o.secret_key = secret_key_;
  return o;
}

}  // namespace junheng::testing
