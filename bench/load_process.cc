#include "bench/load_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace junheng::load {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Forks and execs `argv` with stdout/stderr on the given descriptors.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::vector<std::string> storage = argv;
  std::vector<char*> args;
  for (auto& a : storage) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    if (out_fd >= 0) ::dup2(out_fd, 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    // The tool blocks no signals, but be explicit: the services manage
    // their own shutdown signals.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

bool WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

}  // namespace

std::string BinDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "build/bin";
  return exe.parent_path().string();
}

ScratchDir::ScratchDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      absl::StrCat(base && *base ? base : "/tmp", "/", prefix, "-XXXXXX");
  if (::mkdtemp(templ.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandOutput RunCapture(const std::vector<std::string>& argv) {
  CommandOutput result;
  char out_path[] = "/tmp/junheng-load-out-XXXXXX";
  char err_path[] = "/tmp/junheng-load-err-XXXXXX";
  const int out = ::mkstemp(out_path);
  const int err = ::mkstemp(err_path);
  if (out < 0 || err < 0) return result;
  const pid_t pid = Spawn(argv, out, err);
  ::close(out);
  ::close(err);
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return result;
}

ServiceProcess::ServiceProcess(std::string binary,
                               std::vector<std::string> args,
                               std::string log_dir)
    : binary_(std::move(binary)), args_(std::move(args)) {
  const std::string base = absl::StrCat(
      log_dir, "/", std::filesystem::path(binary_).filename().string());
  out_path_ = base + ".stdout";
  err_path_ = base + ".stderr";
}

ServiceProcess::~ServiceProcess() { Stop(); }

absl::Status ServiceProcess::Start(absl::Duration timeout) {
  const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv = {binary_, "--listen=127.0.0.1:0"};
  argv.insert(argv.end(), args_.begin(), args_.end());
  pid_ = Spawn(argv, out, err);
  ::close(out);
  ::close(err);
  if (pid_ < 0) return absl::InternalError("fork failed");
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    const std::string text = Slurp(out_path_);
    const size_t at = text.find("listening on ");
    const size_t eol = at == std::string::npos ? at : text.find('\n', at);
    if (eol != std::string::npos) {
      address_ = text.substr(at + 13, eol - at - 13);
      return absl::OkStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat(binary_, " exited before listening: ", StderrTail()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(binary_, " did not print its address: ", StderrTail()));
}

void ServiceProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!WaitFor(pid_, absl::Seconds(15))) {
    ::kill(pid_, SIGKILL);
    WaitFor(pid_, absl::Seconds(5));
  }
  pid_ = -1;
}

std::string ServiceProcess::StderrTail() const {
  const std::string err = Slurp(err_path_);
  return err.size() > 2000 ? err.substr(err.size() - 2000) : err;
}

ProcSample ReadProc(pid_t pid) {
  ProcSample s;
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  auto kib = [](absl::string_view v) {
    int64_t n = 0;
    v = absl::StripAsciiWhitespace(v);
    (void)absl::SimpleAtoi(v.substr(0, v.find(' ')), &n);
    return n * 1024;
  };
  while (std::getline(status, line)) {
    absl::string_view l = line;
    if (absl::ConsumePrefix(&l, "VmRSS:")) s.rss_bytes = kib(l);
    if (absl::ConsumePrefix(&l, "VmHWM:")) s.peak_rss_bytes = kib(l);
    if (absl::ConsumePrefix(&l, "Threads:")) {
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(l), &s.threads);
    }
  }
  // /proc/PID/stat: the command name may hold spaces; fields resume after
  // the last ')'. utime and stime are fields 14 and 15 (1-based).
  const std::string stat = Slurp(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  if (paren != std::string::npos) {
    std::vector<absl::string_view> f =
        absl::StrSplit(absl::string_view(stat).substr(paren + 2), ' ');
    // After ')': field 3 is f[0], so field 14 is f[11].
    int64_t utime = 0, stime = 0;
    if (f.size() > 12 && absl::SimpleAtoi(f[11], &utime) &&
        absl::SimpleAtoi(f[12], &stime)) {
      s.cpu_seconds =
          static_cast<double>(utime + stime) / ::sysconf(_SC_CLK_TCK);
    }
  }
  return s;
}

RssSampler::RssSampler(std::vector<pid_t> pids, absl::Duration period)
    : pids_(std::move(pids)),
      max_rss_(pids_.size(), 0),
      max_threads_(pids_.size(), 0) {
  thread_ = std::thread([this, period] {
    while (!stop_) {
      for (size_t i = 0; i < pids_.size(); ++i) {
        const ProcSample s = ReadProc(pids_[i]);
        absl::MutexLock lock(&mu_);
        max_rss_[i] = std::max(max_rss_[i], s.rss_bytes);
        max_threads_[i] = std::max(max_threads_[i], s.threads);
      }
      absl::SleepFor(period);
    }
  });
}

RssSampler::~RssSampler() { Stop(); }

void RssSampler::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

int64_t RssSampler::MaxRss(size_t i) const {
  absl::MutexLock lock(&mu_);
  return max_rss_[i];
}

int RssSampler::MaxThreads(size_t i) const {
  absl::MutexLock lock(&mu_);
  return max_threads_[i];
}

double LoadAverage1() {
  double avg = 0;
  const std::string text = Slurp("/proc/loadavg");
  (void)absl::SimpleAtod(text.substr(0, text.find(' ')), &avg);
  return avg;
}

}  // namespace junheng::load
