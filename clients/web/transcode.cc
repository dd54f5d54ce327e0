#include "clients/web/transcode.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "clients/web/json_print.h"
#include "common/grpc_status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace junheng::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const FieldDescriptor* FindField(const Descriptor* d, absl::string_view name) {
  if (const auto* f = d->FindFieldByName(std::string(name))) return f;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == name) return d->field(i);
  }
  return nullptr;
}

// EvaluationView → "EVALUATION_VIEW_".
std::string EnumPrefix(absl::string_view type_name) {
  std::string out;
  for (size_t i = 0; i < type_name.size(); ++i) {
    const char c = type_name[i];
    if (i > 0 && absl::ascii_isupper(c)) out.push_back('_');
    out.push_back(absl::ascii_toupper(c));
  }
  out.push_back('_');
  return out;
}

absl::Status BadParameter(absl::string_view name, absl::string_view why) {
  return InvalidField(std::string(name), std::string(why));
}

absl::Status SetScalar(Message& m, const FieldDescriptor* f,
                       absl::string_view name, absl::string_view value) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  auto bad = [&](absl::string_view what) {
    return BadParameter(
        name, absl::StrCat("\"", Excerpt(value, 64), "\" is not ", what));
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v(value);
      rep ? r->AddString(&m, f, v) : r->SetString(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a 32-bit integer");
      rep ? r->AddInt32(&m, f, v) : r->SetInt32(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an integer");
      rep ? r->AddInt64(&m, f, v) : r->SetInt64(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative integer");
      rep ? r->AddUInt32(&m, f, v) : r->SetUInt32(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("a non-negative integer");
      rep ? r->AddUInt64(&m, f, v) : r->SetUInt64(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return bad("a number");
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        rep ? r->AddFloat(&m, f, static_cast<float>(v))
            : r->SetFloat(&m, f, static_cast<float>(v));
      } else {
        rep ? r->AddDouble(&m, f, v) : r->SetDouble(&m, f, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (value == "true" || value == "1") {
        v = true;
      } else if (value == "false" || value == "0") {
        v = false;
      } else {
        return bad("true or false");
      }
      rep ? r->AddBool(&m, f, v) : r->SetBool(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type()->FindValueByName(std::string(value));
      if (e == nullptr) {
        // The value without its enum's prefix: view=SUMMARY for
        // EVALUATION_VIEW_SUMMARY, as people write it in a URL.
        e = f->enum_type()->FindValueByName(
            absl::StrCat(EnumPrefix(f->enum_type()->name()), value));
      }
      int number;
      if (e == nullptr && absl::SimpleAtoi(value, &number)) {
        e = f->enum_type()->FindValueByNumber(number);
      }
      if (e == nullptr) {
        std::string names;
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          absl::StrAppend(&names, i ? ", " : "",
                          f->enum_type()->value(i)->name());
        }
        return bad(absl::StrCat("one of ", names));
      }
      rep ? r->AddEnum(&m, f, e) : r->SetEnum(&m, f, e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // Only the well-known types with a string JSON form (Timestamp,
      // Duration, FieldMask, wrappers) can be given as text.
      Message* target = rep ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
      google::protobuf::util::JsonParseOptions options;
      const auto status = google::protobuf::util::JsonStringToMessage(
          JsonQuote(value), target, options);
      if (!status.ok()) {
        return bad(absl::StrCat("a ", f->message_type()->name(),
                                f->message_type()->name() == "Timestamp"
                                    ? " (RFC 3339, e.g. 2026-12-31T00:00:00Z)"
                                    : ""));
      }
      return absl::OkStatus();
    }
  }
  return bad("a supported value");
}

absl::Status SetPath(Message& message, absl::string_view path,
                     absl::string_view value, absl::string_view shown_name) {
  Message* m = &message;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = FindField(m->GetDescriptor(), parts[i]);
    if (f == nullptr) {
      return BadParameter(
          shown_name,
          absl::StrCat("is not a field of ", m->GetDescriptor()->full_name()));
    }
    if (i + 1 == parts.size()) {
      if (f->is_map()) {
        return BadParameter(shown_name, "a map cannot be set from text");
      }
      return SetScalar(*m, f, shown_name, value);
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return BadParameter(shown_name,
                          absl::StrCat("\"", parts[i], "\" has no fields"));
    }
    m = m->GetReflection()->MutableMessage(m, f);
  }
  return absl::OkStatus();
}

absl::Status ParseJsonInto(absl::string_view body, Message& target,
                           absl::string_view where) {
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      std::string(body), &target, options);
  if (!status.ok()) {
    return BadParameter(
        where, absl::StrCat("is not valid JSON for ",
                            target.GetDescriptor()->full_name(), ": ",
                            Excerpt(status.message().as_string(), 300)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetFieldFromText(Message& message, absl::string_view path,
                              absl::string_view value) {
  return SetPath(message, path, value, path);
}

absl::Status BuildRequest(const Route& route,
                          const PathTemplate::Bindings& bindings,
                          const QueryParams& query, absl::string_view body,
                          Message& request) {
  if (route.body == "*") {
    if (absl::Status s = ParseJsonInto(body, request, "body"); !s.ok()) {
      return s;
    }
  } else if (!route.body.empty()) {
    const FieldDescriptor* f =
        request.GetDescriptor()->FindFieldByName(route.body);
    Message* target = request.GetReflection()->MutableMessage(&request, f);
    if (absl::Status s = ParseJsonInto(body, *target, "body"); !s.ok()) {
      return s;
    }
  } else if (!absl::StripAsciiWhitespace(body).empty()) {
    return BadParameter("body",
                        absl::StrCat(route.http_method, " ", route.path.text(),
                                     " takes no request body"));
  }
  for (const auto& [path, value] : bindings) {
    if (absl::Status s = SetPath(request, path, value, path); !s.ok()) {
      return s;
    }
  }
  for (const auto& [name, value] : query) {
    if (route.body == "*") {
      return BadParameter(name,
                          "this call takes its fields from the JSON body, "
                          "not the query string");
    }
    if (absl::Status s = SetPath(request, name, value, name); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status BuildUploadHeader(const Route& route,
                               const PathTemplate::Bindings& bindings,
                               const QueryParams& query, Message& header) {
  const std::string prefix = absl::StrCat(route.envelope_field->name(), ".");
  for (const auto& [path, value] : bindings) {
    absl::string_view p = path;
    if (!absl::ConsumePrefix(&p, prefix)) {
      return absl::InternalError(absl::StrCat(route.path.text(), " binds ",
                                              path, " outside ",
                                              route.envelope_field->name()));
    }
    if (absl::Status s = SetPath(header, p, value, p); !s.ok()) return s;
  }
  for (const auto& [name, value] : query) {
    if (absl::Status s = SetPath(header, name, value, name); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::string ToJson(const Message& message) {
  std::string out;
  AppendJson(message, &out);
  return out;
}

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNKNOWN:
      return 500;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 400;
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::INTERNAL:
      return 500;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DATA_LOSS:
      return 500;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:
      return 500;
  }
}

namespace {

constexpr const char* kCodeNames[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

HttpError Render(int code, absl::string_view message,
                 const google::rpc::Status* details, int http_status = 0) {
  HttpError e;
  const auto grpc_code = static_cast<grpc::StatusCode>(code);
  e.http_status = http_status != 0 ? http_status : HttpStatusOf(grpc_code);
  const char* name = (code >= 0 && code <= 16) ? kCodeNames[code] : "UNKNOWN";
  e.json = absl::StrCat("{\"error\":{\"code\":", e.http_status,
                        ",\"message\":", JsonQuote(message), ",\"status\":\"",
                        name, "\",\"details\":[");
  if (details != nullptr) {
    bool first = true;
    for (const auto& any : details->details()) {
      std::string json;
      if (!google::protobuf::util::MessageToJsonString(any, &json).ok()) {
        continue;  // a detail of a type this binary does not know
      }
      absl::StrAppend(&e.json, first ? "" : ",", json);
      first = false;
    }
  }
  absl::StrAppend(&e.json, "]}}");
  return e;
}

}  // namespace

HttpError ErrorOf(const grpc::Status& status) {
  google::rpc::Status details;
  const bool has = !status.error_details().empty() &&
                   details.ParseFromString(status.error_details());
  return Render(status.error_code(), status.error_message(),
                has ? &details : nullptr);
}

HttpError ErrorOf(const absl::Status& status, int http_status) {
  const google::rpc::Status details = ToRpcStatus(status);
  return Render(static_cast<int>(status.code()), status.message(), &details,
                http_status);
}

std::string JsonQuote(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

}  // namespace junheng::web
