// The REST face's routes, read from the google.api.http annotations of the
// services' methods (AIP-127) through the protobuf descriptors compiled into
// this binary: one definition gives gRPC, REST and the OpenAPI document.
//
// Besides plain JSON calls, two shapes carry raw bytes, so that a file goes
// browser → gateway → service without being held whole anywhere:
//   raw upload    a client-streaming method whose request is a oneof of a
//                 header message and a bytes field (ArchiveService.Upload,
//                 ChecklistService.ImportSchools): the HTTP body becomes the
//                 bytes messages, the path and query fill the header.
//   raw download  a server-streaming method whose response is a oneof of a
//                 metadata message and a bytes field (Download): the
//                 metadata becomes HTTP headers, the bytes the body.
#ifndef JUNHENG_CLIENTS_WEB_ROUTES_H_
#define JUNHENG_CLIENTS_WEB_ROUTES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/web/path_template.h"
#include "google/protobuf/descriptor.h"

namespace junheng::web {

struct Route {
  enum class Shape { kUnary, kServerStream, kRawUpload, kRawDownload };

  std::string http_method;  // GET, POST, PATCH, PUT, DELETE
  PathTemplate path;
  // "" (no body), "*" (every field not bound by the path) or a field name.
  std::string body;
  const google::protobuf::MethodDescriptor* method = nullptr;
  // "/junheng.v1.ArchiveService/Upload": what the gRPC call is named.
  std::string grpc_method;
  Shape shape = Shape::kUnary;
  // Raw shapes: the oneof's message field (header or metadata) and its
  // bytes field.
  const google::protobuf::FieldDescriptor* envelope_field = nullptr;
  const google::protobuf::FieldDescriptor* bytes_field = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;
  PathTemplate::Bindings bindings;
};

class RouteTable {
 public:
  // Every binding of every method of `services`. INVALID_ARGUMENT for an
  // annotation this gateway cannot serve (a bad template, a body naming no
  // field, a client- or bidi-streaming method of another shape).
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The first route whose method and template match; nothing if none does.
  std::optional<RouteMatch> Match(absl::string_view http_method,
                                  absl::string_view path) const;
  // The HTTP methods that have a route for `path`, e.g. "GET, PATCH"; ""
  // if none does (405's Allow header).
  std::string MethodsFor(absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_ROUTES_H_
