// The gRPC face of rectification (proto/junheng/v1/rectification.proto):
// authenticates the caller, parses names, filters, page tokens and update
// masks into the application's requests (app/rectification.h), and
// converts its results into API messages.
#ifndef JUNHENG_CHECKLIST_SERVICE_GRPC_RECTIFICATION_GRPC_SERVICE_H_
#define JUNHENG_CHECKLIST_SERVICE_GRPC_RECTIFICATION_GRPC_SERVICE_H_

#include "checklist_service/app/rectification.h"
#include "common/authenticator.h"
#include "junheng/v1/rectification.grpc.pb.h"

namespace junheng::checklist {

class RectificationGrpcService final
    : public v1::RectificationService::Service {
 public:
  RectificationGrpcService(Rectification& rectification, Authenticator& auth);

  grpc::Status PlanRectification(grpc::ServerContext*,
                                 const v1::PlanRectificationRequest*,
                                 v1::RectificationPlan*) override;
  grpc::Status SimulateRectification(
      grpc::ServerContext*, const v1::SimulateRectificationRequest*,
      v1::SimulateRectificationResponse*) override;
  grpc::Status AdoptRectificationPlan(
      grpc::ServerContext*, const v1::AdoptRectificationPlanRequest*,
      v1::AdoptRectificationPlanResponse*) override;
  grpc::Status GetRectificationItem(grpc::ServerContext*,
                                    const v1::GetRectificationItemRequest*,
                                    v1::RectificationItem*) override;
  grpc::Status ListRectificationItems(
      grpc::ServerContext*, const v1::ListRectificationItemsRequest*,
      v1::ListRectificationItemsResponse*) override;
  grpc::Status UpdateRectificationItem(
      grpc::ServerContext*, const v1::UpdateRectificationItemRequest*,
      v1::RectificationItem*) override;

 private:
  Rectification& rectification_;
  Authenticator& auth_;
};

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_GRPC_RECTIFICATION_GRPC_SERVICE_H_
