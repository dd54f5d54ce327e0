// junheng-web: the web console and the REST API, a gRPC client of both
// services that forwards every request as the user who sent it.
//
//   junheng-web --listen 127.0.0.1:8080 --checklist_addr H:P
//               --archive_addr H:P --console_dir clients/web/console/dist
//
// Prints "junheng-web listening on HOST:PORT" once it accepts connections;
// SIGINT or SIGTERM stops it after the requests in flight have ended.
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/connection.h"
#include "clients/web/gateway.h"
#include "common/tls.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "host:port to serve HTTP on (port 0 picks a free one)");
ABSL_FLAG(std::string, checklist_addr, "127.0.0.1:50052",
          "the checklist service (host:port)");
ABSL_FLAG(std::string, archive_addr, "127.0.0.1:50051",
          "the archive service (host:port)");
ABSL_FLAG(std::string, console_dir, "",
          "the built console (index.html, assets/); empty: serve the API only");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain to serve HTTPS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(bool, insecure, false,
          "allow plain HTTP on an address other machines can reach (only "
          "behind a proxy that terminates TLS)");
ABSL_FLAG(std::string, service_tls_ca, "",
          "PEM CA to verify the services' TLS certificates with; empty: "
          "plaintext gRPC (loopback)");
ABSL_FLAG(std::string, service_tls_cert, "",
          "PEM client certificate for services that require mutual TLS");
ABSL_FLAG(std::string, service_tls_key, "", "PEM key of --service_tls_cert");
ABSL_FLAG(int, threads, 32,
          "requests served at once (an upload or download holds one for its "
          "whole transfer)");
ABSL_FLAG(int, call_timeout_seconds, 120,
          "deadline of a JSON call towards a service");

namespace {

void Die(const std::string& message) {
  std::fprintf(stderr, "junheng-web: %s\n", message.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "junheng-web --listen HOST:PORT --checklist_addr H:P --archive_addr H:P "
      "[--console_dir DIR] [--tls_cert F --tls_key F]");
  // Block the shutdown signals before any thread exists, so that only the
  // waiting thread below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  absl::ParseCommandLine(argc, argv);

  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    Die(absl::StrCat("--listen ", listen, " is not host:port"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  const bool tls = !absl::GetFlag(FLAGS_tls_cert).empty();
  if (tls != !absl::GetFlag(FLAGS_tls_key).empty()) {
    Die("--tls_cert and --tls_key go together");
  }
  if (!tls && !absl::GetFlag(FLAGS_insecure) &&
      !junheng::IsLoopbackAddress(listen)) {
    Die(absl::StrCat("refusing to serve plain HTTP on ", listen,
                     ", which other machines can reach: tokens would cross the "
                     "network in the clear. Give --tls_cert and --tls_key, "
                     "listen on 127.0.0.1, or pass --insecure if a trusted "
                     "proxy terminates TLS"));
  }

  junheng::TlsClientFiles service_tls{absl::GetFlag(FLAGS_service_tls_ca),
                                      absl::GetFlag(FLAGS_service_tls_cert),
                                      absl::GetFlag(FLAGS_service_tls_key)};
  // Whole evaluations of a province are large messages.
  constexpr int kMaxMessage = 64 << 20;
  auto checklist = junheng::Connect(absl::GetFlag(FLAGS_checklist_addr),
                                    service_tls, kMaxMessage);
  if (!checklist.ok()) Die(std::string(checklist.status().message()));
  auto archive = junheng::Connect(absl::GetFlag(FLAGS_archive_addr),
                                  service_tls, kMaxMessage);
  if (!archive.ok()) Die(std::string(archive.status().message()));

  junheng::web::GatewayOptions options;
  options.checklist = *checklist;
  options.archive = *archive;
  options.console_dir = absl::GetFlag(FLAGS_console_dir);
  options.call_timeout =
      absl::Seconds(absl::GetFlag(FLAGS_call_timeout_seconds));
  options.tls = tls;
  if (!options.console_dir.empty() &&
      !std::ifstream(options.console_dir + "/index.html")) {
    Die(absl::StrCat("--console_dir ", options.console_dir,
                     " has no index.html: build the console first "
                     "(clients/web/console: npm ci && npm run build)"));
  }
  auto gateway = junheng::web::Gateway::Create(options);
  if (!gateway.ok()) Die(std::string(gateway.status().message()));

  std::unique_ptr<httplib::Server> server;
  if (tls) {
    server = std::make_unique<httplib::SSLServer>(
        absl::GetFlag(FLAGS_tls_cert).c_str(),
        absl::GetFlag(FLAGS_tls_key).c_str());
    if (!server->is_valid()) {
      Die("cannot load --tls_cert/--tls_key (PEM files, key matching the "
          "certificate)");
    }
  } else {
    server = std::make_unique<httplib::Server>();
  }
  const int threads = std::max(2, absl::GetFlag(FLAGS_threads));
  server->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  // A rural upload may pause; a stuck one must not hold a thread forever.
  server->set_read_timeout(60);
  server->set_write_timeout(60);
  server->set_keep_alive_timeout(30);
  server->set_tcp_nodelay(true);
  server->set_logger(
      [](const httplib::Request& req, const httplib::Response& res) {
        // The path only: queries and headers stay out of the log.
        std::fprintf(stderr, "junheng-web: %s %s %d\n", req.method.c_str(),
                     req.path.c_str(), res.status);
      });
  (*gateway)->Install(*server);

  int bound = port;
  if (port == 0) {
    bound = server->bind_to_any_port(host);
    if (bound < 0) Die(absl::StrCat("cannot listen on ", listen));
  } else if (!server->bind_to_port(host, port)) {
    Die(absl::StrCat("cannot listen on ", listen,
                     " (in use? pick another with --listen)"));
  }
  std::thread stopper([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "junheng-web: stopping\n");
    server->stop();
  });
  std::printf("junheng-web listening on %s:%d\n",
              host.find(':') != std::string::npos
                  ? absl::StrCat("[", host, "]").c_str()
                  : host.c_str(),
              bound);
  std::fflush(stdout);
  const bool ok = server->listen_after_bind();
  // stop() was called (or listening failed): let the stopper thread go.
  if (!ok) {
    pthread_kill(stopper.native_handle(), SIGTERM);
  }
  stopper.join();
  return ok ? 0 : 1;
}
