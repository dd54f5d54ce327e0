// junheng-checklist with its archive behind a misbehaving network: a TCP
// proxy in the test that forwards, swallows everything (a black hole: the
// connection is accepted and then nothing moves, as with a lost route), or
// delays every byte past --archive_timeout_ms. Evaluations must answer
// within their deadline with the evidence status unknown and a warning, and
// recover by themselves once the network heals or the archive comes back
// on another port.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/archive_client.h"
#include "common/grpc_status.h"
#include "common/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "junheng/v1/checklist.grpc.pb.h"
#include "tests/test_util.h"

namespace junheng {
namespace {

using ::junheng::testing::ServerProcess;
using ::junheng::testing::TempDir;
using ::testing::Contains;
using ::testing::HasSubstr;

// Forwards TCP between a loopback port of its own and a target, on one
// thread, and can be told to stop forwarding or to delay.
class TcpProxy {
 public:
  enum class Mode {
    kForward,
    // Connections are accepted (and connected on to the target), but no
    // byte moves either way; they resume when the mode changes back.
    kBlackhole,
    // Every byte is held for `delay` after it arrived.
    kSlow,
  };

  explicit TcpProxy(std::string target) : target_(std::move(target)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      std::abort();
    }
    address_ = absl::StrCat("127.0.0.1:", ntohs(a.sin_port));
    thread_ = std::thread([this] { Loop(); });
  }

  ~TcpProxy() {
    stop_ = true;
    thread_.join();
    for (auto& c : conns_) Close(*c);
    ::close(listen_fd_);
  }

  const std::string& address() const { return address_; }

  void SetMode(Mode mode, absl::Duration delay = absl::ZeroDuration()) {
    MutexLock lock(&mu_);
    mode_ = mode;
    delay_ = delay;
  }

  // Where connections accepted from now on go.
  void SetTarget(std::string target) {
    MutexLock lock(&mu_);
    target_ = std::move(target);
  }

 private:
  struct Piece {
    absl::Time arrived;
    std::string bytes;
  };
  // One direction of a connection.
  struct Pipe {
    int from = -1, to = -1;
    std::deque<Piece> queue;
    size_t sent = 0;  // of queue.front()
    bool eof = false, shut = false, blocked = false;
  };
  struct Conn {
    Pipe up, down;  // client -> target, target -> client
    bool dead = false;
  };

  static int ConnectTo(const std::string& target) {
    const size_t colon = target.rfind(':');
    int port = 0;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(target.substr(colon + 1), &port)) {
      return -1;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, target.substr(0, colon).c_str(), &a.sin_addr) !=
        1) {
      return -1;
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      ::close(fd);
      return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
  }

  static void Close(Conn& c) {
    ::close(c.up.from);
    ::close(c.up.to);
  }

  // Sends what the mode lets through.
  static void Flush(Pipe& p, Conn& c, Mode mode, absl::Duration delay,
                    absl::Time now) {
    p.blocked = false;
    while (!p.queue.empty()) {
      const Piece& head = p.queue.front();
      if (mode == Mode::kBlackhole) return;
      if (mode == Mode::kSlow && now < head.arrived + delay) return;
      const ssize_t n =
          ::send(p.to, head.bytes.data() + p.sent, head.bytes.size() - p.sent,
                 MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          p.blocked = true;
        } else {
          c.dead = true;
        }
        return;
      }
      p.sent += static_cast<size_t>(n);
      if (p.sent == head.bytes.size()) {
        p.queue.pop_front();
        p.sent = 0;
      }
    }
    if (p.eof && !p.shut) {
      ::shutdown(p.to, SHUT_WR);
      p.shut = true;
    }
  }

  static void Receive(Pipe& p, Conn& c, absl::Time now) {
    char buf[64 << 10];
    const ssize_t n = ::recv(p.from, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      p.queue.push_back({now, std::string(buf, static_cast<size_t>(n))});
    } else if (n == 0) {
      p.eof = true;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      c.dead = true;
    }
  }

  void Loop() {
    while (!stop_) {
      Mode mode;
      absl::Duration delay;
      std::string target;
      {
        MutexLock lock(&mu_);
        mode = mode_;
        delay = delay_;
        target = target_;
      }
      absl::Time now = absl::Now();
      for (auto& c : conns_) {
        Flush(c->up, *c, mode, delay, now);
        Flush(c->down, *c, mode, delay, now);
      }
      // A connection ends when either side fails, or both have finished.
      for (auto it = conns_.begin(); it != conns_.end();) {
        Conn& c = **it;
        if (c.dead || (c.up.shut && c.down.shut)) {
          Close(c);
          it = conns_.erase(it);
        } else {
          ++it;
        }
      }
      std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
      for (auto& c : conns_) {
        for (Pipe* p : {&c->up, &c->down}) {
          fds.push_back({p->from, static_cast<short>(p->eof ? 0 : POLLIN), 0});
          fds.push_back(
              {p->to, static_cast<short>(p->blocked ? POLLOUT : 0), 0});
        }
      }
      ::poll(fds.data(), fds.size(), 10);
      now = absl::Now();
      if (fds[0].revents & POLLIN) {
        const int client =
            ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK);
        if (client >= 0) {
          const int upstream = ConnectTo(target);
          if (upstream < 0) {
            ::close(client);  // as a refused connection looks from afar
          } else {
            auto c = std::make_unique<Conn>();
            c->up.from = c->down.to = client;
            c->up.to = c->down.from = upstream;
            conns_.push_back(std::move(c));
          }
        }
      }
      size_t at = 1;
      for (auto& c : conns_) {
        if (at >= fds.size()) break;  // accepted just now
        for (Pipe* p : {&c->up, &c->down}) {
          if (fds[at].revents & (POLLIN | POLLHUP | POLLERR)) {
            Receive(*p, *c, now);
          }
          at += 2;
        }
      }
    }
  }

  Mutex mu_;
  Mode mode_ ABSL_GUARDED_BY(mu_) = Mode::kForward;
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  std::string target_ ABSL_GUARDED_BY(mu_);
  int listen_fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Conn>> conns_;  // the loop thread's
  std::thread thread_;
};

constexpr char kSchools[] =
    "county_code,school_code,school_name,year,school_type,p_students,"
    "p_teachers,teaching_area_m2\n"
    "330199,3301990001,甲小学,2025,primary,100,6,500\n"
    "330199,3301990002,乙小学,2025,primary,300,18,1800\n";
constexpr char kCounty[] = "counties/330199/years/2025";
constexpr int kArchiveTimeoutMs = 1000;

class DependencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(StartArchive());
    proxy_ = std::make_unique<TcpProxy>(archive_->address());
    checklist_ = std::make_unique<ServerProcess>(
        "junheng-checklist",
        std::vector<std::string>{
            "--data_dir=" + checklist_data_.path(),
            "--archive_addr=" + proxy_->address(),
            absl::StrCat("--archive_timeout_ms=", kArchiveTimeoutMs),
            std::string("--standards_dir=") + JUNHENG_SOURCE_DIR +
                "/standards"});
    ASSERT_OK(checklist_->Start());
    stub_ = v1::ChecklistService::NewStub(grpc::CreateChannel(
        checklist_->address(), grpc::InsecureChannelCredentials()));
    ASSERT_OK(ImportSchools());
    ASSERT_OK(UploadEvidence());
  }

  void TearDown() override {
    // Stop the checklist before the proxy goes, so it never waits on it.
    if (checklist_) checklist_->Stop();
  }

  absl::Status StartArchive() {
    archive_ = std::make_unique<ServerProcess>(
        "junheng-archive",
        std::vector<std::string>{"--data_dir=" + archive_data_.path()});
    return archive_->Start();
  }

  absl::Status ImportSchools() {
    grpc::ClientContext c;
    v1::ImportResponse response;
    auto writer = stub_->ImportSchools(&c, &response);
    v1::ImportRequest m;
    m.set_csv_chunk(kSchools);
    writer->Write(m);
    writer->WritesDone();
    return FromGrpc(writer->Finish());
  }

  // R4 evidence at one of the two schools: once the archive answers, R4's
  // evidence status is known (missing at the other school).
  absl::Status UploadEvidence() {
    ArchiveClient archive(Connect(archive_->address()));
    v1::UploadHeader h;
    h.set_parent("counties/330199/schools/3301990001");
    h.set_evidence_id("r4-floor-area");
    h.set_title("校舍面积台账");
    h.add_indicator_codes("R4");
    h.set_school_year(2025);
    const std::string bytes = "building,area\nA,500\n";
    return archive.Upload(h, ::junheng::testing::ReadFrom(bytes)).status();
  }

  struct Timed {
    absl::StatusOr<v1::CountyEvaluation> evaluation;
    absl::Duration took;
  };
  Timed Evaluate(absl::Duration deadline = absl::Seconds(5)) {
    grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoNanoseconds(deadline));
    v1::EvaluateCountyRequest r;
    r.set_name(kCounty);
    v1::CountyEvaluation e;
    const absl::Time start = absl::Now();
    absl::Status s = FromGrpc(stub_->EvaluateCounty(&c, r, &e));
    Timed t{e, absl::Now() - start};
    if (!s.ok()) t.evaluation = s;
    return t;
  }

  static v1::EvidenceStatus R4Evidence(const v1::CountyEvaluation& e) {
    for (const auto& a : e.areas()) {
      for (const auto& i : a.indicators()) {
        if (i.code() == "R4") return i.evidence();
      }
    }
    return v1::EvidenceStatus();
  }

  // The archive is unreachable: the answer comes within the deadline (the
  // archive gets at most --archive_timeout_ms of it), degraded and saying so.
  void ExpectDegraded(const std::string& why) {
    SCOPED_TRACE(why);
    for (int i = 0; i < 2; ++i) {
      Timed t = Evaluate(absl::Seconds(5));
      ASSERT_TRUE(t.evaluation.ok()) << t.evaluation.status();
      EXPECT_LT(t.took, absl::Milliseconds(kArchiveTimeoutMs + 1500)) << t.took;
      EXPECT_EQ(t.evaluation->evidence_checked(), v1::EVIDENCE_UNKNOWN);
      EXPECT_EQ(R4Evidence(*t.evaluation), v1::EVIDENCE_UNKNOWN);
      EXPECT_THAT(t.evaluation->warnings(),
                  Contains(HasSubstr("evidence status unknown")));
      std::cout << why << ": degraded answer in " << t.took << std::endl;
    }
  }

  // Evaluates until the evidence status is known again, with no help from
  // the test; returns how long that took.
  absl::Duration ExpectRecovers(const std::string& why) {
    SCOPED_TRACE(why);
    const absl::Time start = absl::Now();
    const absl::Time give_up = start + absl::Seconds(30);
    while (absl::Now() < give_up) {
      Timed t = Evaluate(absl::Seconds(5));
      EXPECT_TRUE(t.evaluation.ok()) << t.evaluation.status();
      if (t.evaluation.ok() &&
          t.evaluation->evidence_checked() == v1::EVIDENCE_PRESENT) {
        EXPECT_EQ(R4Evidence(*t.evaluation), v1::EVIDENCE_MISSING);
        const absl::Duration took = absl::Now() - start;
        std::cout << why << ": evidence status known again after " << took
                  << std::endl;
        return took;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << "the evidence status stayed unknown for 30 s";
    return absl::InfiniteDuration();
  }

  TempDir archive_data_;
  TempDir checklist_data_;
  std::unique_ptr<ServerProcess> archive_;
  std::unique_ptr<TcpProxy> proxy_;
  std::unique_ptr<ServerProcess> checklist_;
  std::unique_ptr<v1::ChecklistService::Stub> stub_;
};

TEST_F(DependencyTest, BlackholedArchiveDegradesThenRecovers) {
  ExpectRecovers("through the proxy");
  proxy_->SetMode(TcpProxy::Mode::kBlackhole);
  ExpectDegraded("black hole, connection established before");
  proxy_->SetMode(TcpProxy::Mode::kForward);
  ExpectRecovers("black hole healed");
}

TEST_F(DependencyTest, BlackholeFromTheFirstConnection) {
  // The checklist has not talked to the archive yet: its first connection
  // never completes the HTTP/2 handshake.
  proxy_->SetMode(TcpProxy::Mode::kBlackhole);
  ExpectDegraded("black hole before any connection");
  proxy_->SetMode(TcpProxy::Mode::kForward);
  ExpectRecovers("black hole healed");
}

TEST_F(DependencyTest, SlowArchiveDegradesThenRecovers) {
  ExpectRecovers("through the proxy");
  proxy_->SetMode(TcpProxy::Mode::kSlow,
                  absl::Milliseconds(kArchiveTimeoutMs + 500));
  ExpectDegraded("every byte 1.5 s late");
  proxy_->SetMode(TcpProxy::Mode::kForward);
  ExpectRecovers("fast again");
}

TEST_F(DependencyTest, ArchiveRestartedOnAnotherPortBehindTheProxy) {
  ExpectRecovers("through the proxy");
  archive_->Kill();
  ExpectDegraded("archive killed");
  ASSERT_OK(StartArchive());
  proxy_->SetTarget(archive_->address());
  ExpectRecovers("archive restarted on " + archive_->address());
}

}  // namespace
}  // namespace junheng
