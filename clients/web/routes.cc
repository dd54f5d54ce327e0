#include "clients/web/routes.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace junheng::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

// The oneof of a message field and a bytes field, if `message` has one.
bool FindEnvelope(const Descriptor* message, const FieldDescriptor** envelope,
                  const FieldDescriptor** bytes) {
  for (int i = 0; i < message->oneof_decl_count(); ++i) {
    const auto* oneof = message->oneof_decl(i);
    const FieldDescriptor* m = nullptr;
    const FieldDescriptor* b = nullptr;
    for (int f = 0; f < oneof->field_count(); ++f) {
      const FieldDescriptor* field = oneof->field(f);
      if (field->type() == FieldDescriptor::TYPE_MESSAGE && m == nullptr) {
        m = field;
      } else if (field->type() == FieldDescriptor::TYPE_BYTES && b == nullptr) {
        b = field;
      }
    }
    if (m != nullptr && b != nullptr) {
      *envelope = m;
      *bytes = b;
      return true;
    }
  }
  return false;
}

absl::Status AddRule(const MethodDescriptor* method,
                     const google::api::HttpRule& rule,
                     std::vector<Route>& routes) {
  Route route;
  route.method = method;
  route.grpc_method =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  std::string path;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      path = rule.post();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      path = rule.patch();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      path = rule.put();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      path = rule.delete_();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(method->full_name(), ": unsupported http pattern"));
  }
  absl::StatusOr<PathTemplate> parsed = PathTemplate::Parse(path);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": ", parsed.status().message()));
  }
  route.path = *std::move(parsed);
  route.body = rule.body();

  const Descriptor* in = method->input_type();
  if (method->client_streaming()) {
    if (method->server_streaming() ||
        !FindEnvelope(in, &route.envelope_field, &route.bytes_field)) {
      return absl::InvalidArgumentError(absl::StrCat(
          method->full_name(),
          ": a streaming request must be a oneof of a header and bytes"));
    }
    route.shape = Route::Shape::kRawUpload;
  } else if (method->server_streaming()) {
    route.shape = FindEnvelope(method->output_type(), &route.envelope_field,
                               &route.bytes_field)
                      ? Route::Shape::kRawDownload
                      : Route::Shape::kServerStream;
  }
  if (route.shape != Route::Shape::kRawUpload && !route.body.empty() &&
      route.body != "*" && in->FindFieldByName(route.body) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        method->full_name(), ": body \"", route.body, "\" is not a field"));
  }
  routes.push_back(std::move(route));
  for (const auto& more : rule.additional_bindings()) {
    if (absl::Status s = AddRule(method, more, routes); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Build(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const auto* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      if (!method->options().HasExtension(google::api::http)) continue;
      const google::api::HttpRule& rule =
          method->options().GetExtension(google::api::http);
      if (absl::Status s = AddRule(method, rule, table.routes_); !s.ok()) {
        return s;
      }
    }
  }
  return table;
}

std::optional<RouteMatch> RouteTable::Match(absl::string_view http_method,
                                            absl::string_view path) const {
  for (const Route& route : routes_) {
    if (route.http_method != http_method) continue;
    if (auto bindings = route.path.Match(path)) {
      return RouteMatch{&route, *std::move(bindings)};
    }
  }
  return std::nullopt;
}

std::string RouteTable::MethodsFor(absl::string_view path) const {
  std::string out;
  for (const Route& route : routes_) {
    if (route.path.Match(path) && !absl::StrContains(out, route.http_method)) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", route.http_method);
    }
  }
  return out;
}

}  // namespace junheng::web
