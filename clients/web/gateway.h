// junheng-web's HTTP face: the REST routes (routes.h) forwarded to the two
// services as the calling user, the console's files, and the OpenAPI
// document. The gateway holds no rights of its own: every call carries the
// Authorization header the browser or script sent, and the services decide.
#ifndef JUNHENG_CLIENTS_WEB_GATEWAY_H_
#define JUNHENG_CLIENTS_WEB_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/web/routes.h"
#include "clients/web/transcode.h"
#include "common/mutex.h"
#include "grpcpp/channel.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace junheng::web {

struct GatewayOptions {
  std::shared_ptr<grpc::Channel> checklist;
  std::shared_ptr<grpc::Channel> archive;
  // The built console (index.html and assets/); empty: API only.
  std::string console_dir;
  // A JSON call's deadline towards the service.
  absl::Duration call_timeout = absl::Seconds(120);
  // An upload's or download's deadline: long, for slow rural connections.
  absl::Duration transfer_timeout = absl::Hours(12);
  // Largest JSON request body accepted.
  size_t max_json_body_bytes = 8 << 20;
  // Served over TLS (adds HSTS).
  bool tls = false;
};

class Gateway {
 public:
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(
      GatewayOptions options);

  // Registers every handler and the response headers on `server`.
  void Install(httplib::Server& server);

  const RouteTable& routes() const { return routes_; }

 private:
  Gateway(GatewayOptions options, RouteTable routes);

  void ServeApi(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* body);
  void ServeJson(const RouteMatch& match, const httplib::Request& req,
                 httplib::Response& res, const httplib::ContentReader* body);
  void ServeStream(const RouteMatch& match, const httplib::Request& req,
                   httplib::Response& res);
  void ServeUpload(const RouteMatch& match, const httplib::Request& req,
                   httplib::Response& res, const httplib::ContentReader* body);
  // Who a request is from, as it is forwarded to the services.
  struct Caller {
    std::string authorization;  // the Authorization header, as sent
    std::string user;           // X-Junheng-User (services without auth)
  };
  // A browser cannot put an Authorization header on a plain link, and a
  // download fetched by script is held whole in its memory. So the console
  // asks for a ticket (POST /web/downloads {"name": …}, with its token) and
  // then follows GET /web/downloads/{ticket}: the browser streams the file
  // to disk. A ticket is 192 random bits, works once, within a minute, for
  // that one name, as that caller; the token itself never enters a URL.
  struct Ticket {
    Caller caller;
    std::string name;
    absl::Time expires;
  };
  static constexpr absl::Duration kTicketLifetime = absl::Seconds(60);
  static constexpr size_t kMaxTickets = 10000;

  static Caller CallerOf(const httplib::Request& req);
  void ServeDownload(const RouteMatch& match, const Caller& caller,
                     const QueryParams& query, const httplib::Request& req,
                     httplib::Response& res);
  void CreateDownloadTicket(const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& body);
  void ServeTicket(const std::string& ticket, const httplib::Request& req,
                   httplib::Response& res);
  void ServeHealth(httplib::Response& res);
  void ServeFile(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<grpc::ClientContext> ContextFor(const Caller& caller,
                                                  absl::Duration timeout);
  const std::shared_ptr<grpc::Channel>& ChannelFor(const Route& route) const;

  GatewayOptions options_;
  RouteTable routes_;
  std::string openapi_;
  Mutex tickets_mu_;
  absl::flat_hash_map<std::string, Ticket> tickets_
      ABSL_GUARDED_BY(tickets_mu_);
};

}  // namespace junheng::web

#endif  // JUNHENG_CLIENTS_WEB_GATEWAY_H_
