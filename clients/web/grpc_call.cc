#include "clients/web/grpc_call.h"

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace junheng::web {
namespace {
void* const kTag = reinterpret_cast<void*>(1);
}  // namespace

GrpcCall::GrpcCall(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& method,
                   std::unique_ptr<grpc::ClientContext> context)
    : context_(std::move(context)) {
  grpc::TemplatedGenericStub<google::protobuf::Message,
                             google::protobuf::Message>
      stub(channel);
  stream_ = stub.PrepareCall(context_.get(), method, &cq_);
  stream_->StartCall(kTag);
  started_ = Wait();
}

GrpcCall::~GrpcCall() {
  if (!finished_) {
    context_->TryCancel();
    (void)Finish();
  }
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool GrpcCall::Wait() {
  void* tag;
  bool ok = false;
  return cq_.Next(&tag, &ok) && ok;
}

bool GrpcCall::Write(const google::protobuf::Message& message) {
  if (!started_) return false;
  stream_->Write(message, kTag);
  return Wait();
}

bool GrpcCall::WritesDone() {
  if (!started_) return false;
  stream_->WritesDone(kTag);
  return Wait();
}

bool GrpcCall::Read(google::protobuf::Message* message) {
  if (!started_) return false;
  stream_->Read(message, kTag);
  return Wait();
}

grpc::Status GrpcCall::Finish() {
  grpc::Status status;
  finished_ = true;
  stream_->Finish(&status, kTag);
  void* tag;
  bool ok;
  cq_.Next(&tag, &ok);
  return status;
}

}  // namespace junheng::web
