// junheng: the command-line client for inspectors, schools and provincial
// integration.
#include <cstdio>
#include <cstring>
#include <string>

#include "clients/cli.h"
#include "clients/commands.h"

namespace {

constexpr char kUsage[] =
    "junheng — the Junheng command-line client\n"
    "\n"
    "Usage: junheng <group> <command> [arguments] [flags]\n"
    "\n"
    "Groups:\n"
    "  archive    evidence documents: put, get, ls, info, versions, rm, "
    "undelete\n"
    "  checklist  standards, imports, judgements, evaluations\n"
    "  audit      the services' audit logs: log, head, verify\n"
    "  admin      tokens: token create, token list, token revoke\n"
    "\n"
    "Common flags:\n"
    "  --format table|json   output for people (default) or for scripts\n"
    "  --token TOKEN         your token (else --token_file FILE, else "
    "$JUNHENG_TOKEN)\n"
    "  --tls_ca FILE         verify the service's TLS certificate with this "
    "CA\n"
    "                        (else $JUNHENG_TLS_CA); --tls_cert/--tls_key "
    "for mTLS\n"
    "  --user NAME           your name, for services run without "
    "authentication\n"
    "\n"
    "Run 'junheng archive help' for a group's commands.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace junheng::cli;
  Args args;
  std::string error;
  if (!args.Parse(argc, argv, 1,
                  {"deleted", "force", "help", "pass", "fail", "no_evidence",
                   "no_content", "partial", "every_indicator", "no_rotation",
                   "overdue", "resumable"},
                  &error)) {
    return UsageError(error);
  }
  const auto& words = args.positional();
  if (words.empty() || words[0] == "help" || args.Has("help") ||
      (words.size() >= 2 && words[1] == "help")) {
    if (words.size() >= 1 && words[0] == "archive") {
      std::fputs(kArchiveUsage, stdout);
      return 0;
    }
    if (words.size() >= 1 && words[0] == "checklist") {
      std::fputs(kChecklistUsage, stdout);
      return 0;
    }
    if (words.size() >= 1 && words[0] == "audit") {
      std::fputs(kAuditUsage, stdout);
      return 0;
    }
    if (words.size() >= 1 && words[0] == "admin") {
      std::fputs(kAdminUsage, stdout);
      return 0;
    }
    std::fputs(kUsage, words.empty() && !args.Has("help") ? stderr : stdout);
    return words.empty() && !args.Has("help") ? kExitUsage : 0;
  }
  if (words[0] == "archive") return RunArchiveCommand(args);
  if (words[0] == "checklist") return RunChecklistCommand(args);
  if (words[0] == "audit") return RunAuditCommand(args);
  if (words[0] == "admin") return RunAdminCommand(args);
  return UsageError("unknown group '" + words[0] + "'");
}
