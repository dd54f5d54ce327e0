#include "tests/test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace junheng::testing {
namespace {

// Waits for `pid` up to `timeout`; true once reaped.
bool WaitFor(pid_t pid, absl::Duration timeout, int* status) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

pid_t Spawn(const std::string& path, const std::vector<std::string>& args,
            const std::vector<std::string>& env, int in_fd, int out_fd,
            int err_fd) {
  std::vector<std::string> argv_storage = {path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = env;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (in_fd >= 0) ::dup2(in_fd, 0);
    if (out_fd >= 0) ::dup2(out_fd, 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    // The test may block signals in its threads; the child must not inherit
    // that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (auto& e : env_storage) ::putenv(e.data());
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

std::string BinDir() { return JUNHENG_BIN_DIR; }

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      absl::StrCat(base && *base ? base : "/tmp", "/junheng-test-XXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) std::abort();
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ServerProcess::ServerProcess(std::string binary, std::vector<std::string> args)
    : binary_(std::move(binary)), args_(std::move(args)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
}

absl::Status ServerProcess::Start() {
  const std::string out_path = logs_.File("stdout");
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err =
      ::open(logs_.File("stderr").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<std::string> args = args_;
  // Tests that are not about access control run without it. junheng-web
  // has no access control of its own: the services decide.
  if (binary_ != "junheng-web" &&
      std::none_of(args.begin(), args.end(), [](const std::string& a) {
        return a.rfind("--principals", 0) == 0 ||
               a.rfind("--insecure_no_auth", 0) == 0;
      })) {
    args.push_back("--insecure_no_auth");
  }
  args.push_back("--listen=127.0.0.1:0");
  pid_ = Spawn(BinDir() + "/" + binary_, args, {}, -1, out, err);
  ::close(out);
  ::close(err);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    std::string text = ReadFile(out_path);
    const size_t at = text.find("listening on ");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      std::string rest = text.substr(at + 13);
      address_ = rest.substr(0, rest.find('\n'));
      return absl::OkStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat(binary_, " exited at start: ", Stderr()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Kill();
  return absl::DeadlineExceededError(binary_ + " did not start in 20 s");
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, absl::Seconds(15), &status)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  CheckSanitizerReports();
  return status;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  CheckSanitizerReports();
}

void ServerProcess::CheckSanitizerReports() {
  // A sanitizer in the server reports to its stderr, which the test would
  // otherwise never look at.
  const std::string err = Stderr();
  for (const char* marker :
       {"WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
        "ERROR: LeakSanitizer", "runtime error:"}) {
    const size_t at = err.find(marker);
    if (at != std::string::npos) {
      ADD_FAILURE() << binary_ << " reported a sanitizer error:\n"
                    << err.substr(at >= 200 ? at - 200 : 0, 6000);
      return;
    }
  }
}

int64_t ServerProcess::PeakRssBytes() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmHWM:")) {
      std::string_view rest(line);
      rest.remove_prefix(6);
      int64_t kib = 0;
      std::string digits;
      for (char c : rest) {
        if (c >= '0' && c <= '9') digits.push_back(c);
      }
      if (absl::SimpleAtoi(digits, &kib)) return kib * 1024;
    }
  }
  return -1;
}

std::string ServerProcess::Stderr() const {
  return ReadFile(logs_.File("stderr"));
}

absl::StatusOr<Services> StartServices(const TempDir& dir,
                                       const std::string& principals,
                                       const std::string& standards_dir) {
  WriteFile(dir.File("service.token"),
            CreateToken(principals, "service", "", "junheng-checklist") + "\n");
  Services s;
  s.archive = std::make_unique<ServerProcess>(
      "junheng-archive",
      std::vector<std::string>{"--data_dir=" + dir.File("archive"),
                               "--principals=" + principals});
  if (absl::Status st = s.archive->Start(); !st.ok()) {
    return absl::Status(st.code(),
                        absl::StrCat(st.message(), "\n", s.archive->Stderr()));
  }
  s.checklist = std::make_unique<ServerProcess>(
      "junheng-checklist",
      std::vector<std::string>{
          "--data_dir=" + dir.File("checklist"), "--principals=" + principals,
          "--standards_dir=" + standards_dir,
          "--archive_addr=" + s.archive->address(),
          "--archive_token_file=" + dir.File("service.token")});
  if (absl::Status st = s.checklist->Start(); !st.ok()) {
    return absl::Status(
        st.code(), absl::StrCat(st.message(), "\n", s.checklist->Stderr()));
  }
  return s;
}

CommandResult RunCommand(const std::string& binary,
                         const std::vector<std::string>& args,
                         const std::vector<std::string>& env,
                         absl::Duration timeout) {
  TempDir io;
  const int out = ::open(io.File("out").c_str(), O_WRONLY | O_CREAT, 0644);
  const int err = ::open(io.File("err").c_str(), O_WRONLY | O_CREAT, 0644);
  const int in = ::open("/dev/null", O_RDONLY);
  const pid_t pid = Spawn(BinDir() + "/" + binary, args, env, in, out, err);
  ::close(out);
  ::close(err);
  ::close(in);
  CommandResult result;
  int status = 0;
  if (!WaitFor(pid, timeout, &status)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = ReadFile(io.File("out"));
  result.err = ReadFile(io.File("err"));
  return result;
}

std::string CreateToken(const std::string& principals, const std::string& role,
                        const std::string& scope, const std::string& name,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"admin",        "token",    "create",
                                   "--principals", principals, "--role",
                                   role,           "--name",   name};
  if (!scope.empty()) {
    args.push_back("--scope");
    args.push_back(scope);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = RunCommand("junheng", args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::string(absl::StripAsciiWhitespace(r.out));
}

std::function<int64_t(char*, size_t)> ReadFrom(const std::string& bytes) {
  auto at = std::make_shared<size_t>(0);
  return [&bytes, at](char* buf, size_t max) -> int64_t {
    const size_t n = std::min(max, bytes.size() - *at);
    std::memcpy(buf, bytes.data() + *at, n);
    *at += n;
    return static_cast<int64_t>(n);
  };
}

std::string TestBytes(int64_t size, uint64_t seed) {
  std::string out(static_cast<size_t>(size), '\0');
  std::mt19937_64 rng(seed);
  size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < out.size(); ++i) out[i] = static_cast<char>(rng());
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// The number in a "Name:   123 kB" line of /proc/PID/status.
int64_t StatusField(pid_t pid, absl::string_view field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, field)) continue;
    std::string digits;
    for (char c : line.substr(field.size())) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    int64_t value = 0;
    if (absl::SimpleAtoi(digits, &value)) return value;
  }
  return -1;
}

}  // namespace

int CountOpenFds(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it(absl::StrCat("/proc/", pid, "/fd"),
                                         ec);
  if (ec) return -1;
  int n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return -1;
    ++n;
  }
  return n;
}

int ThreadCount(pid_t pid) {
  return static_cast<int>(StatusField(pid, "Threads:"));
}

int64_t RssBytes(pid_t pid) {
  const int64_t kib = StatusField(pid, "VmRSS:");
  return kib < 0 ? -1 : kib * 1024;
}

std::string AddToCsvCell(const std::string& csv, const std::string& school,
                         const std::string& column, double amount) {
  std::vector<std::string> lines = absl::StrSplit(csv, '\n');
  std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  size_t at = 0;
  while (at < header.size() && header[at] != column) ++at;
  EXPECT_LT(at, header.size()) << column;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    if (cells.size() <= at || cells[1] != school) continue;
    double value = 0;
    EXPECT_TRUE(absl::SimpleAtod(cells[at], &value)) << cells[at];
    cells[at] = absl::StrCat(value + amount);
    lines[i] = absl::StrJoin(cells, ",");
  }
  return absl::StrJoin(lines, "\n");
}

}  // namespace junheng::testing
