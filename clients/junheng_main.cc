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
    "\n"
    "Common flags:\n"
    "  --format table|json   output for people (default) or for scripts\n"
    "  --user NAME           who you are, recorded with uploads "
    "(default $USER)\n"
    "\n"
    "Run 'junheng archive help' for a group's commands.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace junheng::cli;
  Args args;
  std::string error;
  if (!args.Parse(argc, argv, 1,
                  {"deleted", "force", "help", "pass", "fail", "no_evidence"},
                  &error)) {
    return UsageError(error);
  }
  const auto& words = args.positional();
  if (words.empty() || words[0] == "help" || args.Has("help")) {
    if (words.size() >= 1 && words[0] == "archive") {
      std::fputs(kArchiveUsage, stdout);
      return 0;
    }
    if (words.size() >= 1 && words[0] == "checklist") {
      std::fputs(kChecklistUsage, stdout);
      return 0;
    }
    std::fputs(kUsage, words.empty() && !args.Has("help") ? stderr : stdout);
    return words.empty() && !args.Has("help") ? kExitUsage : 0;
  }
  if (words[0] == "archive") return RunArchiveCommand(args);
  if (words[0] == "checklist") return RunChecklistCommand(args);
  return UsageError("unknown group '" + words[0] + "'");
}
