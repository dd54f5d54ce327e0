// junheng-web against gRPC straight to the services, in one run: what the
// REST face costs a browser or a script. Starts both services and the
// gateway on loopback (data in a temporary folder) and stops them.
//
//   build/bin/junheng-web-bench [--quick]
//
// Rows (medians of the repetitions):
//   upload     a file of fresh bytes: HTTP POST through the gateway vs the
//              gRPC client (ArchiveClient) straight to the archive
//   download   the same file: HTTP GET (verified by the gateway) vs the
//              gRPC client (verified by the client)
//   evaluate   EvaluateCounty of the 40-school example, one call at a time
//   get        GetEvidence, 8 callers at once
// and the gateway's peak RSS.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "clients/archive_client.h"
#include "clients/connection.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using testing::ServerProcess;

constexpr char kSchool[] = "counties/330106/schools/2133010601";

double Seconds(absl::Time start) {
  return absl::ToDoubleSeconds(absl::Now() - start);
}

// Fresh bytes for every file, so that chunk deduplication does not help.
void Fill(char* buf, int64_t n, uint64_t& counter) {
  for (int64_t at = 0; at + 8 <= n; at += 4096) {
    ++counter;
    std::memcpy(buf + at, &counter, 8);
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "junheng-web-bench: %s\n", what.c_str());
  std::exit(1);
}

struct Rig {
  testing::TempDir dir;
  std::unique_ptr<ServerProcess> archive, checklist, web;
  std::unique_ptr<httplib::Client> http;
};

void Start(Rig& rig) {
  rig.archive = std::make_unique<ServerProcess>(
      "junheng-archive",
      std::vector<std::string>{"--data_dir=" + rig.dir.File("archive")});
  if (!rig.archive->Start().ok()) Die(rig.archive->Stderr());
  rig.checklist = std::make_unique<ServerProcess>(
      "junheng-checklist",
      std::vector<std::string>{"--data_dir=" + rig.dir.File("checklist"),
                               "--standards_dir=" JUNHENG_SOURCE_DIR
                               "/standards",
                               "--archive_addr=" + rig.archive->address()});
  if (!rig.checklist->Start().ok()) Die(rig.checklist->Stderr());
  rig.web = std::make_unique<ServerProcess>(
      "junheng-web",
      std::vector<std::string>{"--checklist_addr=" + rig.checklist->address(),
                               "--archive_addr=" + rig.archive->address()});
  if (!rig.web->Start().ok()) Die(rig.web->Stderr());
  rig.http = std::make_unique<httplib::Client>("http://" + rig.web->address());
  rig.http->set_read_timeout(300);
  rig.http->set_write_timeout(300);
  rig.http->set_keep_alive(true);  // as a browser does
  for (const char* table : {"schools", "counties"}) {
    auto r = rig.http->Post(
        absl::StrCat("/v1/statistics/", table, ":import"),
        testing::ReadFile(absl::StrCat(
            JUNHENG_SOURCE_DIR "/examples/county-330106/", table, ".csv")),
        "text/csv");
    if (!r || r->status != 200) Die("import failed");
  }
}

double HttpUpload(Rig& rig, const std::string& id, int64_t size,
                  uint64_t& counter) {
  std::string block(1 << 20, '\0');
  const absl::Time start = absl::Now();
  auto r = rig.http->Post(
      absl::StrCat("/v1/", kSchool, "/evidence/", id,
                   ":upload?title=bench&indicatorCodes=R4&schoolYear=2025"),
      static_cast<size_t>(size),
      [&](size_t offset, size_t length, httplib::DataSink& sink) {
        const int64_t n = std::min<int64_t>(length, block.size());
        Fill(block.data(), n, counter);
        (void)offset;
        return sink.write(block.data(), n);
      },
      "application/octet-stream");
  if (!r || r->status != 200) {
    Die(absl::StrCat("HTTP upload failed: ", r ? r->body : "no answer"));
  }
  return size / 1e6 / Seconds(start);
}

double GrpcUpload(ArchiveClient& client, const std::string& id, int64_t size,
                  uint64_t& counter) {
  v1::UploadHeader h;
  h.set_parent(kSchool);
  h.set_evidence_id(id);
  h.set_title("bench");
  h.add_indicator_codes("R4");
  h.set_school_year(2025);
  int64_t sent = 0;
  const absl::Time start = absl::Now();
  auto v = client.Upload(h, [&](char* buf, size_t max) {
    const int64_t n = std::min<int64_t>(max, size - sent);
    Fill(buf, n, counter);
    sent += n;
    return n;
  });
  if (!v.ok()) Die(absl::StrCat("gRPC upload failed: ", v.status().ToString()));
  return size / 1e6 / Seconds(start);
}

double HttpDownload(Rig& rig, const std::string& id) {
  int64_t total = 0;
  const absl::Time start = absl::Now();
  auto r = rig.http->Get(
      absl::StrCat("/v1/", kSchool, "/evidence/", id, ":download"),
      [&](const char*, size_t n) {
        total += static_cast<int64_t>(n);
        return true;
      });
  if (!r || r->status != 200) Die("HTTP download failed");
  return total / 1e6 / Seconds(start);
}

double GrpcDownload(ArchiveClient& client, const std::string& id) {
  int64_t total = 0;
  v1::DownloadRequest request;
  request.set_name(absl::StrCat(kSchool, "/evidence/", id));
  const absl::Time start = absl::Now();
  auto v = client.Download(request, [&](absl::string_view b) {
    total += static_cast<int64_t>(b.size());
    return true;
  });
  if (!v.ok()) Die(absl::StrCat("gRPC download: ", v.status().ToString()));
  return total / 1e6 / Seconds(start);
}

// Calls/s of `call` run by `callers` threads for `duration`.
double Rate(int callers, absl::Duration duration,
            const std::function<void(int)>& call) {
  std::atomic<int64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      while (!stop.load()) {
        call(i);
        done.fetch_add(1);
      }
    });
  }
  absl::SleepFor(duration);
  stop = true;
  for (auto& t : threads) t.join();
  return done.load() / Seconds(start);
}

int Main(bool quick) {
  Rig rig;
  Start(rig);
  ArchiveClient archive(Connect(rig.archive->address()));
  auto checklist =
      v1::ChecklistService::NewStub(Connect(rig.checklist->address()));
  const int64_t size = int64_t{quick ? 64 : 256} << 20;
  const int reps = quick ? 1 : 3;
  uint64_t counter = 0;
  std::vector<double> up_http, up_grpc, down_http, down_grpc;
  for (int i = 0; i < reps; ++i) {
    // Each side goes first in turn; both read warm data.
    const std::string h = absl::StrCat("http-", i),
                      g = absl::StrCat("grpc-", i);
    if (i % 2 == 0) {
      up_http.push_back(HttpUpload(rig, h, size, counter));
      up_grpc.push_back(GrpcUpload(archive, g, size, counter));
    } else {
      up_grpc.push_back(GrpcUpload(archive, g, size, counter));
      up_http.push_back(HttpUpload(rig, h, size, counter));
    }
    (void)HttpDownload(rig, h);
    down_http.push_back(HttpDownload(rig, h));
    (void)GrpcDownload(archive, g);
    down_grpc.push_back(GrpcDownload(archive, g));
  }
  const absl::Duration span = absl::Seconds(quick ? 1 : 3);
  const double eval_http = Rate(1, span, [&](int) {
    auto r = rig.http->Get(
        "/v1/counties/330106/years/2025:evaluate?skipEvidence=true");
    if (!r || r->status != 200) Die("HTTP evaluate failed");
  });
  const double eval_grpc = Rate(1, span, [&](int) {
    grpc::ClientContext c;
    v1::EvaluateCountyRequest request;
    request.set_name("counties/330106/years/2025");
    request.set_skip_evidence(true);
    v1::CountyEvaluation e;
    if (!checklist->EvaluateCounty(&c, request, &e).ok()) {
      Die("gRPC evaluate failed");
    }
  });
  constexpr int kCallers = 8;
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < kCallers; ++i) {
    clients.push_back(
        std::make_unique<httplib::Client>("http://" + rig.web->address()));
    clients.back()->set_keep_alive(true);
  }
  const std::string evidence =
      absl::StrCat("/v1/", kSchool, "/evidence/http-0");
  const double get_http = Rate(kCallers, span, [&](int i) {
    auto r = clients[i]->Get(evidence);
    if (!r || r->status != 200) Die("HTTP get failed");
  });
  const double get_grpc = Rate(kCallers, span, [&](int) {
    if (!archive.GetEvidence(absl::StrCat(kSchool, "/evidence/http-0")).ok()) {
      Die("gRPC get failed");
    }
  });

  std::printf(
      "junheng-web against gRPC straight to the services (%d rep%s, %lld MiB "
      "files)\n\n",
      reps, reps == 1 ? "" : "s", static_cast<long long>(size >> 20));
  std::printf(
      "| case | through junheng-web | gRPC direct | ratio "
      "|\n|---|---|---|---|\n");
  auto row = [](const char* name, double web, double direct, const char* unit) {
    std::printf("| %s | %.0f %s | %.0f %s | %.2fx |\n", name, web, unit, direct,
                unit, web / direct);
  };
  row("upload", Median(up_http), Median(up_grpc), "MB/s");
  row("download (verified)", Median(down_http), Median(down_grpc), "MB/s");
  row("EvaluateCounty, 40 schools, 1 caller", eval_http, eval_grpc, "calls/s");
  row("GetEvidence, 8 callers", get_http, get_grpc, "calls/s");
  std::printf("\ngateway peak RSS %.1f MiB; archive %.1f MiB\n",
              rig.web->PeakRssBytes() / 1048576.0,
              rig.archive->PeakRssBytes() / 1048576.0);
  return 0;
}

}  // namespace
}  // namespace junheng

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  return junheng::Main(quick);
}
