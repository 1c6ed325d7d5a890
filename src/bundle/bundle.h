// Evidence bundles: a zip file that carries archived originals, their
// metadata, the traces saved for them (JSON and HTML reports), and
// manifests of SHA-256 digests that anyone can check.
//
//   datapackage.json               in the manner of WACZ: every file with its
//                                  path, size and "sha256:<hex>" digest
//   SHA256SUMS                     the same digests for `sha256sum -c`
//   README.txt                     what the bundle is and how to check it
//   items/<id>/original/<name>     the original, byte for byte
//   items/<id>/metadata.json       the item as `uncut show --json` gives it
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
#include "store/archive.h"

namespace uncut {

inline constexpr char kBundleProfile[] = "uncut.bundle/1";

struct ExportOptions {
  std::string uncut_version;
  bool include_traces = true;
};

struct ExportSummary {
  size_t items = 0;
  size_t traces = 0;
  size_t files = 0;
  uint64_t bytes = 0;  // of all files, before compression
};

// Writes a bundle of `items` to `out_zip` (replacing it). Each original is
// hashed as it is written: one that no longer matches its SHA-256 fails the
// export with an error naming the item, and nothing is written.
absl::StatusOr<ExportSummary> ExportBundle(Archive* archive, const std::vector<Item>& items,
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
  std::vector<BundleProblem> problems;  // empty: the bundle is intact
};

// Checks every file against datapackage.json and SHA256SUMS, that nothing
// unlisted was added, that no name escapes the bundle (absolute, "..",
// backslashes), and that each original still has its item's SHA-256.
// Fails only when the file cannot be read as a zip at all.
absl::StatusOr<BundleCheck> VerifyBundle(const std::string& zip_path);

}  // namespace uncut

#endif  // UNCUT_BUNDLE_BUNDLE_H_
