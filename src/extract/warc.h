// Web captures: WARC files (.warc, .warc.gz; WARC 1.0 and 1.1) and WACZ
// packages (.wacz: a zip of WARCs with a datapackage.json).
//
// A capture file is a container. Each captured HTML page, text file or PDF
// (2xx "response" records with the HTTP headers stripped and chunked / gzip
// coding undone, and "resource" records) becomes a child with its payload as
// its own bytes, the target URI as source_url and the WARC-Date as
// captured_at; its text starts with an anchor of kind "capture":
//   {"url": "https://…", "captured_at": "2024-05-01T12:00:00Z"}
// so a traced quote names the page and the time it was captured. A
// "revisit" record becomes a child too, with the payload of the capture it
// refers to (when that capture is in the same file) and its own date.
// Video and audio records are kept as children of kind "video"/"audio"
// without text. Images, scripts and styles are counted, not kept.
//
// Records are read as a stream; blocks are bounded (kMaxCaptureBytes) and
// so is decompression (gzip_reader.h). A WACZ's SHA-256 digests in
// datapackage.json are checked before anything is read from it; a mismatch
// refuses the package.
#ifndef UNCUT_EXTRACT_WARC_H_
#define UNCUT_EXTRACT_WARC_H_

#include "extract/extractor.h"

namespace uncut {

// Largest payload kept from one record.
inline constexpr uint64_t kMaxCaptureBytes = 256ull << 20;

class WarcExtractor : public Extractor {
 public:
  std::string_view format() const override { return "warc"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

class WaczExtractor : public Extractor {
 public:
  std::string_view format() const override { return "wacz"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_WARC_H_
