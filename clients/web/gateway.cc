#include "clients/web/gateway.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "clients/web/grpc_call.h"
#include "clients/web/openapi.h"
#include "clients/web/transcode.h"
#include "common/grpc_status.h"
#include "common/school_table.h"
#include "common/sha256.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "junheng/v1/archive.pb.h"
#include "junheng/v1/checklist.pb.h"
#include "junheng/v1/rectification.pb.h"

namespace junheng::web {
namespace {

using google::protobuf::Message;
using google::protobuf::MessageFactory;

// Bytes are forwarded to the service in messages of this size: large
// enough that framing costs little, small enough that memory stays flat.
constexpr size_t kChunkBytes = 1 << 20;
// After a service refused an upload, this much of the body is still read
// (and dropped) so that the browser gets to read the refusal instead of a
// reset connection.
constexpr size_t kDrainBytes = 64 << 20;

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* d) {
  return std::unique_ptr<Message>(
      MessageFactory::generated_factory()->GetPrototype(d)->New());
}

// The JSON API keeps a county's schools as messages (the console and REST
// integrators read them school by school), while gRPC carries them as
// columns: expands the table of a CountyEvaluation, or of one a field of
// `m` holds (EvaluateProvinceResponse.evaluation,
// SimulateRectificationResponse.before and after).
absl::Status ExpandEvaluations(Message& m) {
  if (auto* county = dynamic_cast<v1::CountyEvaluation*>(&m)) {
    return ExpandEvaluation(county);
  }
  const google::protobuf::Reflection* reflection = m.GetReflection();
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() ||
        f->message_type() != v1::CountyEvaluation::descriptor() ||
        !reflection->HasField(m, f)) {
      continue;
    }
    auto* county =
        static_cast<v1::CountyEvaluation*>(reflection->MutableMessage(&m, f));
    if (absl::Status s = ExpandEvaluation(county); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void SendError(httplib::Response& res, const HttpError& error) {
  res.status = error.http_status;
  res.set_content(error.json, "application/json");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  SendError(res, ErrorOf(status));
}

QueryParams QueryOf(const httplib::Request& req) {
  QueryParams out;
  for (const auto& [k, v] : req.params) out.emplace_back(k, v);
  return out;
}

// RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name.
std::string ContentDisposition(absl::string_view filename) {
  std::string ascii;
  std::string encoded;
  for (unsigned char c : filename) {
    // One '_' per character that is not printable ASCII (continuation bytes
    // of UTF-8 add none).
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      ascii.push_back(static_cast<char>(c));
    } else if ((c & 0xc0) != 0x80) {
      ascii.push_back('_');
    }
    if (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&encoded, "%%%02X", c);
    }
  }
  if (filename.empty()) return "attachment";
  return absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''",
                      encoded);
}

std::string MimeTypeOf(absl::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".map", "application/json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(path, ext)) return type;
  }
  return "application/octet-stream";
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// A string field of `m` by name, or "" if it has none.
std::string StringField(const Message& m, const char* name) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->cpp_type() != f->CPPTYPE_STRING || f->is_repeated()) {
    return "";
  }
  return m.GetReflection()->GetString(m, f);
}

int64_t Int64Field(const Message& m, const char* name) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->cpp_type() != f->CPPTYPE_INT64 || f->is_repeated()) {
    return 0;
  }
  return m.GetReflection()->GetInt64(m, f);
}

// Fills the header fields a browser's request already says (the body's
// type and length) when the caller did not set them.
void DefaultFromHeaders(const httplib::Request& req, Message& header) {
  const auto* d = header.GetDescriptor();
  const auto* r = header.GetReflection();
  if (const auto* f = d->FindFieldByName("content_type");
      f != nullptr && f->cpp_type() == f->CPPTYPE_STRING &&
      r->GetString(header, f).empty() && req.has_header("Content-Type")) {
    r->SetString(&header, f, req.get_header_value("Content-Type"));
  }
  if (const auto* f = d->FindFieldByName("size_bytes");
      f != nullptr && f->has_presence() && !r->HasField(header, f) &&
      req.has_header("Content-Length")) {
    int64_t n;
    if (absl::SimpleAtoi(req.get_header_value("Content-Length"), &n)) {
      // A resumed upload's body is the file from resume_offset on.
      if (const auto* o = d->FindFieldByName("resume_offset");
          o != nullptr && o->cpp_type() == o->CPPTYPE_INT64) {
        n += r->GetInt64(header, o);
      }
      r->SetInt64(&header, f, n);
    }
  }
}

// Whether an upload cut short may still be handed over as far as it got:
// only a resumable one with a declared size, which the archive then knows
// is short (it keeps the whole chunks received in the upload session) and
// never commits.
bool KeepsWhatArrived(const Message& header) {
  const auto* d = header.GetDescriptor();
  const auto* r = header.GetReflection();
  const auto* resumable = d->FindFieldByName("resumable");
  const auto* size = d->FindFieldByName("size_bytes");
  return resumable != nullptr &&
         resumable->cpp_type() == resumable->CPPTYPE_BOOL &&
         r->GetBool(header, resumable) && size != nullptr &&
         size->has_presence() && r->HasField(header, size);
}

}  // namespace

Gateway::Gateway(GatewayOptions options, RouteTable routes)
    : options_(std::move(options)), routes_(std::move(routes)) {
  openapi_ = OpenApiDocument(routes_);
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(
    GatewayOptions options) {
  // Naming a message of each file links its descriptors into the pool.
  const std::vector<const google::protobuf::ServiceDescriptor*> services = {
      v1::GetCallerRequest::descriptor()->file()->FindServiceByName(
          "ChecklistService"),
      v1::PlanRectificationRequest::descriptor()->file()->FindServiceByName(
          "RectificationService"),
      v1::UploadRequest::descriptor()->file()->FindServiceByName(
          "ArchiveService"),
  };
  for (const auto* s : services) {
    if (s == nullptr) return absl::InternalError("a service is not linked in");
  }
  absl::StatusOr<RouteTable> routes = RouteTable::Build(services);
  if (!routes.ok()) return routes.status();
  return std::unique_ptr<Gateway>(
      new Gateway(std::move(options), *std::move(routes)));
}

const std::shared_ptr<grpc::Channel>& Gateway::ChannelFor(
    const Route& route) const {
  return route.method->service()->name() == "ArchiveService"
             ? options_.archive
             : options_.checklist;
}

Gateway::Caller Gateway::CallerOf(const httplib::Request& req) {
  return {req.get_header_value("Authorization"),
          req.get_header_value("X-Junheng-User")};
}

std::unique_ptr<grpc::ClientContext> Gateway::ContextFor(
    const Caller& caller, absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!caller.authorization.empty()) {
    context->AddMetadata("authorization", caller.authorization);
  }
  // Services started with --insecure_no_auth record this self-declared name.
  if (!caller.user.empty()) context->AddMetadata("x-junheng-user", caller.user);
  return context;
}

void Gateway::Install(httplib::Server& server) {
  httplib::Headers headers = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self' "
       "'unsafe-inline'; img-src 'self' blob: data:; font-src 'self' data:; "
       "connect-src 'self'; frame-src 'self' blob:; object-src 'self' blob:; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
  };
  if (options_.tls) {
    headers.emplace("Strict-Transport-Security", "max-age=31536000");
  }
  server.set_default_headers(headers);
  // Bodies are read by the handlers themselves, each with its own bound;
  // a GET carries none.
  server.set_payload_max_length(std::numeric_limits<size_t>::max());
  server.set_keep_alive_max_count(1000);
  server.set_pre_routing_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        // cpp-httplib compresses with Brotli at quality 11 when a browser
        // offers "br": ~100 ms of CPU for a county's evaluation. Offer it
        // gzip only (a few ms, still 10-20x smaller on a rural line). The
        // request object is httplib's own, not const: it only hands it out
        // as const.
        auto& mutable_req = const_cast<httplib::Request&>(req);
        const bool gzip =
            absl::StrContains(req.get_header_value("Accept-Encoding"), "gzip");
        mutable_req.headers.erase("Accept-Encoding");
        if (gzip) mutable_req.headers.emplace("Accept-Encoding", "gzip");
        if ((req.method == "GET" || req.method == "HEAD") &&
            ((req.has_header("Content-Length") &&
              req.get_header_value("Content-Length") != "0") ||
             req.has_header("Transfer-Encoding"))) {
          SendError(res, InvalidField("body", "a GET request has no body"));
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });

  const std::string api = R"(/v1/.*)";
  server.Get("/v1/openapi.json",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(openapi_, "application/json");
             });
  server.Get("/healthz", [this](const httplib::Request&,
                                httplib::Response& res) { ServeHealth(res); });
  server.Post("/web/downloads",
              [this](const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& body) {
                CreateDownloadTicket(req, res, body);
              });
  server.Get(R"(/web/downloads/([0-9a-f]{48}))",
             [this](const httplib::Request& req, httplib::Response& res) {
               ServeTicket(req.matches[1], req, res);
             });
  server.Get(api, [this](const httplib::Request& req, httplib::Response& res) {
    ServeApi(req, res, nullptr);
  });
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& body) {
    ServeApi(req, res, &body);
  };
  server.Post(api, with_body);
  server.Patch(api, with_body);
  server.Put(api, with_body);
  server.Delete(api, with_body);
  server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    ServeFile(req, res);
  });
}

void Gateway::ServeApi(const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader* body) {
  res.set_header("Cache-Control", "no-store");
  std::optional<RouteMatch> match = routes_.Match(req.method, req.path);
  if (!match) {
    if (std::string allowed = routes_.MethodsFor(req.path); !allowed.empty()) {
      res.set_header("Allow", allowed);
      return SendError(
          res,
          ErrorOf(absl::Status(absl::StatusCode::kUnimplemented,
                               absl::StrCat(req.method, " is not allowed on ",
                                            req.path, "; it takes ", allowed)),
                  405));
    }
    return SendError(res,
                     absl::NotFoundError(absl::StrCat(
                         "no API call has the path ", req.path,
                         ": see /v1/openapi.json for the calls there are")));
  }
  switch (match->route->shape) {
    case Route::Shape::kUnary:
      return ServeJson(*match, req, res, body);
    case Route::Shape::kServerStream:
      return ServeStream(*match, req, res);
    case Route::Shape::kRawUpload:
      return ServeUpload(*match, req, res, body);
    case Route::Shape::kRawDownload:
      return ServeDownload(*match, CallerOf(req), QueryOf(req), req, res);
  }
}

void Gateway::ServeJson(const RouteMatch& match, const httplib::Request& req,
                        httplib::Response& res,
                        const httplib::ContentReader* body) {
  const Route& route = *match.route;
  std::string text;
  if (body != nullptr) {
    bool too_large = false;
    (*body)([&](const char* data, size_t n) {
      if (text.size() + n > options_.max_json_body_bytes) {
        too_large = true;
        return false;
      }
      text.append(data, n);
      return true;
    });
    if (too_large) {
      res.set_header("Connection", "close");
      return SendError(
          res,
          ErrorOf(InvalidField(
                      "body",
                      absl::StrCat("is larger than ",
                                   options_.max_json_body_bytes >> 20, " MiB")),
                  413));
    }
  }
  std::unique_ptr<Message> request = NewMessage(route.method->input_type());
  if (absl::Status s =
          BuildRequest(route, match.bindings, QueryOf(req), text, *request);
      !s.ok()) {
    return SendError(res, s);
  }
  GrpcCall call(ChannelFor(route), route.grpc_method,
                ContextFor(CallerOf(req), options_.call_timeout));
  std::unique_ptr<Message> response = NewMessage(route.method->output_type());
  bool got =
      call.Write(*request) && call.WritesDone() && call.Read(response.get());
  const grpc::Status status = call.Finish();
  if (!status.ok()) return SendError(res, ErrorOf(status));
  if (!got) {
    return SendError(res, absl::InternalError(
                              "the service ended the call without an answer"));
  }
  if (absl::Status s = ExpandEvaluations(*response); !s.ok()) {
    return SendError(res, s);
  }
  res.status = 200;
  res.set_content(ToJson(*response), "application/json");
}

void Gateway::ServeStream(const RouteMatch& match, const httplib::Request& req,
                          httplib::Response& res) {
  const Route& route = *match.route;
  std::unique_ptr<Message> request = NewMessage(route.method->input_type());
  if (absl::Status s =
          BuildRequest(route, match.bindings, QueryOf(req), "", *request);
      !s.ok()) {
    return SendError(res, s);
  }
  auto call = std::make_shared<GrpcCall>(
      ChannelFor(route), route.grpc_method,
      ContextFor(CallerOf(req), options_.transfer_timeout));
  // The first message decides the HTTP status: an error before it is an
  // error response; after it, the array's last element.
  std::shared_ptr<Message> first = NewMessage(route.method->output_type());
  const bool has_first =
      call->Write(*request) && call->WritesDone() && call->Read(first.get());
  if (!has_first) {
    const grpc::Status status = call->Finish();
    if (!status.ok()) return SendError(res, ErrorOf(status));
    res.status = 200;
    res.set_content("[]", "application/json");
    return;
  }
  if (absl::Status s = ExpandEvaluations(*first); !s.ok()) {
    call->Cancel();
    return SendError(res, s);
  }
  const auto* output = route.method->output_type();
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json", [call, first, output, done = false](
                              size_t, httplib::DataSink& sink) mutable {
        if (done) {
          sink.done();
          return true;
        }
        if (first != nullptr) {
          const std::string json = absl::StrCat("[", ToJson(*first));
          first.reset();
          return sink.write(json.data(), json.size());
        }
        std::unique_ptr<Message> next = NewMessage(output);
        std::string out;
        if (call->Read(next.get())) {
          absl::Status expanded = ExpandEvaluations(*next);
          if (expanded.ok()) {
            out = absl::StrCat(",\n", ToJson(*next));
          } else {
            // As any error after the first message: the array's last element.
            call->Cancel();
            out = absl::StrCat(",\n", ErrorOf(expanded).json, "]\n");
            done = true;
          }
        } else {
          const grpc::Status status = call->Finish();
          out = status.ok() ? "]\n"
                            : absl::StrCat(",\n", ErrorOf(status).json, "]\n");
          done = true;
        }
        return sink.write(out.data(), out.size());
      });
}

void Gateway::ServeUpload(const RouteMatch& match, const httplib::Request& req,
                          httplib::Response& res,
                          const httplib::ContentReader* body) {
  const Route& route = *match.route;
  std::unique_ptr<Message> header =
      NewMessage(route.envelope_field->message_type());
  if (absl::Status s =
          BuildUploadHeader(route, match.bindings, QueryOf(req), *header);
      !s.ok()) {
    res.set_header("Connection", "close");
    return SendError(res, s);
  }
  DefaultFromHeaders(req, *header);
  const auto* in = route.method->input_type();
  std::unique_ptr<Message> message = NewMessage(in);
  message->GetReflection()
      ->MutableMessage(message.get(), route.envelope_field)
      ->CopyFrom(*header);
  GrpcCall call(ChannelFor(route), route.grpc_method,
                ContextFor(CallerOf(req), options_.transfer_timeout));
  bool writing = call.Write(*message);
  std::string pending;
  size_t dropped = 0;
  auto flush = [&] {
    message->Clear();
    message->GetReflection()->SetString(message.get(), route.bytes_field,
                                        std::move(pending));
    pending.clear();
    writing = call.Write(*message);
  };
  bool complete = true;
  if (body != nullptr) {
    complete = (*body)([&](const char* data, size_t n) {
      if (!writing) {
        dropped += n;
        return dropped < kDrainBytes;
      }
      pending.append(data, n);
      if (pending.size() >= kChunkBytes) flush();
      return true;
    });
  }
  if (writing && complete && !pending.empty()) flush();
  if (!complete && writing) {
    res.set_header("Connection", "close");
    if (KeepsWhatArrived(*header)) {
      // The browser went away mid-file. Ending the stream short of its
      // declared size hands the archive every byte that did arrive, so the
      // session keeps each whole chunk of it; a cancel would lose what is
      // still in flight (megabytes of buffers), and the resume would send
      // it again.
      if (!pending.empty()) flush();
      if (writing) (void)call.WritesDone();
      std::unique_ptr<Message> ignored =
          NewMessage(route.method->output_type());
      (void)call.Read(ignored.get());
      const grpc::Status ended = call.Finish();
      if (!ended.ok()) return SendError(res, ErrorOf(ended));
      return SendError(res, absl::CancelledError("the upload was cut off"));
    }
    // Without a declared size, an early end would look like the whole
    // file: cancel, and nothing is committed.
    call.Cancel();
    (void)call.Finish();
    return SendError(
        res, absl::CancelledError("the upload was cut off before its end; no "
                                  "version was stored"));
  }
  if (writing) writing = call.WritesDone();
  std::unique_ptr<Message> response = NewMessage(route.method->output_type());
  const bool got = writing && call.Read(response.get());
  const grpc::Status status = call.Finish();
  if (!status.ok()) {
    if (dropped > 0) res.set_header("Connection", "close");
    return SendError(res, ErrorOf(status));
  }
  if (!got) {
    return SendError(
        res,
        absl::InternalError("the service ended the upload without an answer"));
  }
  res.status = 200;
  res.set_content(ToJson(*response), "application/json");
}

void Gateway::ServeDownload(const RouteMatch& match, const Caller& caller,
                            const QueryParams& query,
                            const httplib::Request& req,
                            httplib::Response& res) {
  const Route& route = *match.route;
  std::unique_ptr<Message> request = NewMessage(route.method->input_type());
  if (absl::Status s = BuildRequest(route, match.bindings, query, "", *request);
      !s.ok()) {
    return SendError(res, s);
  }
  // An HTTP Range ("bytes=A-" or "bytes=A-B", as a browser resuming a
  // download sends) becomes the call's offset and length; httplib must not
  // cut the stream again, so its parsed ranges are taken away (its request
  // object is its own, handed out as const). Other forms get the whole file.
  bool ranged = false;
  if (req.ranges.size() == 1 && req.ranges[0].first >= 0 &&
      Int64Field(*request, "offset") == 0 &&
      Int64Field(*request, "length") == 0) {
    const auto [first, last] = req.ranges[0];
    const auto* d = request->GetDescriptor();
    request->GetReflection()->SetInt64(request.get(),
                                       d->FindFieldByName("offset"), first);
    if (last >= first) {
      request->GetReflection()->SetInt64(
          request.get(), d->FindFieldByName("length"), last - first + 1);
    }
    ranged = true;
  }
  const_cast<httplib::Request&>(req).ranges.clear();
  const bool whole = Int64Field(*request, "offset") == 0 &&
                     Int64Field(*request, "length") == 0;
  auto call =
      std::make_shared<GrpcCall>(ChannelFor(route), route.grpc_method,
                                 ContextFor(caller, options_.transfer_timeout));
  const auto* output = route.method->output_type();
  std::unique_ptr<Message> first = NewMessage(output);
  if (!(call->Write(*request) && call->WritesDone() &&
        call->Read(first.get()))) {
    const grpc::Status status = call->Finish();
    HttpError error = status.ok() ? ErrorOf(absl::InternalError(
                                        "the service sent no version metadata"))
                                  : ErrorOf(status);
    if (ranged && status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      error.http_status = 416;
    }
    return SendError(res, error);
  }
  const auto* reflection = first->GetReflection();
  if (!reflection->HasField(*first, route.envelope_field)) {
    return SendError(res, absl::InternalError(
                              "the download did not start with its metadata"));
  }
  const Message& meta = reflection->GetMessage(*first, route.envelope_field);
  const std::string sha256 = StringField(meta, "sha256");
  const int64_t size = Int64Field(meta, "size_bytes");
  int64_t length = size;
  int64_t offset = 0;
  if (!whole) {
    offset = std::min(Int64Field(*request, "offset"), size);
    const int64_t asked = Int64Field(*request, "length");
    length = size - offset;
    if (asked > 0) length = std::min(length, asked);
  }
  std::string type = StringField(meta, "content_type");
  if (type.empty()) type = "application/octet-stream";
  res.status = 200;
  res.set_header("Accept-Ranges", "bytes");
  if (ranged && length <= 0) {
    res.status = 416;  // a range that starts at or past the end
    res.set_header("Content-Range", absl::StrCat("bytes */", size));
    return;
  }
  if (ranged) {
    res.status = 206;
    res.set_header(
        "Content-Range",
        absl::StrCat("bytes ", offset, "-", offset + length - 1, "/", size));
  }
  res.set_header("Content-Disposition",
                 ContentDisposition(StringField(meta, "filename")));
  res.set_header("ETag", absl::StrCat("\"", sha256, "\""));
  res.set_header("X-Junheng-Version", StringField(meta, "name"));
  res.set_header("X-Junheng-Sha256", sha256);

  // Bytes go out as they come, but the last piece of a whole file only once
  // its SHA-256 has matched: damaged bytes never arrive as a complete file.
  struct State {
    std::shared_ptr<GrpcCall> call;
    const google::protobuf::Descriptor* output;
    const google::protobuf::FieldDescriptor* bytes;
    bool verify;
    std::string expected;
    std::string version;
    Sha256 hash;
    std::string held;
    int64_t received = 0;
    int64_t length = 0;
    bool ended = false;
  };
  auto state = std::make_shared<State>();
  state->call = call;
  state->output = output;
  state->bytes = route.bytes_field;
  state->verify = whole;
  state->expected = sha256;
  state->version = StringField(meta, "name");
  state->length = length;

  // Reads on until the stream ends; false if it ended badly.
  auto pump = [](State& s, httplib::DataSink* sink) -> bool {
    std::unique_ptr<Message> next = NewMessage(s.output);
    if (s.call->Read(next.get())) {
      const std::string& bytes =
          next->GetReflection()->GetStringReference(*next, s.bytes, nullptr);
      s.received += static_cast<int64_t>(bytes.size());
      if (s.received > s.length) {
        std::fprintf(stderr, "junheng-web: %s: more bytes than its size\n",
                     s.version.c_str());
        return false;
      }
      if (s.verify) s.hash.Update(bytes);
      if (!s.held.empty() && sink != nullptr &&
          !sink->write(s.held.data(), s.held.size())) {
        return false;
      }
      s.held = bytes;
      return true;
    }
    s.ended = true;
    const grpc::Status status = s.call->Finish();
    if (!status.ok()) {
      std::fprintf(stderr, "junheng-web: download of %s broke off: %s\n",
                   s.version.c_str(), status.error_message().c_str());
      return false;
    }
    if (s.received != s.length ||
        (s.verify && ToHex(s.hash.Finish()) != s.expected)) {
      std::fprintf(stderr,
                   "junheng-web: %s did not match its SHA-256; the download "
                   "was cut off\n",
                   s.version.c_str());
      return false;
    }
    if (!s.held.empty() && sink != nullptr &&
        !sink->write(s.held.data(), s.held.size())) {
      return false;
    }
    s.held.clear();
    return true;
  };

  if (length == 0) {
    while (!state->ended) {
      if (!pump(*state, nullptr)) {
        return SendError(res, absl::DataLossError(absl::StrCat(
                                  state->version, " could not be read whole")));
      }
    }
    res.set_content("", type);
    return;
  }
  res.set_content_provider(
      static_cast<size_t>(length), type,
      [state, pump](size_t, size_t, httplib::DataSink& sink) {
        if (state->ended) return false;
        return pump(*state, &sink);
      });
}

void Gateway::CreateDownloadTicket(const httplib::Request& req,
                                   httplib::Response& res,
                                   const httplib::ContentReader& body) {
  res.set_header("Cache-Control", "no-store");
  std::string text;
  bool too_large = false;
  body([&](const char* data, size_t n) {
    text.append(data, n);
    too_large = text.size() > 4096;
    return !too_large;
  });
  google::protobuf::Struct json;
  if (too_large ||
      !google::protobuf::util::JsonStringToMessage(text, &json).ok() ||
      !json.fields().contains("name") ||
      json.fields().at("name").kind_case() !=
          google::protobuf::Value::kStringValue) {
    return SendError(res, InvalidField("name",
                                       "send {\"name\": \"<evidence or version "
                                       "name>\"} as the JSON body"));
  }
  const std::string name = json.fields().at("name").string_value();
  std::optional<RouteMatch> download =
      routes_.Match("GET", absl::StrCat("/v1/", name, ":download"));
  if (!download || download->route->shape != Route::Shape::kRawDownload) {
    return SendError(
        res, InvalidField("name", absl::StrCat("\"", Excerpt(name, 200),
                                               "\" is not an evidence or "
                                               "version name")));
  }
  // Asked now, as the caller, so that a refusal shows in the console rather
  // than on a blank download page: may this caller read the evidence?
  std::string evidence = name;
  if (size_t at = evidence.find("/versions/"); at != std::string::npos) {
    evidence.resize(at);
  }
  std::optional<RouteMatch> get =
      routes_.Match("GET", absl::StrCat("/v1/", evidence));
  const Caller caller = CallerOf(req);
  if (get) {
    std::unique_ptr<Message> request =
        NewMessage(get->route->method->input_type());
    if (absl::Status s =
            BuildRequest(*get->route, get->bindings, {}, "", *request);
        !s.ok()) {
      return SendError(res, s);
    }
    GrpcCall call(ChannelFor(*get->route), get->route->grpc_method,
                  ContextFor(caller, options_.call_timeout));
    std::unique_ptr<Message> response =
        NewMessage(get->route->method->output_type());
    (void)(call.Write(*request) && call.WritesDone() &&
           call.Read(response.get()));
    if (grpc::Status s = call.Finish(); !s.ok()) {
      return SendError(res, ErrorOf(s));
    }
  }
  unsigned char random[24];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    return SendError(res, absl::InternalError("no randomness for a ticket"));
  }
  const std::string ticket = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(random), sizeof(random)));
  const absl::Time now = absl::Now();
  {
    MutexLock lock(&tickets_mu_);
    absl::erase_if(tickets_, [now](const auto& entry) {
      return entry.second.expires < now;
    });
    if (tickets_.size() >= kMaxTickets) {
      return SendError(res, absl::ResourceExhaustedError(
                                "too many downloads are waiting to start; try "
                                "again in a minute"));
    }
    tickets_[ticket] = {caller, name, now + kTicketLifetime};
  }
  res.set_content(absl::StrCat("{\"url\":\"/web/downloads/", ticket,
                               "\",\"expiresInSeconds\":",
                               absl::ToInt64Seconds(kTicketLifetime), "}"),
                  "application/json");
}

void Gateway::ServeTicket(const std::string& ticket,
                          const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  std::optional<Ticket> found;
  {
    MutexLock lock(&tickets_mu_);
    if (auto it = tickets_.find(ticket); it != tickets_.end()) {
      if (it->second.expires >= absl::Now()) found = it->second;
      tickets_.erase(it);  // one use only
    }
  }
  if (!found) {
    res.status = 404;
    res.set_content(
        "这个下载链接已失效（只能使用一次，一分钟内有效）。请回到控制台重新下载"
        "。\n"
        "This download link has expired or was used already; start the "
        "download again from the console.\n",
        "text/plain; charset=utf-8");
    return;
  }
  std::optional<RouteMatch> match =
      routes_.Match("GET", absl::StrCat("/v1/", found->name, ":download"));
  if (!match) {
    res.status = 404;
    return;
  }
  ServeDownload(*match, found->caller, {}, req, res);
}

void Gateway::ServeHealth(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  std::string json = "{";
  bool all = true;
  int i = 0;
  for (const auto& [name, channel] :
       {std::pair{"checklist", options_.checklist},
        std::pair{"archive", options_.archive}}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(
        &context, request, &response);
    const bool serving =
        s.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
    all = all && serving;
    absl::StrAppend(&json, i++ ? "," : "", "\"", name, "\":\"",
                    serving ? "SERVING" : "NOT_SERVING", "\"");
  }
  absl::StrAppend(&json, "}");
  res.status = all ? 200 : 503;
  res.set_content(json, "application/json");
}

void Gateway::ServeFile(const httplib::Request& req, httplib::Response& res) {
  if (options_.console_dir.empty()) {
    res.status = 404;
    res.set_content("this junheng-web serves the API only (/v1/)\n",
                    "text/plain; charset=utf-8");
    return;
  }
  std::string path = req.path;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == ".." || part == "." || absl::StrContains(part, '\\')) {
      res.status = 404;
      return;
    }
  }
  if (path.empty() || path.back() == '/') path += "index.html";
  std::string content;
  std::string file = options_.console_dir + path;
  if (!ReadWholeFile(file, &content)) {
    // The console's own routes (/county/330106, …) are pages of index.html;
    // a missing asset is a plain 404.
    const std::string last(path.substr(path.rfind('/') + 1));
    if (absl::StrContains(last, '.') ||
        !ReadWholeFile(options_.console_dir + "/index.html", &content)) {
      res.status = 404;
      res.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    file = "index.html";
  }
  // Vite names built assets by their content: they never change.
  res.set_header("Cache-Control", absl::StartsWith(path, "/assets/")
                                      ? "public, max-age=31536000, immutable"
                                      : "no-cache");
  res.status = 200;
  res.set_content(content, MimeTypeOf(file));
}

}  // namespace junheng::web
