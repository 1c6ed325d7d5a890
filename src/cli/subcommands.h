// Commands that live in their own files (serve, export, verify-bundle,
// keygen, capture, init, copy, transcribe, list, search).
// Each Add*Command registers its options on the command line; main.cc runs
// `run` for the one that was parsed.
#ifndef UNCUT_CLI_SUBCOMMANDS_H_
#define UNCUT_CLI_SUBCOMMANDS_H_

#include <functional>

#include "CLI/CLI.hpp"
#include "cli/commands.h"

namespace uncut {

struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the exit code
};

Subcommand AddServeCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddExportCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddVerifyBundleCommand(CLI::App* app, const GlobalOptions* g);
// A PostgreSQL archive's init and copy (cli/cluster_commands.cc).
Subcommand AddInitCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddCopyCommand(CLI::App* app, const GlobalOptions* g);
// sweep, on a directory or a PostgreSQL archive (cli/sweep_command.cc).
Subcommand AddSweepCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddCompactCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddTranscribeCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddCaptionsCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddKeygenCommand(CLI::App* app, const GlobalOptions* g);
Subcommand AddCaptureCommand(CLI::App* app, const GlobalOptions* g);
// config (cli/config_command.cc); its --json sets g->json.
Subcommand AddConfigCommand(CLI::App* app, GlobalOptions* g);
// list and search (item_commands.cc); their --json sets g->json.
Subcommand AddListCommand(CLI::App* app, GlobalOptions* g);
Subcommand AddSearchCommand(CLI::App* app, GlobalOptions* g);

}  // namespace uncut

#endif  // UNCUT_CLI_SUBCOMMANDS_H_
