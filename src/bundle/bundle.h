// Evidence bundles: a zip file that carries archived originals, their
// metadata, the traces saved for them (JSON and HTML reports), and
// manifests of SHA-256 digests that anyone can check.
//
//   datapackage.json               in the manner of WACZ: every file with its
//                                  path, size and "sha256:<hex>" digest
//   SHA256SUMS                     the same digests for `sha256sum -c`
//   SHA256SUMS.sig                 when signed: the Ed25519 signature of
//                                  SHA256SUMS (64 bytes, proof/signing.h)
//   signer.pub                     when signed: the signer's public key (PEM)
//   README.txt                     what the bundle is and how to check it
//   items/<id>/original/<name>     the original, byte for byte
//   items/<id>/metadata.json       the item as `uncut show --json` gives it
//   items/<id>/timestamp.tsr       its RFC 3161 timestamp token, if it has one
//   traces/<id>/report.json        saved traces that found these items
//   traces/<id>/report.html
//
// An original's digest is also its identity in the archive (metadata
// "sha256"), so verifying a bundle checks the evidence itself, not only
// the zip.
#ifndef UNCUT_BUNDLE_BUNDLE_H_
#define UNCUT_BUNDLE_BUNDLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proof/signing.h"
#include "storage/storage.h"
#include "store/archive.h"

namespace uncut {

inline constexpr char kBundleProfile[] = "uncut.bundle/1";

struct ExportOptions {
  std::string uncut_version;
  bool include_traces = true;
  // Signs SHA256SUMS, which lists every other file (signer.pub too), so the
  // signature covers the whole bundle.
  const SigningKey* sign_with = nullptr;
};

struct ExportSummary {
  size_t items = 0;
  size_t traces = 0;
  size_t files = 0;
  uint64_t bytes = 0;  // of all files, before compression
};

// Writes a bundle of `items` of `archive` (any backend: its catalog,
// originals and records) to `out_zip` (replacing it). Each original is
// hashed as it is written: one that no longer matches its SHA-256 fails the
// export with an error naming the item, and nothing is written.
absl::StatusOr<ExportSummary> ExportBundle(Storage archive, const std::vector<Item>& items,
                                           const std::string& out_zip,
                                           const ExportOptions& options);

struct BundleProblem {
  std::string path;  // file in the bundle, or "" for the bundle as a whole
  std::string problem;
};

struct BundleCheck {
  size_t files = 0;  // files checked against the manifests
  size_t items = 0;
  size_t traces = 0;
  size_t timestamps = 0;  // timestamp tokens checked against their originals
  std::vector<BundleProblem> problems;  // empty: the bundle is intact
  enum class Signature {
    kNone,         // the bundle is not signed
    kTrustedKey,   // signed by the key the verifier gave
    kOwnKey,       // signed by the key in its own signer.pub (no key given)
    kUnchecked,    // signed, but there is no key to check it with
    kBad,          // a problem says why
  };
  Signature signature = Signature::kNone;
  std::string signer;  // the fingerprint of the key the signature verified with
};

struct VerifyBundleOptions {
  // The key the bundle must be signed by; without one, a signature is checked
  // against the bundle's own signer.pub (which proves only that the bundle
  // is unchanged since someone holding that key signed it).
  const PublicKey* trusted_key = nullptr;
};

// Checks every file against datapackage.json and SHA256SUMS, that nothing
// unlisted was added, that no name escapes the bundle (absolute, "..",
// backslashes), that each original still has its item's SHA-256, and the
// signature of SHA256SUMS when there is one (or must be one). Fails only
// when the file cannot be read as a zip at all.
absl::StatusOr<BundleCheck> VerifyBundle(const std::string& zip_path,
                                         const VerifyBundleOptions& options = {});

}  // namespace uncut

#endif  // UNCUT_BUNDLE_BUNDLE_H_
