// `uncut keygen`: the key pair that signs evidence bundles (proof/signing.h).
#include <cstdio>
#include <memory>

#include "cli/subcommands.h"
#include "proof/signing.h"

namespace uncut {
namespace {

int RunKeygen(const GlobalOptions& g, const std::string& out) {
  auto key = GenerateKeyPair(out);
  if (!key.ok()) return ReportError(key.status());
  if (!g.quiet) {
    std::printf("wrote %s (private, mode 0600) and %s.pub\nkey fingerprint %s\n", out.c_str(),
                out.c_str(), key->fingerprint().c_str());
  } else {
    std::printf("%s\n", key->fingerprint().c_str());
  }
  return kExitOk;
}

}  // namespace

Subcommand AddKeygenCommand(CLI::App* app, const GlobalOptions* g) {
  auto out = std::make_shared<std::string>();
  CLI::App* cmd =
      app->add_subcommand("keygen", "make an Ed25519 key pair to sign evidence bundles with");
  cmd->add_option("--out", *out, "the private key file to write (the public key goes to FILE.pub)")
      ->required();
  cmd->footer(
      "Writes FILE (the private key, PEM, readable by you alone) and FILE.pub (the public key,\n"
      "to give to whoever checks your bundles), and prints the key's fingerprint: the SHA-256\n"
      "of the public key in DER. Existing files are never overwritten. The private key is not\n"
      "encrypted: keep it where only the people who may sign for the desk can read it.\n\n"
      "Examples:\n"
      "  uncut keygen --out desk.key\n"
      "  uncut export 3 --out evidence.zip --sign desk.key");
  return {cmd, [g, out] { return RunKeygen(*g, *out); }};
}

}  // namespace uncut
