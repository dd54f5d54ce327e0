// The gRPC face of the checklist: authenticates the caller, parses resource
// names into the application's requests (app/checklist.h), streams imports
// into it, and converts its domain results into API messages. Business
// rules live in the application layer, not here.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_

#include "checklist_service/app/checklist.h"
#include "common/access.h"
#include "common/authenticator.h"
#include "junheng/v1/checklist.grpc.pb.h"

namespace junheng::checklist {

class ChecklistGrpcService final : public v1::ChecklistService::Service {
 public:
  ChecklistGrpcService(Checklist& checklist, Authenticator& auth);

  grpc::Status GetCaller(grpc::ServerContext*, const v1::GetCallerRequest*,
                         v1::Caller*) override;
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
  // place a request names is checked by the application once parsed).
  absl::StatusOr<Principal> Admit(const grpc::ServerContext& context,
                                  Permission permission);
  absl::Status Import(ImportKind kind, grpc::ServerContext* context,
                      grpc::ServerReader<v1::ImportRequest>* reader,
                      v1::ImportResponse* response);

  Checklist& checklist_;
  Authenticator& auth_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_CHECKLIST_GRPC_SERVICE_H_
