// The extraction extension point: one Extractor per document format turns
// an original file's bytes into text a person reads, with an OffsetMap back
// to the bytes and "anchors" that give human locations (a page, a subtitle
// cue, an e-mail message, a captured URL).
//
// To support a new format, implement Extractor and add it to the list in
// extractor.cc; nothing else in uncut changes.
#ifndef UNCUT_EXTRACT_EXTRACTOR_H_
#define UNCUT_EXTRACT_EXTRACTOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "extract/offset_map.h"
#include "nlohmann/json.hpp"

namespace uncut {

// A human location that starts at `text_offset` in the extracted text and
// holds until the next anchor of the same kind, e.g. {"page", "3"}.
struct Anchor {
  uint64_t text_offset = 0;
  std::string kind;
  nlohmann::json value;
};

struct ExtractedText {
  std::string text;  // UTF-8; paragraphs separated by a blank line
  OffsetMap map;     // text byte -> original byte
  std::vector<Anchor> anchors;
};

struct ExtractOptions {
  std::string charset;  // forced charset (--charset); empty = detect
  uint64_t max_text_bytes = 1ull << 30;
};

struct Extraction {
  std::string format;  // short format name, e.g. "txt", "html"
  ExtractedText text;
  // Facts about the file a person may want: charset, title, warnings.
  nlohmann::json info = nlohmann::json::object();
};

class Extractor {
 public:
  virtual ~Extractor() = default;
  virtual std::string_view format() const = 0;
  // How sure this extractor is that it reads the file (0 = not at all).
  // `head` is up to the first 4 KiB of the file.
  virtual int Sniff(std::string_view path, std::string_view head) const = 0;
  // Extracts the text. Errors say what is wrong with the file, without its
  // name (the caller prefixes it).
  virtual absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                             const ExtractOptions& options) const = 0;
};

// The extractor that reads `path` best, or nullptr when none does.
const Extractor* FindExtractor(std::string_view path, std::string_view head);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_EXTRACTOR_H_
