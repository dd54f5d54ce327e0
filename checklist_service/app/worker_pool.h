// A fixed number of threads that run jobs in the order they are scheduled.
//
// The checklist evaluates a province's counties on one pool shared by every
// request, so that however many province calls run at once, evaluation uses
// at most --evaluation_threads cores (a handful of slow requests cannot
// starve the rest of the service of CPU).
//
// Thread-safety: Schedule may be called from any thread. A job must not
// wait for another job (with every thread waiting, none would run).
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_WORKER_POOL_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace junheng::checklist {

class WorkerPool {
 public:
  // `threads` below 1 counts as 1.
  explicit WorkerPool(int threads);
  // Runs every job already scheduled, then joins the threads.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Schedule(std::function<void()> job);
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();

  Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_WORKER_POOL_H_
