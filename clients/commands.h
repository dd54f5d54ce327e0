// The `junheng` subcommand groups. Each takes the parsed command line with
// positional()[0] the group ("archive") and [1] the verb, and returns the
// process exit code (clients/cli.h).
#ifndef JUNHENG_CLIENTS_COMMANDS_H_
#define JUNHENG_CLIENTS_COMMANDS_H_

#include <string>

#include "clients/cli.h"

namespace junheng::cli {

int RunArchiveCommand(const Args& args);
extern const char kArchiveUsage[];
int RunChecklistCommand(const Args& args);
extern const char kChecklistUsage[];
// The rectification verbs of the checklist group (plan, whatif, items …),
// which RunChecklistCommand hands on.
bool IsRectificationVerb(const std::string& verb);
int RunRectificationCommand(const Args& args);
int RunAdminCommand(const Args& args);
extern const char kAdminUsage[];
int RunAuditCommand(const Args& args);
extern const char kAuditUsage[];

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_COMMANDS_H_
