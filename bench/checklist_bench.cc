// junheng-checklist-bench: evaluation over RPC against the same evaluation
// as a library call, measured in the same run.
//
// Data: generated counties of 300 schools each (deterministic), imported
// into a real junheng-checklist through ImportSchools / ImportCounties:
// one county, and a province of 67 counties (20,100 schools).
// Cases:
//   library county     EvaluateCounty() on in-memory structs checked once
//                      (the pure evaluator, as the service runs it on a
//                      snapshot it checked on loading;
//                      bench/evaluator_bench.cc has more)
//   library+parse      the same after parsing and checking the county's CSV
//                      rows, as the service does when it loads a snapshot
//   RPC county         EvaluateCounty over loopback (skip_evidence): read the
//                      revision's rows from RocksDB, parse, evaluate,
//                      convert, serialize, receive and parse the reply
//   library province   67 × EvaluateCounty()
//   RPC province       EvaluateProvince, streamed, all 67 replies received
//                      (the full view: every school's results as columns)
//   … expanded         the same, each reply's columns expanded into nested
//                      school messages (ExpandEvaluation), as the CLI and
//                      the REST gateway do
//   … summary view     the same without per-school details
// The service keeps parsed snapshots of recently evaluated counties, so the
// repeated RPC runs measure evaluation, conversion and transport; the first
// (cold) run of each also loads and parses the rows.
// Reported: median milliseconds of repeated rounds (the county cases in
// one group of rounds, the province cases in another, each round running
// every case of its group once), the median of each round's RPC / library
// ratio, the reply size, and the server's peak RSS.
//
//   junheng-checklist-bench [--quick] [--evaluation_threads=N]
//       [--stream_window=BYTES] [--province_runs=N] [--heap_client]
// (--evaluation_threads is passed to the server: province parallelism;
// --stream_window sets the client's HTTP/2 stream window, as an integrator
// can, with BDP probing off: the default leaves gRPC's; --province_runs
// repeats the province cases, so that a profile is mostly them.)
// The province client parses each county's reply into a protobuf Arena, as
// an integrator reading a stream of large messages should: on the heap the
// ~10,000 messages and strings of a full county are allocated and freed one
// by one, which cost the client 55 ms of the province's 190 (measured with
// --heap_client, which parses into one reused heap message as before).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/standard/standard_loader.h"
#include "common/school_table.h"
#include "google/protobuf/arena.h"
#include "grpcpp/grpcpp.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng::checklist {
namespace {

// Where the library cases leave a figure of each verdict, so that nothing
// of the evaluation can be left out.
volatile size_t benchmark_sink = 0;

using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;

constexpr int kSchoolsPerCounty = 300;
constexpr int kCounties = 67;

// A small deterministic generator: the same data on every run.
struct Rng {
  uint64_t s;
  double Uniform(double lo, double hi) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * static_cast<double>(s >> 11) / 9007199254740992.0;
  }
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform(0, 1) * (hi - lo + 1));
  }
};

constexpr char kHeader[] =
    "county_code,school_code,school_name,year,school_type,location,boarding,"
    "has_charter,p_students,p_classes,p_max_class_size,p_teachers,"
    "p_teachers_above_degree,p_backbone_teachers,p_pe_art_teachers,"
    "p_certified_teachers,j_students,j_classes,j_max_class_size,j_teachers,"
    "j_teachers_above_degree,j_backbone_teachers,j_pe_art_teachers,"
    "j_certified_teachers,teaching_area_m2,sports_area_m2,"
    "equipment_value_yuan,multimedia_classrooms,music_rooms,art_rooms,"
    "music_room_min_area_m2,art_room_min_area_m2,public_funds_yuan,"
    "training_funds_yuan\n";

std::string CountyCode(int i) { return absl::StrFormat("33%04d", 100 + i); }

std::string SchoolsCsv(int county, bool header) {
  Rng rng{static_cast<uint64_t>(county) * 7919 + 1};
  std::string out = header ? kHeader : "";
  for (int i = 0; i < kSchoolsPerCounty; ++i) {
    const bool junior = i % 4 == 3;
    const int64_t students = rng.Int(200, 1800);
    const int64_t classes = (students + 39) / 40;
    const int64_t teachers = students / (junior ? 12 : 16) + rng.Int(0, 5);
    std::string part = absl::StrFormat(
        "%d,%d,%d,%d,%d,%d,%d,%d", students, classes, rng.Int(40, 46), teachers,
        teachers * 9 / 10, std::max<int64_t>(1, students / 90),
        students / 100 + 1, teachers);
    const std::string empty = ",,,,,,,";
    absl::StrAppend(
        &out, CountyCode(county), ",", CountyCode(county),
        absl::StrFormat("%04d", i), ",学校", i, ",2025,",
        junior ? "junior" : "primary", ",rural,false,true,",
        junior ? empty : part, ",", junior ? part : empty, ",",
        absl::StrFormat(
            "%.0f,%.0f,%.0f,%d,%d,%d,100,95,%.0f,%.0f\n",
            students * rng.Uniform(4.3, 7.5), students * rng.Uniform(7, 14),
            students * rng.Uniform(1900, 3500), students / 40 + rng.Int(0, 3),
            classes / 12 + 1, classes / 12 + 1, students * 600.0,
            students * 600.0 * rng.Uniform(0.045, 0.08)));
  }
  return out;
}

std::string CountiesCsv() {
  std::string out =
      "county_code,county_name,year,province_code,satisfaction_rate,"
      "junior_consolidation_rate\n";
  for (int c = 0; c < kCounties; ++c) {
    absl::StrAppend(&out, CountyCode(c), ",县", c, ",2025,33,0.9,0.97\n");
  }
  return out;
}

// Times `cases` in rounds, every case once a round, so that each case sees
// the machine as the cases it is compared with did: on a shared VM the
// speed drifts by half from one minute to the next, which separate series
// turned into ratios anywhere from 2.3x to 4x. Gives each case's median
// and the median of its per-round ratio to the first case.
// CPU time is also reported (this process's and the server's, user and
// system), which a VM's stolen time does not inflate as wall time.
struct Timing {
  double ms = 0;
  double ratio = 0;
  double client_cpu_ms = 0;
  double server_cpu_ms = 0;
};

struct Cpu {
  double client = 0;
  double server = 0;
};

Cpu CpuMs(pid_t server) {
  struct rusage self;
  getrusage(RUSAGE_SELF, &self);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  Cpu total{ms(self.ru_utime) + ms(self.ru_stime), 0};
  std::FILE* f =
      std::fopen(absl::StrCat("/proc/", server, "/stat").c_str(), "r");
  if (f != nullptr) {
    char buf[1024];
    const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // Fields 14 and 15 (utime, stime), counted after the ")" that ends the
    // command name.
    const char* at = std::strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    if (at != nullptr &&
        std::sscanf(at + 2,
                    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                    &utime, &stime) == 2) {
      total.server = (utime + stime) * 1e3 / sysconf(_SC_CLK_TCK);
    }
  }
  return total;
}

std::vector<Timing> Interleaved(
    int runs, pid_t server, const std::vector<std::function<void()>>& cases) {
  std::vector<std::vector<double>> ms(cases.size()), ratio(cases.size()),
      client(cases.size()), server_cpu(cases.size());
  for (int r = 0; r < runs; ++r) {
    std::vector<double> round;
    for (size_t c = 0; c < cases.size(); ++c) {
      const Cpu cpu_start = CpuMs(server);
      const absl::Time start = absl::Now();
      cases[c]();
      round.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      const Cpu cpu_end = CpuMs(server);
      client[c].push_back(cpu_end.client - cpu_start.client);
      server_cpu[c].push_back(cpu_end.server - cpu_start.server);
    }
    for (size_t c = 0; c < cases.size(); ++c) {
      ms[c].push_back(round[c]);
      ratio[c].push_back(round[c] / round[0]);
    }
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<Timing> out;
  for (size_t c = 0; c < cases.size(); ++c) {
    out.push_back({median(ms[c]), median(ratio[c]), median(client[c]),
                   median(server_cpu[c])});
  }
  return out;
}

bool Import(v1::ChecklistService::Stub& stub, bool schools,
            const std::string& csv) {
  grpc::ClientContext c;
  v1::ImportResponse response;
  auto writer = schools ? stub.ImportSchools(&c, &response)
                        : stub.ImportCounties(&c, &response);
  for (size_t at = 0; at < csv.size(); at += 1 << 20) {
    v1::ImportRequest m;
    m.set_csv_chunk(csv.substr(at, 1 << 20));
    writer->Write(m);
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) std::fprintf(stderr, "import: %s\n", s.error_message().c_str());
  return s.ok();
}

std::vector<SchoolStats> Parse(const std::string& csv) {
  csv::SchoolsImporter importer;
  (void)importer.Feed(csv);
  auto rows = importer.Finish();
  if (!rows.ok()) {
    std::fprintf(stderr, "parse: %s\n",
                 std::string(rows.status().message()).c_str());
    std::exit(1);
  }
  return std::move(rows->rows);
}

int Main(bool quick, const std::vector<std::string>& server_flags,
         int stream_window, int province_runs_flag, bool heap_client) {
  const int runs = quick ? 5 : 21;
  const int province_runs = province_runs_flag > 0 ? province_runs_flag
                            : quick                ? 1
                                                   : 9;
  auto standards = LoadStandardsDirectory(JUNHENG_SOURCE_DIR "/standards");
  if (!standards.ok()) return 1;
  const v1::IndicatorStandard& standard = standards->at("moe-2017-quality");

  TempDir data;
  std::vector<std::string> flags = {
      "--data_dir=" + data.path(),
      std::string("--standards_dir=") + JUNHENG_SOURCE_DIR + "/standards"};
  flags.insert(flags.end(), server_flags.begin(), server_flags.end());
  ServerProcess server("junheng-checklist", flags);
  if (!server.Start().ok()) return 1;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  if (stream_window > 0) {
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, stream_window);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  }
  auto stub = v1::ChecklistService::NewStub(grpc::CreateCustomChannel(
      server.address(), grpc::InsecureChannelCredentials(), args));

  std::string province_csv = kHeader;
  std::vector<std::string> county_csvs;
  for (int c = 0; c < kCounties; ++c) {
    county_csvs.push_back(SchoolsCsv(c, true));
    province_csv += SchoolsCsv(c, false);
  }
  Parse(county_csvs[0]);  // fails loudly if the generator is wrong
  if (const char* dump = std::getenv("JUNHENG_BENCH_DUMP_DIR")) {
    testing::WriteFile(absl::StrCat(dump, "/schools.csv"), province_csv);
    testing::WriteFile(absl::StrCat(dump, "/counties.csv"), CountiesCsv());
  }
  const absl::Time import_start = absl::Now();
  if (!Import(*stub, true, province_csv) ||
      !Import(*stub, false, CountiesCsv())) {
    return 1;
  }
  const double import_ms =
      absl::ToDoubleMilliseconds(absl::Now() - import_start);

  CountyInput input;
  input.county.county_code = CountyCode(0);
  input.county.year = 2025;
  input.county.satisfaction_rate = 0.9;
  input.county.junior_consolidation_rate = 0.97;
  input.schools = Parse(county_csvs[0]);
  // Checked once, as the server checks a standard and a snapshot when it
  // loads them.
  const absl::StatusOr<CheckedStandard> checked_standard =
      CheckedStandard::Check(standard);
  const absl::StatusOr<CheckedCountyInput> checked =
      CheckedCountyInput::Check(input);
  if (!checked_standard.ok() || !checked.ok()) return 1;
  auto library = [&] {
    CountyVerdict v = EvaluateCounty(*checked_standard, *checked);
    benchmark_sink = v.failing_items.size();
  };
  auto library_parse = [&] {
    CountyInput in = input;
    in.schools = Parse(county_csvs[0]);
    auto v = EvaluateCounty(standard, in);
    if (!v.ok()) std::exit(1);
  };
  size_t reply_bytes = 0;
  auto rpc = [&] {
    grpc::ClientContext c;
    v1::EvaluateCountyRequest r;
    r.set_name(absl::StrCat("counties/", CountyCode(0), "/years/2025"));
    r.set_skip_evidence(true);
    v1::CountyEvaluation e;
    grpc::Status s = stub->EvaluateCounty(&c, r, &e);
    if (!s.ok()) {
      std::fprintf(stderr, "rpc: %s\nserver said: %s\n",
                   s.error_message().c_str(), server.Stderr().c_str());
      std::exit(1);
    }
    reply_bytes = e.ByteSizeLong();
  };
  size_t summary_bytes = 0;
  auto rpc_summary = [&] {
    grpc::ClientContext c;
    v1::EvaluateCountyRequest r;
    r.set_name(absl::StrCat("counties/", CountyCode(0), "/years/2025"));
    r.set_skip_evidence(true);
    r.set_view(v1::EVALUATION_VIEW_SUMMARY);
    v1::CountyEvaluation e;
    if (!stub->EvaluateCounty(&c, r, &e).ok()) std::exit(1);
    summary_bytes = e.ByteSizeLong();
  };
  const std::vector<Timing> county = Interleaved(
      runs, server.pid(), {library, library_parse, rpc, rpc_summary});

  std::vector<CountyInput> inputs;
  for (int c = 0; c < kCounties; ++c) {
    CountyInput in = input;
    in.county.county_code = CountyCode(c);
    in.schools = Parse(county_csvs[c]);
    inputs.push_back(std::move(in));
  }
  std::vector<CheckedCountyInput> checked_inputs;
  for (const CountyInput& in : inputs) {
    absl::StatusOr<CheckedCountyInput> c = CheckedCountyInput::Check(in);
    if (!c.ok()) return 1;
    checked_inputs.push_back(*c);
  }
  auto library_province = [&] {
    for (const CheckedCountyInput& in : checked_inputs) {
      CountyVerdict v = EvaluateCounty(*checked_standard, in);
      benchmark_sink = v.failing_items.size();
    }
  };
  int streamed = 0;
  auto province = [&](v1::EvaluationView view, bool expand) {
    return [&, view, expand] {
      grpc::ClientContext c;
      v1::EvaluateProvinceRequest r;
      r.set_name("provinces/33/years/2025");
      r.set_view(view);
      auto reader = stub->EvaluateProvince(&c, r);
      streamed = 0;
      if (heap_client) {
        v1::EvaluateProvinceResponse e;
        while (reader->Read(&e)) {
          if (e.has_error()) std::exit(1);
          if (expand && !ExpandEvaluation(e.mutable_evaluation()).ok()) {
            std::exit(1);
          }
          ++streamed;
        }
      } else {
        google::protobuf::ArenaOptions options;
        options.start_block_size = 256 << 10;
        options.max_block_size = 1 << 20;
        google::protobuf::Arena arena(options);
        for (;;) {
          auto* e = google::protobuf::Arena::CreateMessage<
              v1::EvaluateProvinceResponse>(&arena);
          if (!reader->Read(e)) break;
          if (e->has_error()) std::exit(1);
          if (expand && !ExpandEvaluation(e->mutable_evaluation()).ok()) {
            std::exit(1);
          }
          ++streamed;
          arena.Reset();
        }
      }
      if (!reader->Finish().ok()) std::exit(1);
    };
  };
  const std::vector<Timing> prov =
      Interleaved(province_runs, server.pid(),
                  {library_province, province(v1::EVALUATION_VIEW_FULL, false),
                   province(v1::EVALUATION_VIEW_FULL, true),
                   province(v1::EVALUATION_VIEW_SUMMARY, false)});

  std::printf(
      "medians of %d rounds (province: %d), each round every case of its "
      "group once;\nratios: the median of each round's ratio\n",
      runs, province_runs);
  std::printf("%-44s %10s\n", "case", "ms");
  std::printf("%-44s %10.2f\n", "library county (300 schools)", county[0].ms);
  std::printf("%-44s %10.2f   %.1fx library\n", "library county + CSV parse",
              county[1].ms, county[1].ratio);
  std::printf("%-44s %10.2f   %.1fx library (reply %zu KiB)\n",
              "RPC EvaluateCounty", county[2].ms, county[2].ratio,
              reply_bytes >> 10);
  std::printf("%-44s %10.2f   %.1fx library (reply %zu KiB)\n",
              "RPC EvaluateCounty, summary view", county[3].ms, county[3].ratio,
              summary_bytes >> 10);
  std::printf("%-44s %10.2f\n",
              "library province (67 counties, 20,100 schools)", prov[0].ms);
  std::printf("%-44s %10.2f   %.1fx library (%d counties streamed)\n",
              "RPC EvaluateProvince", prov[1].ms, prov[1].ratio, streamed);
  std::printf("%-44s %10.2f   %.1fx library\n",
              "RPC EvaluateProvince, full view expanded", prov[2].ms,
              prov[2].ratio);
  std::printf("%-44s %10.2f   %.1fx library\n",
              "RPC EvaluateProvince, summary view", prov[3].ms, prov[3].ratio);
  // The server's CPU time is read from /proc in clock ticks (10 ms).
  std::printf("\nCPU ms, medians (client / server):");
  const char* names[] = {"library", "full", "expanded", "summary"};
  for (int c = 0; c < 4; ++c) {
    std::printf(" %s %.0f / %.0f%s", names[c], prov[c].client_cpu_ms,
                prov[c].server_cpu_ms, c < 3 ? ";" : "\n");
  }
  std::printf("\nimport of 20,100 schools: %.0f ms; server peak RSS %lld MiB\n",
              import_ms, static_cast<long long>(server.PeakRssBytes() >> 20));
  return 0;
}

}  // namespace
}  // namespace junheng::checklist

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> server_flags;
  int stream_window = 0;
  int province_runs = 0;
  bool heap_client = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strncmp(argv[i], "--evaluation_threads=", 21) == 0) {
      server_flags.push_back(argv[i]);
    } else if (std::strncmp(argv[i], "--stream_window=", 16) == 0) {
      stream_window = std::atoi(argv[i] + 16);
    } else if (std::strcmp(argv[i], "--heap_client") == 0) {
      heap_client = true;
    } else if (std::strncmp(argv[i], "--province_runs=", 16) == 0) {
      province_runs = std::atoi(argv[i] + 16);
    }
  }
  return junheng::checklist::Main(quick, server_flags, stream_window,
                                  province_runs, heap_client);
}
