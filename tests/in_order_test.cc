// The shared worker pool and the in-order runner EvaluateProvince streams
// with: results in input order whatever order the work finishes in, the
// window bounding the work in flight, a stop that waits for what it
// started. In-process and without gRPC, so scripts/test.sh
// --sanitize=thread runs it.
#include "checklist_service/app/in_order.h"

#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "checklist_service/app/worker_pool.h"
#include "gtest/gtest.h"

namespace junheng::checklist {
namespace {

TEST(RunInOrderTest, EmitsInOrderWhateverOrderTheWorkFinishesIn) {
  WorkerPool pool(4);
  std::mt19937 random(7);
  std::vector<int> delays_us(200);
  for (int& d : delays_us) d = static_cast<int>(random() % 500);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::vector<size_t> order;
  const size_t emitted = RunInOrder<int>(
      pool, delays_us.size(), 3,
      [&](size_t i) {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(delays_us[i]));
        --running;
        return static_cast<int>(i) * 10;
      },
      [&](size_t i, int& result) {
        EXPECT_EQ(result, static_cast<int>(i) * 10);
        order.push_back(i);
        return true;
      });
  EXPECT_EQ(emitted, delays_us.size());
  ASSERT_EQ(order.size(), delays_us.size());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  // The window bounds the work in flight, the pool the threads.
  EXPECT_LE(most.load(), 3);
}

TEST(RunInOrderTest, StopsWhenEmitRefusesAndWaitsForWhatItStarted) {
  WorkerPool pool(2);
  std::atomic<int> finished{0};
  std::atomic<int> started{0};
  const size_t emitted = RunInOrder<int>(
      pool, 100, 4,
      [&](size_t) {
        ++started;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ++finished;
        return 0;
      },
      [&](size_t i, int&) { return i < 4; });
  EXPECT_EQ(emitted, 5u);
  // Nothing still runs against this frame, and little ran beyond the stop.
  EXPECT_EQ(finished.load(), started.load());
  EXPECT_LE(started.load(), 5 + 4);
}

TEST(RunInOrderTest, NothingToDo) {
  WorkerPool pool(1);
  EXPECT_EQ(RunInOrder<int>(
                pool, 0, 2, [](size_t) { return 1; },
                [](size_t, int&) { return true; }),
            0u);
}

TEST(WorkerPoolTest, RunsEveryJobScheduledBeforeItIsDestroyed) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 1000; ++i) pool.Schedule([&ran] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(RunInOrderTest, ConcurrentCallersShareOnePool) {
  WorkerPool pool(2);
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&pool, &wrong, c] {
      size_t expected = 0;
      RunInOrder<int>(
          pool, 300, 4, [c](size_t i) { return static_cast<int>(i) + c; },
          [&](size_t i, int& r) {
            if (i != expected++ || r != static_cast<int>(i) + c) ++wrong;
            return true;
          });
      if (expected != 300) ++wrong;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace junheng::checklist
