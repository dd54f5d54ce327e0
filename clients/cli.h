// What every `junheng` subcommand shares: argument parsing, the choice of
// output format, error reporting and the progress bar.
#ifndef JUNHENG_CLIENTS_CLI_H_
#define JUNHENG_CLIENTS_CLI_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tls.h"
#include "google/protobuf/message.h"

namespace junheng::cli {

// Exit codes: 0 success, 1 the server (or the local file system) refused,
// 2 the command line was wrong.
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Parsed command line: positional words and --flag values. A flag may be
// written --name value or --name=value and may repeat; -o is --output.
class Args {
 public:
  // Parses argv[first..]. `bool_flags` take no value. Returns false (with
  // the reason in *error) for a flag with no value.
  bool Parse(int argc, char** argv, int first,
             const std::set<std::string>& bool_flags, std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return flags_.count(name) > 0; }
  // Flags given that are not in `known`, for a usage error.
  std::vector<std::string> Unknown(const std::set<std::string>& known) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> flags_;
};

enum class Format { kTable, kJson };

// How to reach a service as whom: --token (else --token_file, else
// $JUNHENG_TOKEN), --tls_ca/--tls_cert/--tls_key (else $JUNHENG_TLS_CA,
// $JUNHENG_TLS_CERT, $JUNHENG_TLS_KEY), --user (else $USER).
struct Credentials {
  std::string token;
  TlsClientFiles tls;
  std::string user;
};
// The flags Credentials reads, for a command's list of known flags.
inline const std::set<std::string> kCredentialFlags = {
    "token", "token_file", "tls_ca", "tls_cert", "tls_key", "user"};
absl::StatusOr<Credentials> CredentialsFromArgs(const Args& args);

// The address of "archive" or "checklist": --archive_addr (else
// $JUNHENG_ARCHIVE_ADDR, else 127.0.0.1:50051) or --checklist_addr (else
// $JUNHENG_CHECKLIST_ADDR, else 127.0.0.1:50052).
std::string ServiceAddress(const Args& args, absl::string_view service);

// Prints "junheng: <CODE>: message" and each field violation to stderr;
// returns kExitError.
int ReportError(const absl::Status& status);
// Prints a usage error to stderr; returns kExitUsage.
int UsageError(absl::string_view message);

// Protobuf JSON with the proto field names kept, for scripts.
std::string ToJson(const google::protobuf::Message& message);

// Writes `bytes` to PATH.tmp, syncs it and renames it over `path`, so a
// reader never sees half a file. FAILED_PRECONDITION naming the path.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view bytes);

// "1.5 MiB"
std::string HumanBytes(int64_t bytes);
// "2026-11-23 10:50:01 UTC"
std::string HumanTime(int64_t unix_seconds);

// A progress bar on stderr, drawn only when stderr is a terminal and the
// transfer is at least 1 MiB; at most ten redraws a second.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void Update(int64_t done, int64_t total);
  // Ends the bar's line, so that what is printed next starts on its own
  // (the destructor would end it only after the caller's next message).
  void Done();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  int64_t start_ns_;
  int64_t last_draw_ns_ = 0;
};

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_CLI_H_
