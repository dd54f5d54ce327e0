#include "clients/web/openapi.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/web/json_print.h"
#include "clients/web/transcode.h"
#include "google/protobuf/descriptor.h"

namespace junheng::web {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string Singular(absl::string_view plural) {
  if (absl::EndsWith(plural, "ies")) {
    return absl::StrCat(plural.substr(0, plural.size() - 3), "y");
  }
  if (absl::EndsWith(plural, "s")) {
    return std::string(plural.substr(0, plural.size() - 1));
  }
  return std::string(plural);
}

std::string LastJsonName(absl::string_view field_path) {
  return LowerCamelCase(field_path.substr(field_path.rfind('.') + 1));
}

// The path parameters of a template, in order: each `*` is named for the
// collection before it, a lone single-segment variable for its field.
std::vector<std::string> PathParams(const PathTemplate& path,
                                    std::vector<std::string>* segments) {
  std::vector<std::string> params;
  const auto& segs = path.segments();
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    if (s.kind == PathTemplate::Segment::Kind::kLiteral) {
      segments->push_back(s.literal);
      continue;
    }
    std::string name;
    for (const auto& v : path.variables()) {
      if (v.first == static_cast<int>(i) && v.end == v.first + 1 &&
          (i == 0 ||
           segs[i - 1].kind != PathTemplate::Segment::Kind::kLiteral ||
           v.field_path.find('.') != std::string::npos ||
           absl::EndsWith(v.field_path, "_id"))) {
        name = LastJsonName(v.field_path);
      }
    }
    if (name.empty()) {
      name = (s.kind == PathTemplate::Segment::Kind::kDoubleStar || i == 0)
                 ? "path"
                 : Singular(segs[i - 1].literal);
    }
    segments->push_back(absl::StrCat("{", name, "}"));
    params.push_back(name);
  }
  return params;
}

class Writer {
 public:
  std::string FieldSchema(const FieldDescriptor* f) {
    if (f->is_map()) {
      return absl::StrCat("{\"type\":\"object\",\"additionalProperties\":",
                          SingleSchema(f->message_type()->map_value()), "}");
    }
    if (f->is_repeated()) {
      return absl::StrCat("{\"type\":\"array\",\"items\":", SingleSchema(f),
                          "}");
    }
    return SingleSchema(f);
  }

  std::string SingleSchema(const FieldDescriptor* f) {
    switch (f->type()) {
      case FieldDescriptor::TYPE_DOUBLE:
      case FieldDescriptor::TYPE_FLOAT:
        return "{\"type\":\"number\"}";
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return "{\"type\":\"integer\",\"format\":\"int32\"}";
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return "{\"type\":\"string\",\"format\":\"int64\"}";
      case FieldDescriptor::TYPE_BOOL:
        return "{\"type\":\"boolean\"}";
      case FieldDescriptor::TYPE_STRING:
        return "{\"type\":\"string\"}";
      case FieldDescriptor::TYPE_BYTES:
        return "{\"type\":\"string\",\"format\":\"byte\"}";
      case FieldDescriptor::TYPE_ENUM: {
        std::vector<std::string> names;
        for (int i = 0; i < f->enum_type()->value_count(); ++i) {
          names.push_back(JsonQuote(f->enum_type()->value(i)->name()));
        }
        return absl::StrCat("{\"type\":\"string\",\"enum\":[",
                            absl::StrJoin(names, ","), "]}");
      }
      default:
        return MessageSchema(f->message_type());
    }
  }

  std::string MessageSchema(const Descriptor* d) {
    const std::string& n = d->full_name();
    if (n == "google.protobuf.Timestamp") {
      return "{\"type\":\"string\",\"format\":\"date-time\"}";
    }
    if (n == "google.protobuf.Duration" || n == "google.protobuf.FieldMask") {
      return "{\"type\":\"string\"}";
    }
    if (n == "google.protobuf.Any" || n == "google.protobuf.Struct") {
      return "{\"type\":\"object\"}";
    }
    if (n == "google.protobuf.Value") return "{}";
    if (!seen_.contains(n)) {
      seen_.insert(n);
      pending_.push_back(d);
    }
    return absl::StrCat("{\"$ref\":\"#/components/schemas/", n, "\"}");
  }

  std::string Components() {
    std::map<std::string, std::string> schemas;
    while (!pending_.empty()) {
      const Descriptor* d = pending_.back();
      pending_.pop_back();
      std::vector<std::string> props;
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        props.push_back(
            absl::StrCat(JsonQuote(f->json_name()), ":", FieldSchema(f)));
      }
      schemas[d->full_name()] =
          absl::StrCat("{\"type\":\"object\",\"properties\":{",
                       absl::StrJoin(props, ","), "}}");
    }
    schemas["Error"] =
        "{\"type\":\"object\",\"description\":\"AIP-193: the gRPC status, "
        "its code mapped to HTTP\",\"properties\":{\"error\":{\"type\":"
        "\"object\",\"properties\":{\"code\":{\"type\":\"integer\"},"
        "\"message\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},"
        "\"details\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}}}";
    std::vector<std::string> out;
    for (const auto& [name, schema] : schemas) {
      out.push_back(absl::StrCat(JsonQuote(name), ":", schema));
    }
    return absl::StrJoin(out, ",");
  }

 private:
  std::set<std::string> seen_;
  std::vector<const Descriptor*> pending_;
};

bool IsQueryable(const FieldDescriptor* f) {
  if (f->is_map()) return false;
  if (f->type() != FieldDescriptor::TYPE_MESSAGE) return true;
  const std::string& n = f->message_type()->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.FieldMask" ||
         n == "google.protobuf.Duration";
}

std::string Param(absl::string_view name, absl::string_view in,
                  const std::string& schema, bool required,
                  absl::string_view description = "") {
  return absl::StrCat(
      "{\"name\":", JsonQuote(name), ",\"in\":\"", in,
      "\",\"required\":", required ? "true" : "false",
      description.empty()
          ? ""
          : absl::StrCat(",\"description\":", JsonQuote(description)),
      ",\"schema\":", schema, "}");
}

}  // namespace

std::string OpenApiPath(const PathTemplate& path) {
  std::vector<std::string> segments;
  PathParams(path, &segments);
  std::string out = absl::StrCat("/", absl::StrJoin(segments, "/"));
  if (!path.verb().empty()) absl::StrAppend(&out, ":", path.verb());
  return out;
}

std::string OpenApiDocument(const RouteTable& routes) {
  Writer w;
  // path → method → operation
  std::map<std::string, std::map<std::string, std::string>> paths;
  std::map<std::string, int> operation_ids;
  for (const Route& route : routes.routes()) {
    std::vector<std::string> segments;
    std::vector<std::string> path_params = PathParams(route.path, &segments);
    const std::string path = OpenApiPath(route.path);
    const auto* in = route.method->input_type();
    std::vector<std::string> params;
    std::set<std::string> bound;
    std::string binding_note;
    for (const auto& v : route.path.variables()) {
      bound.insert(v.field_path);
      std::vector<std::string> parts;
      for (int i = v.first; i < v.end; ++i) parts.push_back(segments[i]);
      absl::StrAppend(&binding_note, binding_note.empty() ? "" : "; ",
                      v.field_path, " = ", absl::StrJoin(parts, "/"));
    }
    for (const std::string& p : path_params) {
      params.push_back(Param(p, "path", "{\"type\":\"string\"}", true));
    }
    const Descriptor* query_of = in;
    std::string request_body;
    if (route.shape == Route::Shape::kRawUpload) {
      query_of = route.envelope_field->message_type();
      request_body =
          "{\"required\":true,\"description\":\"the file's bytes, streamed\","
          "\"content\":{\"application/octet-stream\":{\"schema\":{\"type\":"
          "\"string\",\"format\":\"binary\"}}}}";
    } else if (!route.body.empty()) {
      const Descriptor* body_type =
          route.body == "*" ? in
                            : in->FindFieldByName(route.body)->message_type();
      request_body = absl::StrCat(
          "{\"required\":true,\"content\":{\"application/json\":{\"schema\":",
          w.MessageSchema(body_type), "}}}");
      query_of = nullptr;
    }
    if (query_of != nullptr) {
      const std::string prefix =
          route.shape == Route::Shape::kRawUpload
              ? absl::StrCat(route.envelope_field->name(), ".")
              : "";
      for (int i = 0; i < query_of->field_count(); ++i) {
        const FieldDescriptor* f = query_of->field(i);
        if (bound.contains(absl::StrCat(prefix, f->name())) ||
            !IsQueryable(f)) {
          continue;
        }
        params.push_back(
            Param(f->json_name(), "query", w.FieldSchema(f), false));
      }
    }
    std::string ok;
    if (route.shape == Route::Shape::kRawDownload) {
      ok = "{\"description\":\"the bytes; the version's metadata in "
           "Content-Type, Content-Disposition, ETag (its SHA-256) and "
           "X-Junheng-Version\",\"content\":{\"application/octet-stream\":"
           "{\"schema\":{\"type\":\"string\",\"format\":\"binary\"}}}}";
    } else if (route.shape == Route::Shape::kServerStream) {
      ok = absl::StrCat(
          "{\"description\":\"the stream's messages as a JSON array; a "
          "failure after the first ends it with an {error} element\","
          "\"content\":{\"application/json\":{\"schema\":{\"type\":\"array\","
          "\"items\":",
          w.MessageSchema(route.method->output_type()), "}}}}");
    } else {
      ok = absl::StrCat(
          "{\"description\":\"OK\",\"content\":{\"application/json\":"
          "{\"schema\":",
          w.MessageSchema(route.method->output_type()), "}}}");
    }
    std::string id = absl::StrCat(route.method->service()->name(), "_",
                                  route.method->name());
    if (int n = operation_ids[id]++; n > 0) absl::StrAppend(&id, "_", n + 1);
    std::string op = absl::StrCat(
        "{\"operationId\":", JsonQuote(id), ",\"tags\":[",
        JsonQuote(route.method->service()->name()), "],\"summary\":",
        JsonQuote(absl::StrCat(route.method->full_name(), " (gRPC)")),
        binding_note.empty()
            ? ""
            : absl::StrCat(",\"description\":", JsonQuote(binding_note)),
        ",\"parameters\":[", absl::StrJoin(params, ","), "]",
        request_body.empty() ? ""
                             : absl::StrCat(",\"requestBody\":", request_body),
        ",\"responses\":{\"200\":", ok,
        ",\"default\":{\"description\":\"an error (AIP-193)\",\"content\":"
        "{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/"
        "Error\"}}}}}",
        ",\"security\":[{\"bearer\":[]}]}");
    paths[path][absl::AsciiStrToLower(route.http_method)] = op;
  }
  std::vector<std::string> path_items;
  for (const auto& [path, ops] : paths) {
    std::vector<std::string> o;
    for (const auto& [method, op] : ops) {
      o.push_back(absl::StrCat("\"", method, "\":", op));
    }
    path_items.push_back(
        absl::StrCat(JsonQuote(path), ":{", absl::StrJoin(o, ","), "}"));
  }
  const std::string components = w.Components();
  return absl::StrCat(
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Junheng (均衡) API\","
      "\"version\":\"v1\",\"description\":\"The checklist, rectification and "
      "archive services' gRPC API over HTTP/JSON (google.api.http "
      "annotations, protobuf JSON mapping). Every call needs "
      "'Authorization: Bearer <token>'.\"},\"paths\":{",
      absl::StrJoin(path_items, ","),
      "},\"components\":{\"securitySchemes\":{\"bearer\":{\"type\":\"http\","
      "\"scheme\":\"bearer\"}},\"schemas\":{",
      components, "}}}");
}

}  // namespace junheng::web
