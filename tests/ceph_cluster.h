// A single-node Ceph (scripts/ceph.sh) for tests: started in a temporary
// directory on loopback ports, stopped and removed on destruction. The
// script's watchdog also stops it if the test process dies first.
#ifndef JUNHENG_TESTS_CEPH_CLUSTER_H_
#define JUNHENG_TESTS_CEPH_CLUSTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "archive_service/s3_client.h"
#include "tests/test_util.h"

namespace junheng::testing {

class CephCluster {
 public:
  // Installs the packages if missing (scripts/ceph.sh install) and starts
  // a cluster: ~5 s.
  static absl::StatusOr<std::unique_ptr<CephCluster>> Start();
  ~CephCluster();

  const std::string& endpoint() const { return endpoint_; }
  // An AWS shared-credentials file (mode 0600) with the S3 user's keys.
  const std::string& credentials_file() const { return credentials_file_; }
  // Endpoint and keys; no bucket.
  archive::S3Options Options() const;

 private:
  CephCluster() = default;

  TempDir dir_;
  std::string endpoint_, access_key_, secret_key_, credentials_file_;
};

}  // namespace junheng::testing

#endif  // JUNHENG_TESTS_CEPH_CLUSTER_H_
