// Test helpers: temporary directories, the real server binaries on loopback
// ports picked at run time, child processes with time limits, and
// deterministic test bytes.
#ifndef JUNHENG_TESTS_TEST_UTIL_H_
#define JUNHENG_TESTS_TEST_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"

namespace junheng::testing {

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}
#define ASSERT_OK(expr) \
  ASSERT_TRUE((expr).ok()) << ::junheng::testing::StatusOf(expr)
#define EXPECT_OK(expr) \
  EXPECT_TRUE((expr).ok()) << ::junheng::testing::StatusOf(expr)

// The directory holding the built binaries (build/bin).
std::string BinDir();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// One server binary running on 127.0.0.1 with a port it chose itself. Its
// stdout and stderr go to files in a log directory. Stopped (SIGTERM, then
// SIGKILL after 10 s) on destruction.
class ServerProcess {
 public:
  // `binary` is a name in BinDir(); `args` are its flags, without --listen.
  // Without --principals among them, --insecure_no_auth is added (but for
  // junheng-web, which has no such flag).
  ServerProcess(std::string binary, std::vector<std::string> args);
  ~ServerProcess();

  // Starts it and waits up to 20 s for "listening on"; the address is then
  // address().
  absl::Status Start();
  // SIGTERM and wait; returns the exit status (as from waitpid).
  int Stop();
  // SIGKILL, as a crash would, and reap.
  void Kill();
  bool Running() const { return pid_ > 0; }

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Peak resident memory of the running process (VmHWM), in bytes.
  int64_t PeakRssBytes() const;
  std::string Stderr() const;

 private:
  // Fails the running test if the server's stderr holds a sanitizer report.
  void CheckSanitizerReports();

  std::string binary_;
  std::vector<std::string> args_;
  TempDir logs_;
  pid_t pid_ = -1;
  std::string address_;
};

// Both services on loopback with authentication, data under `dir`: an
// archive, and a checklist that reaches it with a service token made in
// `principals` (standards from `standards_dir`).
struct Services {
  std::unique_ptr<ServerProcess> archive;
  std::unique_ptr<ServerProcess> checklist;
};
absl::StatusOr<Services> StartServices(const TempDir& dir,
                                       const std::string& principals,
                                       const std::string& standards_dir);

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs a binary from BinDir() with `args` and optional stdin bytes and
// environment additions ("NAME=value"), killing it after `timeout`.
CommandResult RunCommand(const std::string& binary,
                         const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {},
                         absl::Duration timeout = absl::Seconds(60));

// Creates a token with `junheng admin token create` in the principals file
// (created if missing) and returns it; scope "" for admin and service;
// `extra` flags such as {"--expires_in", "1h"}.
std::string CreateToken(const std::string& principals, const std::string& role,
                        const std::string& scope, const std::string& name,
                        const std::vector<std::string>& extra = {});

// A reader for ArchiveClient::Upload that hands out `bytes` (which must
// outlive it) in the pieces asked for.
std::function<int64_t(char*, size_t)> ReadFrom(const std::string& bytes);

// `size` pseudo-random bytes, the same for the same seed.
std::string TestBytes(int64_t size, uint64_t seed);

void WriteFile(const std::string& path, const std::string& bytes);

// A schools.csv text with `amount` added to `column` of `school`'s row (the
// school code is the second column), as a later import would report it.
// Fails the test if the column is missing or the cell is not a number.
std::string AddToCsvCell(const std::string& csv, const std::string& school,
                         const std::string& column, double amount);
std::string ReadFile(const std::string& path);

// What /proc says about a running process, for leak checks: open file
// descriptors, threads and resident memory (VmRSS, bytes). -1 if unreadable.
int CountOpenFds(pid_t pid);
int ThreadCount(pid_t pid);
int64_t RssBytes(pid_t pid);

}  // namespace junheng::testing

#endif  // JUNHENG_TESTS_TEST_UTIL_H_
