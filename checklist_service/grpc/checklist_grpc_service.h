// The gRPC face of the checklist: validates requests, streams CSV into the
// importers, loads data as of a revision, runs the pure evaluator, asks the
// archive for evidence status, and converts results to API messages.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "checklist_service/store/checklist_store.h"
#include "checklist_service/standard/standard_loader.h"
#include "checklist_service/evaluator/stats.h"
#include "checklist_service/app/worker_pool.h"
#include "common/access.h"
#include "common/authenticator.h"
#include "common/mutex.h"
#include "junheng/v1/archive.grpc.pb.h"
#include "junheng/v1/checklist.grpc.pb.h"

namespace junheng::checklist {

struct ChecklistOptions {
  // Largest CSV file an import accepts.
  int64_t max_import_bytes = int64_t{256} << 20;
  // How long an evaluation waits for the archive at most (less if the
  // caller's deadline is nearer).
  absl::Duration archive_timeout = absl::Seconds(2);
  std::string default_standard = "moe-2017-quality";
  // How many parsed county snapshots to keep for repeated evaluations (a
  // province has up to a few hundred counties).
  size_t cached_counties = 256;
  // The checklist's own token for the archive (a service principal); empty
  // when the archive runs without authentication.
  std::string archive_token;
  // Threads evaluating a province's counties, shared by every request (a
  // request keeps at most twice as many counties in flight).
  int evaluation_threads = 2;
};

class ChecklistGrpcService final : public v1::ChecklistService::Service {
 public:
  // `archive` may be null: evidence status is then unknown.
  ChecklistGrpcService(ChecklistStore& store, Authenticator& auth,
                       StandardMap standards,
                       std::unique_ptr<v1::ArchiveService::Stub> archive,
                       ChecklistOptions options);

  grpc::Status ListStandards(grpc::ServerContext*,
                             const v1::ListStandardsRequest*,
                             v1::ListStandardsResponse*) override;
  grpc::Status GetStandard(grpc::ServerContext*, const v1::GetStandardRequest*,
                           v1::IndicatorStandard*) override;
  grpc::Status ImportSchools(grpc::ServerContext*,
                             grpc::ServerReader<v1::ImportRequest>*,
                             v1::ImportResponse*) override;
  grpc::Status ImportCounties(grpc::ServerContext*,
                              grpc::ServerReader<v1::ImportRequest>*,
                              v1::ImportResponse*) override;
  grpc::Status GetSchoolReport(grpc::ServerContext*,
                               const v1::GetSchoolReportRequest*,
                               v1::SchoolReport*) override;
  grpc::Status RecordJudgement(grpc::ServerContext*,
                               const v1::RecordJudgementRequest*,
                               v1::Judgement*) override;
  grpc::Status EvaluateSchool(grpc::ServerContext*,
                              const v1::EvaluateSchoolRequest*,
                              v1::SchoolEvaluation*) override;
  grpc::Status EvaluateCounty(grpc::ServerContext*,
                              const v1::EvaluateCountyRequest*,
                              v1::CountyEvaluation*) override;
  grpc::Status EvaluateProvince(
      grpc::ServerContext*, const v1::EvaluateProvinceRequest*,
      grpc::ServerWriter<v1::EvaluateProvinceResponse>*) override;
  grpc::Status GetAuditLog(grpc::ServerContext*, const v1::GetAuditLogRequest*,
                           grpc::ServerWriter<v1::AuditEntry>*) override;

 private:
  // Who is calling, and whether their role may do `permission` at all (the
  // place a request names is checked once it is parsed).
  absl::StatusOr<Principal> Admit(const grpc::ServerContext& context,
                                  Permission permission);
  template <typename Row, typename Stored>
  absl::Status Import(grpc::ServerContext* context,
                      grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response);
  // One county-year's rows as of a revision, parsed for the evaluator.
  struct CountyData {
    CountyInput input;
    bool has_county_row = false;
    int64_t revision = 0;
  };
  absl::StatusOr<std::shared_ptr<const CountyData>> LoadCountyData(
      const std::string& county, int year, int64_t as_of);
  absl::StatusOr<const v1::IndicatorStandard*> Standard(
      const std::string& name) const;
  // Evaluates one county; `archive_down` is set when the archive did not
  // answer, and skips asking it again when already set. Thread-safe: a
  // province's counties are evaluated in parallel, sharing `archive_down`.
  absl::Status Evaluate(grpc::ServerContext* context, const Principal& who,
                        const std::string& county, int year,
                        const v1::IndicatorStandard& standard, int64_t as_of,
                        bool ask_archive, v1::EvaluationView view,
                        std::atomic<bool>* archive_down,
                        v1::CountyEvaluation* out);

  ChecklistStore& store_;
  Authenticator& auth_;
  const StandardMap standards_;
  std::unique_ptr<v1::ArchiveService::Stub> archive_;
  const ChecklistOptions options_;

  Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const CountyData>> cache_
      ABSL_GUARDED_BY(cache_mu_);
  std::deque<std::string> cache_order_ ABSL_GUARDED_BY(cache_mu_);

  // Last: its threads stop before anything they use is destroyed.
  WorkerPool pool_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_
