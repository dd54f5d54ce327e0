// Child processes for junheng-load: the real service binaries started on
// loopback with a port they pick, and what /proc says about their memory
// and CPU while the load runs.
//
//   ServiceProcess archive(BinDir() + "/junheng-archive", {"--data_dir=D"});
//   if (!archive.Start(absl::Seconds(20)).ok()) ...
//   ProcSample s = ReadProc(archive.pid());
//
// A child gets SIGTERM when the tool dies (PR_SET_PDEATHSIG), so an
// interrupted load never leaves services running.
#ifndef JUNHENG_BENCH_LOAD_PROCESS_H_
#define JUNHENG_BENCH_LOAD_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace junheng::load {

// The directory of this executable (build/bin), where the services live.
std::string BinDir();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandOutput {
  int exit_code = -1;  // -1: did not exit normally
  std::string out, err;
};

// Runs `argv` (argv[0] a path) to completion, capturing its output.
CommandOutput RunCapture(const std::vector<std::string>& argv);

class ServiceProcess {
 public:
  // `args` exclude --listen, which is always 127.0.0.1:0. stdout and stderr
  // go to files in `log_dir`.
  ServiceProcess(std::string binary, std::vector<std::string> args,
                 std::string log_dir);
  ~ServiceProcess();  // SIGTERM, then SIGKILL after 15 s
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Starts it and waits for its "listening on host:port" line.
  absl::Status Start(absl::Duration timeout);
  void Stop();
  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }
  // The tail of its stderr, for error messages.
  std::string StderrTail() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  std::string address_;
};

struct ProcSample {
  int64_t rss_bytes = 0;       // VmRSS
  int64_t peak_rss_bytes = 0;  // VmHWM
  double cpu_seconds = 0;      // utime + stime
  int threads = 0;
};
ProcSample ReadProc(pid_t pid);

// Samples the current RSS and thread count of some processes every
// `period` and keeps the maxima: VmHWM alone cannot say whether the peak
// came during the load or during the import before it.
class RssSampler {
 public:
  RssSampler(std::vector<pid_t> pids, absl::Duration period);
  ~RssSampler();
  void Stop();
  int64_t MaxRss(size_t i) const;
  int MaxThreads(size_t i) const;

 private:
  std::vector<pid_t> pids_;
  mutable absl::Mutex mu_;
  std::vector<int64_t> max_rss_ ABSL_GUARDED_BY(mu_);
  std::vector<int> max_threads_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The 1-minute load average, for the report: the machines are shared.
double LoadAverage1();

}  // namespace junheng::load

#endif  // JUNHENG_BENCH_LOAD_PROCESS_H_
