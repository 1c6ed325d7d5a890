// `uncut export` and `uncut verify-bundle`: evidence bundles (bundle/bundle.h).
#include <cstdio>
#include <memory>
#include <optional>

#include "base/strings.h"
#include "base/utf8.h"
#include "bundle/bundle.h"
#include "cli/output_path.h"
#include "cli/subcommands.h"
#include "proof/signing.h"

namespace uncut {
namespace {

struct ExportArgs {
  std::vector<std::string> refs;
  std::string out;
  bool no_traces = false;
  bool force = false;  // replace an existing --out file
  std::string sign;    // --sign KEY: the private key to sign with
};

int RunExport(const GlobalOptions& g, const ExportArgs& a) {
  absl::Status writable = CheckOutputPath(a.out, a.force);
  if (!writable.ok()) return ReportError(writable);
  std::optional<SigningKey> key;
  if (!a.sign.empty()) {
    auto loaded = SigningKey::Load(a.sign);
    if (!loaded.ok()) return ReportError(loaded.status());
    key = std::move(*loaded);
  }
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  std::vector<Item> items;
  for (const std::string& ref : a.refs) {
    auto item = archive->FindItem(ref);
    if (!item.ok()) return ReportError(item.status());
    items.push_back(*item);
  }
  ExportOptions options;
  options.uncut_version = UNCUT_VERSION;
  options.include_traces = !a.no_traces;
  options.sign_with = key ? &*key : nullptr;
  auto summary = ExportBundle(archive->storage(), items, a.out, options);
  if (!summary.ok()) return ReportError(summary.status());
  {
    // The export joins the audit log; a read-only archive cannot keep it.
    nlohmann::json exported = nlohmann::json::array();
    for (const Item& it : items) {
      exported.push_back(AuditItem(it));
    }
    nlohmann::json details = {
        {"items", exported}, {"count", exported.size()}, {"traces", summary->traces}};
    SetTextField(&details, "out", a.out);
    if (key) details["signed_by"] = key->public_key().fingerprint();
    absl::Status logged = archive->storage().records->RecordAction("export", std::move(details));
    if (!logged.ok()) {
      std::fprintf(stderr, "uncut: warning: the export was not logged: %s\n",
                   std::string(logged.message()).c_str());
    }
  }
  if (!g.quiet) {
    std::printf("exported %zu item%s and %zu saved trace%s (%zu files, %llu bytes) to %s\n",
                summary->items, summary->items == 1 ? "" : "s", summary->traces,
                summary->traces == 1 ? "" : "s", summary->files,
                static_cast<unsigned long long>(summary->bytes), a.out.c_str());
    if (key) std::printf("signed by key %s\n", key->public_key().fingerprint().c_str());
  }
  return kExitOk;
}

// What the check found about the signature, for the summary line.
std::string SignatureSummary(const BundleCheck& c, const std::string& key_path) {
  switch (c.signature) {
    case BundleCheck::Signature::kNone:
      return "; not signed";
    case BundleCheck::Signature::kTrustedKey:
      return StrCat("; signed by key ", c.signer, " (", key_path, ")");
    case BundleCheck::Signature::kOwnKey:
      return StrCat("; signed by key ", c.signer,
                    " as its own signer.pub says: give --key to check it is a key you trust");
    case BundleCheck::Signature::kUnchecked:
      return "; signed, but carries no signer.pub: give --key to check the signature";
    case BundleCheck::Signature::kBad:
      return "";
  }
  return "";
}

struct VerifyBundleArgs {
  std::string path;
  std::string key;  // --key KEY.pub
};

int RunVerifyBundle(const GlobalOptions& g, const VerifyBundleArgs& a) {
  const std::string& path = a.path;
  std::optional<PublicKey> key;
  if (!a.key.empty()) {
    auto loaded = PublicKey::Load(a.key);
    if (!loaded.ok()) return ReportError(loaded.status());
    key = std::move(*loaded);
  }
  VerifyBundleOptions options;
  options.trusted_key = key ? &*key : nullptr;
  auto check = VerifyBundle(path, options);
  if (!check.ok()) return ReportError(check.status());
  for (const BundleProblem& p : check->problems) {
    std::fprintf(stderr, "uncut: verify-bundle: %s: %s\n", p.path.c_str(), p.problem.c_str());
  }
  if (!g.quiet || !check->problems.empty()) {
    std::printf("%s: %zu files, %zu items, %zu saved traces checked; %s\n", path.c_str(),
                check->files, check->items, check->traces,
                check->problems.empty()
                    ? StrCat("the bundle is intact", SignatureSummary(*check, a.key),
                             check->timestamps == 0
                                 ? ""
                                 : StrCat("; ", check->timestamps, " timestamp token",
                                          check->timestamps == 1 ? " stamps its original"
                                                                 : "s stamp their originals",
                                          " (check them against the TSA's CA with openssl ts "
                                          "-verify)"))
                          .c_str()
                    : StrCat(check->problems.size(), " problems").c_str());
  }
  return check->problems.empty() ? kExitOk : kExitArchive;
}

}  // namespace

Subcommand AddExportCommand(CLI::App* app, const GlobalOptions* g) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app->add_subcommand(
      "export", "write an evidence bundle (zip) of items, their metadata and saved traces");
  cmd->add_option("items", a->refs, "item ids or SHA-256 (prefixes)")->required();
  cmd->add_option("--out", a->out, "the zip file to write")->required();
  cmd->add_flag("--no-traces", a->no_traces, "leave out the saved traces");
  cmd->add_flag("--force", a->force, "replace FILE if it exists");
  cmd->add_option("--sign", a->sign, "sign the bundle with this private key (`uncut keygen`)");
  cmd->footer(
      "The bundle holds each original byte for byte, its metadata, the traces saved with\n"
      "`uncut trace --save` that found it (JSON and HTML), datapackage.json and SHA256SUMS.\n"
      "An existing FILE is left alone unless --force. --sign KEY adds SHA256SUMS.sig, the\n"
      "Ed25519 signature of SHA256SUMS, and signer.pub.\n\n"
      "Examples:\n"
      "  uncut export 3 7 --out evidence.zip\n"
      "  uncut export 3 --out evidence.zip --sign desk.key\n"
      "  uncut export 4235f8997ef5 --out speech.zip && uncut verify-bundle speech.zip");
  return {cmd, [g, a] { return RunExport(*g, *a); }};
}

Subcommand AddVerifyBundleCommand(CLI::App* app, const GlobalOptions* g) {
  auto a = std::make_shared<VerifyBundleArgs>();
  CLI::App* cmd =
      app->add_subcommand("verify-bundle", "check an evidence bundle's digests and signature");
  cmd->add_option("bundle", a->path, "the zip file")->required();
  cmd->add_option("--key", a->key, "the public key (KEY.pub) the bundle must be signed by");
  cmd->footer(
      "Checks every file against datapackage.json and SHA256SUMS, that nothing was added or\n"
      "removed, and that each original still has its item's SHA-256. With --key, the bundle\n"
      "must be signed by that key; it prints the signer's key fingerprint. Exit code 0 when\n"
      "intact, 4 when not. Without uncut: unzip the bundle and run `sha256sum -c SHA256SUMS`.\n\n"
      "Examples:\n"
      "  uncut verify-bundle evidence.zip\n"
      "  uncut verify-bundle evidence.zip --key desk.key.pub");
  return {cmd, [g, a] { return RunVerifyBundle(*g, *a); }};
}

}  // namespace uncut
