// Parallel work with results delivered in input order: RunInOrder.
//
// EvaluateProvince streams counties in county-code order (so a page token
// is simply "after county C") while evaluating several at a time. The
// window bounds both the memory held (finished results waiting for an
// earlier one) and how much one request queues on the shared pool.
#ifndef JUNHENG_CHECKLIST_SERVICE_APP_IN_ORDER_H_
#define JUNHENG_CHECKLIST_SERVICE_APP_IN_ORDER_H_

#include <cstddef>
#include <map>
#include <memory>
#include <utility>

#include "checklist_service/app/worker_pool.h"
#include "common/mutex.h"

namespace junheng::checklist {

// Runs `work(i)` (returning a T) for i = 0 … n-1 on `pool`, at most
// `window` (≥ 1) at a time, and calls `emit(i, T&)` on the calling thread
// for each i in increasing order, as soon as result i is ready. When emit
// returns false no further work is started and nothing more is emitted.
// Returns once every job it started has finished, so `work` may use the
// caller's locals; the number of results emitted (those for which emit was
// called).
template <typename T, typename Work, typename Emit>
size_t RunInOrder(WorkerPool& pool, size_t n, size_t window, const Work& work,
                  const Emit& emit) {
  struct Shared {
    Mutex mu;
    std::map<size_t, T> done ABSL_GUARDED_BY(mu);
    size_t running ABSL_GUARDED_BY(mu) = 0;
  };
  // Shared with the jobs, which touch it after `work` returns: it must
  // outlive this frame until the last job lets go of it.
  auto shared = std::make_shared<Shared>();
  if (window == 0) window = 1;
  size_t started = 0;
  size_t emitted = 0;
  bool stopped = false;
  while (emitted < n && !stopped) {
    for (; started < n && started - emitted < window; ++started) {
      {
        MutexLock lock(&shared->mu);
        ++shared->running;
      }
      pool.Schedule([shared, &work, i = started] {
        T result = work(i);
        MutexLock lock(&shared->mu);
        shared->done.emplace(i, std::move(result));
        --shared->running;
      });
    }
    T next;
    {
      MutexLock lock(&shared->mu);
      Shared* s = shared.get();
      auto ready = [s, emitted]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
        return s->done.count(emitted) > 0;
      };
      shared->mu.Await(absl::Condition(&ready));
      auto it = shared->done.find(emitted);
      next = std::move(it->second);
      shared->done.erase(it);
    }
    stopped = !emit(emitted, next);
    ++emitted;
  }
  MutexLock lock(&shared->mu);
  Shared* s = shared.get();
  auto idle = [s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) {
    return s->running == 0;
  };
  shared->mu.Await(absl::Condition(&idle));
  return emitted;
}

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_APP_IN_ORDER_H_
