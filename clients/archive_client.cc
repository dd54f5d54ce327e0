#include "clients/archive_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/sha256.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"

namespace junheng {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::FailedPreconditionError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int64_t ReadFully(int fd, char* buf, size_t max) {
  size_t done = 0;
  while (done < max) {
    ssize_t n = ::read(fd, buf + done, max - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(done);
}

// A DownloadResponse as it arrived, read in place: a chunk is a view of the
// slices gRPC received, so its bytes are hashed and written without being
// copied into a message first (at 1 GB/s that copy was a tenth of the
// client's time). Anything but the one field the server sends is parsed as
// an ordinary message instead.
class RawDownloadMessage {
 public:
  // False if `buffer` cannot be read in place.
  bool Read(grpc::ByteBuffer& buffer) {
    slices_.clear();
    slice_ = 0;
    at_ = 0;
    pieces_.clear();
    version_.reset();
    if (!buffer.Dump(&slices_).ok()) return false;
    uint64_t tag, length;
    if (!Varint(&tag) || !Varint(&length) || length != Remaining()) {
      return false;
    }
    if (tag == ((1 << 3) | 2)) {
      std::string bytes;
      bytes.reserve(length);
      for (; slice_ < slices_.size(); ++slice_, at_ = 0) {
        bytes.append(Data(slice_) + at_, slices_[slice_].size() - at_);
      }
      version_.emplace();
      return version_->ParseFromString(bytes);
    }
    if (tag != ((2 << 3) | 2)) return false;
    for (; slice_ < slices_.size(); ++slice_, at_ = 0) {
      if (slices_[slice_].size() > at_) {
        pieces_.emplace_back(Data(slice_) + at_, slices_[slice_].size() - at_);
      }
    }
    return true;
  }

  // The version, for the first message; the chunk's pieces otherwise.
  const std::optional<v1::EvidenceVersion>& version() const { return version_; }
  const std::vector<absl::string_view>& pieces() const { return pieces_; }
  // The slices the pieces point into (inline ones included), moved out;
  // the pieces stay valid as long as the returned vector lives.
  std::vector<grpc::Slice> TakeSlices() { return std::move(slices_); }

 private:
  const char* Data(size_t i) const {
    return reinterpret_cast<const char*>(slices_[i].begin());
  }
  size_t Remaining() const {
    size_t n = slices_.size() > slice_ ? slices_[slice_].size() - at_ : 0;
    for (size_t i = slice_ + 1; i < slices_.size(); ++i) n += slices_[i].size();
    return n;
  }
  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      while (slice_ < slices_.size() && at_ == slices_[slice_].size()) {
        ++slice_;
        at_ = 0;
      }
      if (slice_ == slices_.size()) return false;
      const uint8_t b = slices_[slice_].begin()[at_++];
      *value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }

  std::vector<grpc::Slice> slices_;
  size_t slice_ = 0;
  size_t at_ = 0;
  std::vector<absl::string_view> pieces_;
  std::optional<v1::EvidenceVersion> version_;
};

// Hashes a download's chunks on a second thread while the first receives
// and writes them: a verified download is one core of work on the client
// (SHA-256 half of it), and the client was what bounded the transfer. Each
// chunk is queued with the buffer that owns its bytes, so nothing is copied;
// the queue is bounded, so memory stays flat when hashing falls behind.
class BackgroundHash {
 public:
  BackgroundHash() : thread_([this] { Run(); }) {}
  ~BackgroundHash() {
    if (thread_.joinable()) Finish();
  }

  // `owner` keeps `pieces` alive until they are hashed (a small slice holds
  // its bytes inline, so the slices themselves must travel, not a buffer
  // that refers to the same ones).
  void Add(std::vector<grpc::Slice> owner,
           std::vector<absl::string_view> pieces) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return queue_.size() < kDepth; });
    queue_.push_back({std::move(owner), std::move(pieces), {}});
    ready_.notify_one();
  }
  void Add(std::string bytes) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return queue_.size() < kDepth; });
    Item item;
    item.bytes = std::move(bytes);
    item.pieces.push_back(item.bytes);
    queue_.push_back(std::move(item));
    ready_.notify_one();
  }
  Sha256Digest Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    ready_.notify_one();
    thread_.join();
    return hash_.Finish();
  }

 private:
  static constexpr size_t kDepth = 8;  // messages of up to 1 MiB
  struct Item {
    std::vector<grpc::Slice> owner;
    std::vector<absl::string_view> pieces;
    std::string bytes;
  };

  void Run() {
    for (;;) {
      Item item;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      room_.notify_one();
      for (absl::string_view piece : item.pieces) hash_.Update(piece);
    }
  }

  Sha256 hash_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Item> queue_;
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace

std::string NewRequestId() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> dist;
  std::string raw;
  for (int i = 0; i < 2; ++i) {
    uint64_t v = dist(rd);
    raw.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  return ToHex(absl::string_view(raw));
}

ArchiveClient::ArchiveClient(std::shared_ptr<grpc::Channel> channel,
                             Options options)
    : channel_(channel),
      stub_(v1::ArchiveService::NewStub(channel)),
      options_(std::move(options)) {}

template <typename Request, typename Response>
absl::StatusOr<Response> ArchiveClient::Unary(
    grpc::Status (v1::ArchiveService::Stub::*method)(grpc::ClientContext*,
                                                     const Request&, Response*),
    const Request& request) {
  grpc::ClientContext context;
  Prepare(context, true);
  Response response;
  absl::Status s = FromGrpc(((*stub_).*method)(&context, request, &response));
  if (!s.ok()) return s;
  return response;
}

void ArchiveClient::Prepare(grpc::ClientContext& context, bool unary) const {
  if (unary) {
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(options_.call_timeout));
  }
  AddCallerMetadata(context, options_.token, options_.user);
}

absl::StatusOr<v1::EvidenceVersion> ArchiveClient::Upload(
    const v1::UploadHeader& header,
    const std::function<int64_t(char*, size_t)>& read,
    const Progress& progress) {
  Sha256 hash;
  return UploadStream(header, read, progress, hash,
                      header.sha256().empty() && header.resume_offset() == 0);
}

absl::StatusOr<v1::EvidenceVersion> ArchiveClient::UploadStream(
    const v1::UploadHeader& header,
    const std::function<int64_t(char*, size_t)>& read, const Progress& progress,
    Sha256& hash, bool trailer) {
  grpc::ClientContext context;
  Prepare(context, false);
  v1::EvidenceVersion version;
  auto writer = stub_->Upload(&context, &version);
  v1::UploadRequest message;
  *message.mutable_header() = header;
  bool open = writer->Write(message);
  const int64_t total = header.has_size_bytes() ? header.size_bytes() : -1;
  int64_t sent = header.resume_offset();
  std::string buffer;
  // Without a declared SHA-256, hash while sending and declare it after the
  // bytes: the server then commits only what this client read.
  while (open) {
    buffer.resize(options_.chunk_bytes);
    const int64_t n = read(buffer.data(), buffer.size());
    if (n < 0) {
      context.TryCancel();
      writer->Finish().ok();
      return absl::DataLossError("reading the local file failed mid-upload");
    }
    if (n == 0) break;
    buffer.resize(static_cast<size_t>(n));
    if (trailer) hash.Update(buffer);
    message.set_chunk(std::move(buffer));
    // A failed write means the server already answered; Finish() says why.
    open = writer->Write(message);
    buffer = std::move(*message.mutable_chunk());
    sent += n;
    if (progress) progress(sent, total);
  }
  if (open && trailer) {
    message.set_trailer_sha256(ToHex(hash.Finish()));
    writer->Write(message);
  }
  writer->WritesDone();
  absl::Status status = FromGrpc(writer->Finish());
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<v1::EvidenceVersion> ArchiveClient::UploadFile(
    v1::UploadHeader header, const std::string& path,
    const Progress& progress) {
  // The size up front (the server refuses a file over its limit before any
  // byte); the SHA-256 as a trailer, computed while sending (Upload()), so
  // the file is read once. The server commits nothing but these bytes.
  {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("cannot open", path);
    header.set_size_bytes(static_cast<int64_t>(st.st_size));
  }
  if (header.request_id().empty()) header.set_request_id(NewRequestId());
  absl::Status last;
  absl::Duration wait = absl::ZeroDuration();
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (attempt > 0) absl::SleepFor(wait);
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return Errno("cannot open", path);
    auto result = Upload(
        header,
        [&f](char* buf, size_t max) { return ReadFully(f.fd, buf, max); },
        progress);
    if (result.ok()) return result;
    last = result.status();
    // A busy archive says when to come back; a full disk (a long hint) or
    // any other refusal is the caller's to see.
    const std::optional<absl::Duration> hint = RetryDelay(last);
    if (absl::IsResourceExhausted(last) && hint && *hint <= absl::Seconds(5)) {
      wait = *hint;
    } else if (absl::IsUnavailable(last) && attempt < 3) {
      wait = absl::Seconds(attempt + 1);
    } else {
      return last;
    }
  }
  return last;
}

absl::StatusOr<v1::EvidenceVersion> ArchiveClient::UploadFileResumable(
    v1::UploadHeader header, const std::string& path, const Progress& progress,
    int max_breaks, const std::function<void(const std::string&)>& on_session) {
  {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Errno("cannot open", path);
    header.set_size_bytes(static_cast<int64_t>(st.st_size));
  }
  header.set_resumable(true);
  const bool own_id = header.request_id().empty();
  if (own_id) header.set_request_id(NewRequestId());
  const std::string session =
      absl::StrCat(header.parent(), "/evidence/", header.evidence_id(),
                   "/uploads/", header.request_id());
  // Where the archive stands: a session an earlier run left, or nothing
  // (then from 0; a completed upload answers with its version at once).
  auto committed = [&]() -> absl::StatusOr<int64_t> {
    auto s = GetUploadSession(session);
    if (s.ok()) return s->committed_size_bytes();
    if (absl::IsNotFound(s.status())) return 0;
    return s.status();
  };
  int64_t offset = 0;
  if (!own_id) {
    absl::StatusOr<int64_t> at = committed();
    if (at.ok()) offset = *at;
  }
  if (on_session) on_session(session);
  absl::Duration wait = absl::Seconds(1);
  absl::Status last;
  for (int attempt = 0; attempt <= max_breaks; ++attempt) {
    if (attempt > 0) {
      absl::SleepFor(wait);
      wait = std::min(wait * 2, absl::Seconds(30));
      absl::StatusOr<int64_t> at = committed();
      if (!at.ok()) {
        last = at.status();
        continue;
      }
      offset = *at;
    }
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) return Errno("cannot open", path);
    // The trailer is the whole file's SHA-256: the part the archive holds
    // is read and hashed here, not sent again.
    Sha256 hash;
    std::string buffer(options_.chunk_bytes, '\0');
    for (int64_t done = 0; done < offset;) {
      const int64_t n = ReadFully(
          f.fd, buffer.data(),
          static_cast<size_t>(std::min<int64_t>(buffer.size(), offset - done)));
      if (n <= 0) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, " is shorter than the ", offset,
                         " bytes the archive already holds of it"));
      }
      hash.Update(absl::string_view(buffer.data(), static_cast<size_t>(n)));
      done += n;
    }
    header.set_resume_offset(offset);
    auto result = UploadStream(
        header,
        [&f](char* buf, size_t max) { return ReadFully(f.fd, buf, max); },
        progress, hash, header.sha256().empty());
    if (result.ok()) return result;
    last = result.status();
    const std::optional<absl::Duration> hint = RetryDelay(last);
    const bool broken =
        absl::IsUnavailable(last) || absl::IsCancelled(last) ||
        absl::IsDeadlineExceeded(last) || absl::IsAborted(last) ||
        absl::IsInternal(last) || absl::IsUnknown(last) ||
        // resume_offset no longer what the archive holds: ask again.
        (absl::IsFailedPrecondition(last) &&
         absl::StrContains(last.message(), "resume at"));
    if (absl::IsResourceExhausted(last) && hint && *hint <= absl::Seconds(5)) {
      wait = *hint;
    } else if (!broken) {
      return last;
    }
  }
  return last;
}

absl::StatusOr<v1::UploadSession> ArchiveClient::GetUploadSession(
    const std::string& name) {
  v1::GetUploadSessionRequest request;
  request.set_name(name);
  return Unary(&v1::ArchiveService::Stub::GetUploadSession, request);
}

absl::Status ArchiveClient::DeleteUploadSession(const std::string& name) {
  v1::DeleteUploadSessionRequest request;
  request.set_name(name);
  return Unary(&v1::ArchiveService::Stub::DeleteUploadSession, request)
      .status();
}

absl::StatusOr<v1::EvidenceVersion> ArchiveClient::Download(
    const v1::DownloadRequest& request,
    const std::function<bool(absl::string_view)>& sink,
    const Progress& progress,
    const std::function<bool(const v1::EvidenceVersion&)>& on_version) {
  grpc::ClientContext context;
  Prepare(context, false);
  // Read raw, so that chunks are used where gRPC received them.
  static const std::string* const kPath = new std::string(
      absl::StrCat("/", v1::ArchiveService::service_full_name(), "/Download"));
  static const grpc::internal::RpcMethod kDownload(
      kPath->c_str(), grpc::internal::RpcMethod::SERVER_STREAMING);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
          channel_.get(), kDownload, &context, request));
  grpc::ByteBuffer buffer;
  RawDownloadMessage raw;
  v1::DownloadResponse message;
  v1::EvidenceVersion version;
  bool have_version = false;
  int64_t received = 0;
  bool cancelled = false;
  absl::Status stopped = absl::CancelledError("download cancelled");
  // A whole file is checked end to end against the SHA-256 its first
  // message names: the server relies on it (RELIABILITY.md, "Verifying
  // downloads") and checks only ranges chunk by chunk itself.
  const bool whole = request.offset() == 0 && request.length() == 0;
  std::optional<BackgroundHash> hash;
  if (whole) hash.emplace();
  std::vector<absl::string_view> pieces;
  while (reader->Read(&buffer)) {
    bool is_version = false;
    bool in_message = false;  // the chunk was parsed into `message`
    pieces.clear();
    if (raw.Read(buffer)) {
      if (raw.version()) {
        version = *raw.version();
        is_version = true;
      } else {
        pieces = raw.pieces();
      }
    } else {
      grpc::Status parsed =
          grpc::SerializationTraits<v1::DownloadResponse>::Deserialize(
              &buffer, &message);
      if (!parsed.ok()) {
        stopped = absl::InternalError(absl::StrCat(
            "the server sent a download message that does not parse: ",
            parsed.error_message()));
        context.TryCancel();
        cancelled = true;
        break;
      }
      if (message.has_version()) {
        version = message.version();
        is_version = true;
      } else {
        pieces.push_back(message.chunk());
        in_message = true;
      }
    }
    if (is_version) {
      have_version = true;
      if (on_version && !on_version(version)) {
        context.TryCancel();
        cancelled = true;
        break;
      }
      continue;
    }
    bool ok = true;
    for (absl::string_view piece : pieces) {
      received += static_cast<int64_t>(piece.size());
      if (!(ok = sink(piece))) break;
    }
    // Hashed while the next message is received and written.
    if (ok && hash) {
      if (in_message) {
        hash->Add(std::move(*message.mutable_chunk()));
      } else {
        hash->Add(raw.TakeSlices(), std::move(pieces));
        pieces = {};
      }
    }
    if (!ok) {
      context.TryCancel();
      cancelled = true;
      break;
    }
    if (progress) progress(received, version.size_bytes());
  }
  if (cancelled) {
    while (reader->Read(&buffer)) {
    }
    reader->Finish().ok();
    return stopped;
  }
  absl::Status status = FromGrpc(reader->Finish());
  if (!status.ok()) return status;
  if (!have_version) {
    return absl::InternalError("the server sent no version metadata");
  }
  if (whole && ToHex(hash->Finish()) != version.sha256()) {
    return absl::DataLossError(absl::StrCat(
        "the bytes received for ", version.name(), " do not match its SHA-256 ",
        version.sha256(),
        ": the archive's stored copy is damaged; do not use what arrived"));
  }
  return version;
}

absl::StatusOr<ArchiveClient::Downloaded> ArchiveClient::DownloadToFile(
    const std::string& name, const std::string& path, bool overwrite,
    const Progress& progress) {
  Downloaded out;
  std::string temp;
  Fd f;
  absl::Status local;  // a local file error, which cancels the download
  v1::DownloadRequest request;
  request.set_name(name);
  auto version = Download(
      request,
      [&](absl::string_view bytes) {
        size_t done = 0;
        while (done < bytes.size()) {
          ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) {
            local = Errno("cannot write", temp);
            return false;
          }
          done += static_cast<size_t>(n);
        }
        return true;
      },
      progress,
      [&](const v1::EvidenceVersion& v) {
        out.path = path;
        if (out.path.empty()) {
          out.path = v.filename();
          if (out.path.empty()) {
            auto parsed = ParseVersionName(name, "name");
            out.path = parsed.ok() ? parsed->evidence.evidence : "evidence";
          }
        }
        struct stat st;
        if (!overwrite && ::stat(out.path.c_str(), &st) == 0) {
          local = absl::AlreadyExistsError(absl::StrCat(
              out.path,
              " exists; pass --force to replace it or -o another path"));
          return false;
        }
        temp = absl::StrCat(out.path, ".part-", NewRequestId().substr(0, 8));
        f.fd =
            ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (f.fd < 0) {
          local = Errno("cannot create", temp);
          return false;
        }
        return true;
      });
  // Download() checked the SHA-256 of the whole file.
  absl::Status status = local.ok() ? version.status() : local;
  if (status.ok() && ::fsync(f.fd) != 0) status = Errno("cannot sync", temp);
  if (status.ok() && ::rename(temp.c_str(), out.path.c_str()) != 0) {
    status = Errno("cannot rename into", out.path);
  }
  if (!status.ok()) {
    if (f.fd >= 0) ::unlink(temp.c_str());
    return status;
  }
  out.version = *std::move(version);
  return out;
}

absl::StatusOr<v1::Evidence> ArchiveClient::GetEvidence(
    const std::string& name) {
  v1::GetEvidenceRequest request;
  request.set_name(name);
  return Unary(&v1::ArchiveService::Stub::GetEvidence, request);
}

absl::StatusOr<v1::ListEvidenceResponse> ArchiveClient::ListEvidence(
    const v1::ListEvidenceRequest& request) {
  return Unary(&v1::ArchiveService::Stub::ListEvidence, request);
}

absl::StatusOr<std::vector<v1::Evidence>> ArchiveClient::ListAllEvidence(
    v1::ListEvidenceRequest request) {
  std::vector<v1::Evidence> all;
  do {
    auto page = ListEvidence(request);
    if (!page.ok()) return page.status();
    for (auto& e : *page->mutable_evidence()) all.push_back(std::move(e));
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<std::vector<v1::EvidenceVersion>> ArchiveClient::ListAllVersions(
    const std::string& name) {
  std::vector<v1::EvidenceVersion> all;
  v1::ListVersionsRequest request;
  request.set_parent(name);
  request.set_page_size(1000);
  do {
    auto response = Unary(&v1::ArchiveService::Stub::ListVersions, request);
    if (!response.ok()) return response.status();
    for (auto& v : *response->mutable_versions()) all.push_back(std::move(v));
    request.set_page_token(response->next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::StatusOr<v1::Evidence> ArchiveClient::DeleteEvidence(
    const std::string& name) {
  v1::DeleteEvidenceRequest request;
  request.set_name(name);
  return Unary(&v1::ArchiveService::Stub::DeleteEvidence, request);
}

absl::StatusOr<v1::Evidence> ArchiveClient::UndeleteEvidence(
    const std::string& name) {
  v1::UndeleteEvidenceRequest request;
  request.set_name(name);
  return Unary(&v1::ArchiveService::Stub::UndeleteEvidence, request);
}

}  // namespace junheng
