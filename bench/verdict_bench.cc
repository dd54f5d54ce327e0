// What the checklist service adds to an evaluation before its bytes leave,
// and what a client pays to read them: the verdict of one county as API
// messages, their bytes, and back (Google Benchmark).
//
//   BM_Evaluate/300       the evaluation itself (standard and input checked
//                         once, as the service does): the baseline.
//   BM_ToApi/summary|full the verdict as a CountyEvaluation on an arena, as
//                         the province stream builds each reply: the
//                         sentences of what fails, and in the full view
//                         every school's results as SchoolTable columns.
//   BM_Serialize/…        ByteSizeLong and SerializeWithCachedSizesToArray
//                         into a reused buffer, as gRPC serializes a reply.
//   BM_Parse/…            the bytes parsed into an arena, as a client does.
//   BM_Expand/full        parsed and expanded into school messages
//                         (ExpandEvaluation), as the CLI and the REST
//                         gateway do.
//
// The county is junheng-evaluator-bench's (bench_counties.h): 300 schools
// against moe-2017-quality, 319 failing items. Counters: x_evaluation, the
// case's time over one evaluation of the same county measured in the same
// process just before (so a busy machine moves both); bytes, the reply's
// size.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bench/bench_counties.h"
#include "benchmark/benchmark.h"
#include "checklist_service/app/checklist.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/evaluator/evidence.h"
#include "checklist_service/grpc/verdict_proto.h"
#include "common/school_table.h"
#include "google/protobuf/arena.h"
#include "junheng/v1/checklist.pb.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

constexpr int kSchools = 300;

struct County {
  CountyInput input;
  std::optional<CheckedStandard> standard;
  std::optional<CheckedCountyInput> checked;
};

const County& TheCounty() {
  static const County* const kCounty = [] {
    auto* county = new County;
    const v1::IndicatorStandard& standard = Standards().at("moe-2017-quality");
    county->input = Generator(20250901).County("330106", kSchools, standard);
    county->standard = *CheckedStandard::Check(standard);
    county->checked = *CheckedCountyInput::Check(county->input);
    return county;
  }();
  return *kCounty;
}

// The county's evaluation as the service returns it (evidence not asked).
CountyEvaluation Evaluation() {
  const County& county = TheCounty();
  CountyEvaluation e;
  e.verdict = EvaluateCounty(*county.standard, *county.checked);
  JudgeEvidence(county.standard->standard(), nullptr, e.verdict);
  e.standard = &county.standard->standard();
  e.revision = 1;
  return e;
}

// Seconds one evaluation takes: the best of five timed batches.
double EvaluationSeconds() {
  static const double kSeconds = [] {
    const County& county = TheCounty();
    double best = 1e9;
    for (int batch = 0; batch < 5; ++batch) {
      constexpr int kRounds = 200;
      const auto start = std::chrono::steady_clock::now();
      for (int round = 0; round < kRounds; ++round) {
        benchmark::DoNotOptimize(
            EvaluateCounty(*county.standard, *county.checked));
      }
      const std::chrono::duration<double> took =
          std::chrono::steady_clock::now() - start;
      best = std::min(best, took.count() / kRounds);
    }
    return best;
  }();
  return kSeconds;
}

// Times `body` per iteration and sets x_evaluation.
template <typename Body>
void Timed(benchmark::State& state, Body body) {
  EvaluationSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) body();
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  state.counters["x_evaluation"] = took.count() /
                                   static_cast<double>(state.iterations()) /
                                   EvaluationSeconds();
}

// The reply's bytes in `view`.
std::string Reply(v1::EvaluationView view) {
  v1::CountyEvaluation out;
  ToApi(Evaluation(), view, &out);
  return out.SerializeAsString();
}

void BM_Evaluate(benchmark::State& state) {
  const County& county = TheCounty();
  Timed(state, [&] {
    benchmark::DoNotOptimize(EvaluateCounty(*county.standard, *county.checked));
  });
}
BENCHMARK(BM_Evaluate)->Arg(kSchools)->Unit(benchmark::kMillisecond);

void BM_ToApi(benchmark::State& state, v1::EvaluationView view) {
  const CountyEvaluation e = Evaluation();
  Timed(state, [&] {
    google::protobuf::Arena arena;
    auto* out =
        google::protobuf::Arena::CreateMessage<v1::CountyEvaluation>(&arena);
    ToApi(e, view, out);
    benchmark::DoNotOptimize(out);
  });
  state.counters["bytes"] = static_cast<double>(Reply(view).size());
}

void BM_Serialize(benchmark::State& state, v1::EvaluationView view) {
  google::protobuf::Arena arena;
  auto* message =
      google::protobuf::Arena::CreateMessage<v1::CountyEvaluation>(&arena);
  ToApi(Evaluation(), view, message);
  std::string buffer(message->ByteSizeLong(), '\0');
  Timed(state, [&] {
    const size_t size = message->ByteSizeLong();
    if (size > buffer.size()) buffer.resize(size);
    benchmark::DoNotOptimize(message->SerializeWithCachedSizesToArray(
        reinterpret_cast<uint8_t*>(buffer.data())));
  });
  state.counters["bytes"] = static_cast<double>(message->ByteSizeLong());
}

void BM_Parse(benchmark::State& state, v1::EvaluationView view) {
  const std::string reply = Reply(view);
  Timed(state, [&] {
    google::protobuf::Arena arena;
    auto* e =
        google::protobuf::Arena::CreateMessage<v1::CountyEvaluation>(&arena);
    if (!e->ParseFromString(reply)) state.SkipWithError("does not parse");
    benchmark::DoNotOptimize(e);
  });
  state.counters["bytes"] = static_cast<double>(reply.size());
}

void BM_Expand(benchmark::State& state) {
  const std::string reply = Reply(v1::EVALUATION_VIEW_FULL);
  Timed(state, [&] {
    google::protobuf::Arena arena;
    auto* e =
        google::protobuf::Arena::CreateMessage<v1::CountyEvaluation>(&arena);
    if (!e->ParseFromString(reply) || !ExpandEvaluation(e).ok()) {
      state.SkipWithError("does not expand");
    }
    benchmark::DoNotOptimize(e);
  });
  state.counters["bytes"] = static_cast<double>(reply.size());
}

BENCHMARK_CAPTURE(BM_ToApi, summary, v1::EVALUATION_VIEW_SUMMARY)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ToApi, full, v1::EVALUATION_VIEW_FULL)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Serialize, summary, v1::EVALUATION_VIEW_SUMMARY)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Serialize, full, v1::EVALUATION_VIEW_FULL)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Parse, summary, v1::EVALUATION_VIEW_SUMMARY)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Parse, full, v1::EVALUATION_VIEW_FULL)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Expand)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace junheng::checklist

BENCHMARK_MAIN();
