#include "clients/cli.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/json_util.h"

namespace junheng::cli {

bool Args::Parse(int argc, char** argv, int first,
                 const std::set<std::string>& bool_flags, std::string* error) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o") arg = "--output";
    if (!absl::StartsWith(arg, "--") || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (bool_flags.count(name) > 0) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = absl::StrFormat("--%s needs a value", name);
      return false;
    }
    flags_.emplace(name, value);
  }
  return true;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [begin, end] = flags_.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

std::vector<std::string> Args::Unknown(
    const std::set<std::string>& known) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : flags_) {
    if (known.count(name) == 0) out.push_back("--" + name);
  }
  return out;
}

int ReportError(const absl::Status& status) {
  std::fprintf(stderr, "junheng: %s: %s\n",
               absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str());
  for (const FieldViolation& v : FieldViolations(status)) {
    std::fprintf(stderr, "  - %s: %s\n", v.field.c_str(),
                 v.description.c_str());
  }
  return kExitError;
}

int UsageError(absl::string_view message) {
  std::fprintf(stderr, "junheng: %s\nRun 'junheng help' for usage.\n",
               std::string(message).c_str());
  return kExitUsage;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  auto fail = [&](const char* what) {
    const std::string why = std::strerror(errno);
    if (f != nullptr) std::fclose(f);
    std::remove(tmp.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", what, " ", path, ": ", why));
  };
  if (f == nullptr) return fail("create");
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0) {
    return fail("write");
  }
  if (std::fclose(f) != 0) {
    f = nullptr;
    return fail("write");
  }
  f = nullptr;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("write");
  return absl::OkStatus();
}

std::string HumanBytes(int64_t bytes) {
  if (bytes < 1024) return absl::StrFormat("%d B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return absl::StrFormat("%.1f %s", v, units[u]);
}

std::string HumanTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_ns_(absl::GetCurrentTimeNanos()) {}

ProgressBar::~ProgressBar() { Done(); }

void ProgressBar::Done() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
  enabled_ = false;
}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!enabled_ || total < (1 << 20)) return;
  const int64_t now = absl::GetCurrentTimeNanos();
  if (done < total && now - last_draw_ns_ < 100'000'000) return;
  last_draw_ns_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  const double fraction = total > 0 ? static_cast<double>(done) / total : 1;
  const int filled = static_cast<int>(fraction * kWidth);
  const double seconds = std::max(1e-9, (now - start_ns_) / 1e9);
  std::fprintf(stderr, "\r%s [%s%s] %3d%% %s / %s  %s/s ", label_.c_str(),
               std::string(filled, '#').c_str(),
               std::string(kWidth - filled, ' ').c_str(),
               static_cast<int>(fraction * 100), HumanBytes(done).c_str(),
               HumanBytes(total).c_str(),
               HumanBytes(static_cast<int64_t>(done / seconds)).c_str());
  std::fflush(stderr);
}

absl::StatusOr<Credentials> CredentialsFromArgs(const Args& args) {
  auto from = [&args](const char* flag, const char* env) -> std::string {
    if (auto v = args.Get(flag)) return *v;
    const char* e = std::getenv(env);
    return e != nullptr ? e : "";
  };
  Credentials c;
  if (auto token = args.Get("token")) {
    c.token = *token;
  } else if (auto file = args.Get("token_file")) {
    std::ifstream in(*file);
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read the token file ", *file));
    }
    std::getline(in, c.token);
  } else if (const char* env = std::getenv("JUNHENG_TOKEN")) {
    c.token = env;
  }
  // Whitespace around a pasted token is never part of it.
  while (!c.token.empty() &&
         std::isspace(static_cast<unsigned char>(c.token.back()))) {
    c.token.pop_back();
  }
  for (char ch : c.token) {
    if (ch < 0x21 || ch >= 0x7f) {
      return absl::InvalidArgumentError(
          "the token holds characters no Junheng token has; pass it as "
          "`junheng admin token create` printed it");
    }
  }
  c.tls = {from("tls_ca", "JUNHENG_TLS_CA"),
           from("tls_cert", "JUNHENG_TLS_CERT"),
           from("tls_key", "JUNHENG_TLS_KEY")};
  c.user = from("user", "USER");
  return c;
}

std::string ServiceAddress(const Args& args, absl::string_view service) {
  const bool archive = service == "archive";
  if (auto a = args.Get(archive ? "archive_addr" : "checklist_addr")) {
    return *a;
  }
  const char* env =
      std::getenv(archive ? "JUNHENG_ARCHIVE_ADDR" : "JUNHENG_CHECKLIST_ADDR");
  if (env != nullptr && *env != '\0') return env;
  return archive ? "127.0.0.1:50051" : "127.0.0.1:50052";
}

}  // namespace junheng::cli
