// The `junheng` subcommand groups. Each takes the parsed command line with
// positional()[0] the group ("archive") and [1] the verb, and returns the
// process exit code (clients/cli.h).
#ifndef JUNHENG_CLIENTS_COMMANDS_H_
#define JUNHENG_CLIENTS_COMMANDS_H_

#include "clients/cli.h"

namespace junheng::cli {

int RunArchiveCommand(const Args& args);
extern const char kArchiveUsage[];
int RunChecklistCommand(const Args& args);
extern const char kChecklistUsage[];
int RunAdminCommand(const Args& args);
extern const char kAdminUsage[];
int RunAuditCommand(const Args& args);
extern const char kAuditUsage[];

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_COMMANDS_H_
