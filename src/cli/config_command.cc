// `uncut config`: the archive's settings, kept in its catalog (so every
// command and the server that use the archive see them), each change in
// the audit log.
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "base/file.h"
#include "base/strings.h"
#include "cli/subcommands.h"
#include "proof/item_timestamps.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {
namespace {

struct ConfigArgs {
  std::string name;
  std::string value;
  bool unset = false;
};

// What each setting means, for `uncut config --help` and errors.
struct KnownSetting {
  const char* name;
  const char* about;
};
constexpr KnownSetting kKnown[] = {
    {kTsaSetting, "RFC 3161 time-stamping authority (http:// or https:// URL) that stamps every "
                  "original added or captured"},
    {kTsaCaSetting, "CA certificates (PEM file) the authority's tokens must chain to when stamped"},
};

bool IsKnown(const std::string& name) {
  for (const KnownSetting& k : kKnown) {
    if (name == k.name) return true;
  }
  return false;
}

// The value as stored: checked, a file made absolute.
absl::StatusOr<std::string> Checked(const std::string& name, const std::string& value) {
  if (name == kTsaSetting) {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError(
          StrCat("tsa: \"", value, "\" is not an http:// or https:// URL; nothing changed"));
    }
    return value;
  }
  auto pem = ReadFileToString(value, 16 << 20);
  if (!pem.ok()) {
    return absl::InvalidArgumentError(
        StrCat("tsa-ca: ", pem.status().message(), "; nothing changed"));
  }
  if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat("tsa-ca: ", value, ": holds no PEM certificate; nothing changed"));
  }
  return AbsolutePath(value);
}

// Prints the settings as `uncut config [NAME]` reads them.
int PrintSettings(const GlobalOptions& g, const ConfigArgs& a,
                  const std::map<std::string, std::string>& settings) {
  if (!a.name.empty()) {  // one value, as `git config NAME` prints it
    auto it = settings.find(a.name);
    if (it == settings.end()) return kExitNotFound;
    std::printf("%s\n", it->second.c_str());
    return kExitOk;
  }
  if (g.json) {
    std::printf("%s\n", nlohmann::json(settings).dump(2).c_str());
    return kExitOk;
  }
  for (const auto& [name, value] : settings) std::printf("%s = %s\n", name.c_str(), value.c_str());
  if (settings.empty() && !g.quiet) std::printf("no settings (see `uncut config --help`)\n");
  return kExitOk;
}

// Says what a change did, as `uncut config NAME VALUE` and `--unset` do.
void PrintChange(const GlobalOptions& g, const ConfigArgs& a, const std::optional<std::string>& old,
                 const std::optional<std::string>& value) {
  if (g.quiet) return;
  if (old == value) {
    std::printf(value ? "%s is already %s\n" : "%s is not set\n", a.name.c_str(),
                value.value_or("").c_str());
  } else if (value) {
    std::printf("%s = %s%s\n", a.name.c_str(), value->c_str(),
                old ? StrCat(" (was ", *old, ")").c_str() : "");
  } else {
    std::printf("%s unset (was %s)\n", a.name.c_str(), old.value_or("").c_str());
  }
}

// The settings of an archive kept in PostgreSQL (in the coordinator's
// catalog, so every command and server on the cluster use them).
int RunConfigOnPostgres(const GlobalOptions& g, const ConfigArgs& a) {
  auto archive = PgArchive::Open(g.archive);
  if (!archive.ok()) return ReportError(archive.status());
  auto settings = (*archive)->Settings();
  if (!settings.ok()) return ReportError(settings.status());
  if (a.value.empty() && !a.unset) return PrintSettings(g, a, *settings);
  std::optional<std::string> value;
  if (!a.unset) {
    auto checked = Checked(a.name, a.value);
    if (!checked.ok()) return ReportError(checked.status());
    value = *checked;
  }
  std::optional<std::string> old;
  if (auto it = settings->find(a.name); it != settings->end()) old = it->second;
  if (old != value) {
    absl::Status s = (*archive)->SetSetting(a.name, value);
    if (!s.ok()) return ReportError(s);
  }
  PrintChange(g, a, old, value);
  return kExitOk;
}

int RunConfig(const GlobalOptions& g, const ConfigArgs& a) {
  if (!a.name.empty() && !IsKnown(a.name)) {
    std::string names;
    for (const KnownSetting& k : kKnown) names += StrCat(names.empty() ? "" : ", ", k.name);
    std::fprintf(stderr, "uncut: config: no setting \"%s\" (settings: %s)\n", a.name.c_str(),
                 names.c_str());
    return kExitUsage;
  }
  if (IsPostgresUri(g.archive)) return RunConfigOnPostgres(g, a);
  const bool reading = a.value.empty() && !a.unset;
  if (reading) {
    if (!PathExists(JoinPath(g.archive, "catalog.sqlite"))) {  // no archive: no settings
      if (!a.name.empty()) return kExitNotFound;
      if (g.json) {
        std::printf("{}\n");
      } else if (!g.quiet) {
        std::printf("no settings (see `uncut config --help`)\n");
      }
      return kExitOk;
    }
    auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
    if (!archive.ok()) return ReportError(archive.status());
    auto settings = (*archive)->Settings();
    if (!settings.ok()) return ReportError(settings.status());
    return PrintSettings(g, a, *settings);
  }
  std::optional<std::string> value;
  if (!a.unset) {
    auto checked = Checked(a.name, a.value);
    if (!checked.ok()) return ReportError(checked.status());
    value = *checked;
  }
  bool created = !PathExists(JoinPath(g.archive, "catalog.sqlite"));
  auto archive = Archive::Open(g.archive, a.unset ? Archive::Mode::kReadOnly : Archive::Mode::kCreate);
  if (!archive.ok()) return ReportError(archive.status());
  auto old = (*archive)->Setting(a.name);
  if (!old.ok()) return ReportError(old.status());
  if (*old == value) {
    PrintChange(g, a, *old, value);
    return kExitOk;
  }
  absl::Status s = [&]() -> absl::Status {
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return batch.status();
    (*batch)->SetSetting(a.name, value);
    return (*batch)->Commit();
  }();
  if (!s.ok()) {
    if (created) {
      archive->reset();
      RemoveEmptyArchive(g.archive);
    }
    return ReportError(s);
  }
  PrintChange(g, a, *old, value);
  return kExitOk;
}

}  // namespace

Subcommand AddConfigCommand(CLI::App* app, GlobalOptions* g) {
  auto a = std::make_shared<ConfigArgs>();
  CLI::App* cmd = app->add_subcommand("config", "show or change the archive's settings");
  cmd->add_option("name", a->name, "the setting (tsa, tsa-ca)");
  cmd->add_option("value", a->value, "its new value");
  cmd->add_flag("--unset", a->unset, "remove the setting");
  cmd->add_flag("--json", g->json, "print the settings as JSON");
  std::string known;
  for (const KnownSetting& k : kKnown) known += StrCat("  ", k.name, ": ", k.about, "\n");
  cmd->footer(StrCat(
      "Settings:\n", known,
      "\nWithout a name, prints every setting; with a name, its value (exit 1 when unset).\n"
      "Settings live in the archive's catalog: every add and capture, and the server's\n"
      "uploads and captures, use them; `add --tsa URL` overrides the archive's authority for\n"
      "one command and `add --no-tsa` skips it. Each change is in `uncut log`.\n\n"
      "Examples:\n"
      "  uncut config tsa https://freetsa.org/tsr\n"
      "  uncut config tsa-ca freetsa-cacert.pem\n"
      "  uncut config\n"
      "  uncut config --unset tsa"));
  return {cmd, [g, a] {
            if (a->unset && (a->name.empty() || !a->value.empty())) {
              std::fprintf(stderr, "uncut: config: --unset takes a setting's name and no value\n");
              return kExitUsage;
            }
            return RunConfig(*g, *a);
          }};
}

}  // namespace uncut
