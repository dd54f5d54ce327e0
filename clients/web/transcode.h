// Between HTTP and the proto messages of a route: path bindings, query
// parameters and JSON bodies into a request message; messages into
// protobuf's JSON mapping (lowerCamelCase names, enums by name, int64 as
// strings, every primitive field printed); gRPC statuses into AIP-193
// error bodies with the HTTP code google.rpc.Code maps them to.
#ifndef JUNHENG_CLIENTS_WEB_TRANSCODE_H_
#define JUNHENG_CLIENTS_WEB_TRANSCODE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clients/web/routes.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace junheng::web {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Fills `request` (of the route's input type) for a JSON route: the body
// (if the route takes one), then the path bindings, then the query
// parameters. INVALID_ARGUMENT with a field violation naming the parameter
// or the body for anything that does not fit.
absl::Status BuildRequest(const Route& route,
                          const PathTemplate::Bindings& bindings,
                          const QueryParams& query, absl::string_view body,
                          google::protobuf::Message& request);

// Fills the header of a raw upload: path bindings name fields of the whole
// request ("header.parent"), query parameters fields of the header itself
// ("title", "indicatorCodes", repeated by repeating the parameter).
absl::Status BuildUploadHeader(const Route& route,
                               const PathTemplate::Bindings& bindings,
                               const QueryParams& query,
                               google::protobuf::Message& header);

// Sets one field given by a dotted path of proto or JSON names, parsing
// `value` as the field's type (Timestamp as RFC 3339, FieldMask as
// comma-separated paths, enums by name or number); repeated fields get the
// value appended.
absl::Status SetFieldFromText(google::protobuf::Message& message,
                              absl::string_view path, absl::string_view value);

std::string ToJson(const google::protobuf::Message& message);

// google.rpc.Code → HTTP (AIP-193's table).
int HttpStatusOf(grpc::StatusCode code);

struct HttpError {
  int http_status = 500;
  // {"error":{"code":…,"message":…,"status":"…","details":[…]}}
  std::string json;
};
HttpError ErrorOf(const grpc::Status& status);
// `http_status` overrides the mapped code (405, 413: HTTP's own refusals).
HttpError ErrorOf(const absl::Status& status, int http_status = 0);

// A JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_TRANSCODE_H_
