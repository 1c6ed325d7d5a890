// The extraction extension point: one Extractor per document format turns
// an original file's bytes into text a person reads, with an OffsetMap back
// to the bytes and "anchors" that give human locations (a page, a subtitle
// cue, an e-mail message, a captured URL).
//
// To support a new format, implement Extractor and add it to the list in
// extractor.cc; nothing else in uncut changes.
//
// Containers (a mailbox, a message with attachments, a web capture) hand
// the documents they hold to a ChildSink as they find them, so a container
// of any size is never held in memory whole; each child becomes an item
// linked to its parent.
#ifndef UNCUT_EXTRACT_EXTRACTOR_H_
#define UNCUT_EXTRACT_EXTRACTOR_H_

#include <cstdint>
#include <optional>
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

// A document found inside another: a message in a mailbox, an attachment
// of a message, a page or a video captured in a web archive.
struct ChildDocument {
  std::string name;           // name within the parent, e.g. "message 12", "report.pdf"
  std::string kind = "text";  // "text", "video", "audio", "container"
  std::string format;         // e.g. "eml", "html", "pdf", "mp4"
  // The child's own bytes: when `decoded` is empty, the range
  // [offset, offset + size) of the parent's bytes (an unencoded message in
  // a mailbox); otherwise bytes of its own (a base64 attachment, a page
  // decompressed from a .warc.gz).
  uint64_t offset = 0;
  uint64_t size = 0;
  std::optional<std::string> decoded;
  // Text with its OffsetMap into the child's own bytes; absent for a child
  // kept without text (media, or a part whose text could not be read: then
  // info["error"] says why).
  std::optional<ExtractedText> text;
  // Facts a person may want (headers, target URI, warnings ...).
  nlohmann::json info = nlohmann::json::object();
  std::optional<std::string> title;
  std::optional<std::string> source_url;   // e.g. a captured page's URI
  std::optional<std::string> captured_at;  // RFC 3339
  std::vector<ChildDocument> children;     // nested, e.g. a message's attachments
};

// Receives children in document order. An error it returns stops the
// extraction, and the extractor returns that error.
class ChildSink {
 public:
  virtual ~ChildSink() = default;
  virtual absl::Status Add(ChildDocument child) = 0;
};

struct ExtractOptions {
  std::string charset;  // forced charset (--charset); empty = detect
  // The charset a container declares for this document (an e-mail part's
  // charset parameter, an HTTP Content-Type); the bytes may overrule it.
  std::string declared_charset;
  uint64_t max_text_bytes = 1ull << 30;
  // Where containers put the documents they hold; nullptr drops them.
  ChildSink* children = nullptr;
  // How deep this document sits inside containers (attachments of
  // attachments...); extractors stop descending at kMaxContainerDepth.
  int depth = 0;
};

inline constexpr int kMaxContainerDepth = 8;

// A ChildSink that keeps what it gets (for a container inside a container,
// and for tests).
class ChildVector : public ChildSink {
 public:
  absl::Status Add(ChildDocument child) override {
    children.push_back(std::move(child));
    return absl::OkStatus();
  }
  std::vector<ChildDocument> children;
};

struct Extraction {
  std::string format;         // short format name, e.g. "txt", "html"
  std::string kind = "text";  // "container" for a mailbox or a web archive, whose text
                              // is in its children (its own `text` may be empty)
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

// Extracts a document held in memory (an attachment, a captured page):
// picks the extractor for `name` and the bytes, and runs it. Fails with
// Unimplemented when no extractor reads it.
absl::StatusOr<Extraction> ExtractDocument(std::string_view name, std::string_view bytes,
                                           const ExtractOptions& options);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_EXTRACTOR_H_
