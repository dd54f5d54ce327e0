// One gRPC call of any shape made through the generic stub, with messages
// of the types the route's descriptors name: the gateway needs no generated
// stub per method, and every call, unary or streaming, runs the same way
// (write the request messages, half-close, read the responses, finish) on
// the HTTP worker thread that serves it.
#ifndef JUNHENG_CLIENTS_WEB_GRPC_CALL_H_
#define JUNHENG_CLIENTS_WEB_GRPC_CALL_H_

#include <memory>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_stream.h"

namespace junheng::web {

class GrpcCall {
 public:
  // Starts `method` ("/pkg.Service/Method") on `channel`.
  GrpcCall(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& method,
           std::unique_ptr<grpc::ClientContext> context);
  // Cancels the call if it has not finished.
  ~GrpcCall();

  GrpcCall(const GrpcCall&) = delete;
  GrpcCall& operator=(const GrpcCall&) = delete;

  // False once the call has ended (Finish() says why).
  bool Write(const google::protobuf::Message& message);
  bool WritesDone();
  // False at the end of the responses.
  bool Read(google::protobuf::Message* message);
  // The call's status; call once, after the last Read.
  grpc::Status Finish();
  void Cancel() { context_->TryCancel(); }

 private:
  bool Wait();

  std::unique_ptr<grpc::ClientContext> context_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<google::protobuf::Message,
                                                google::protobuf::Message>>
      stream_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_GRPC_CALL_H_
