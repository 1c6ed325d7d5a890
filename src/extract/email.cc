#include "extract/email.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/mail_message.h"
#include "extract/mbox_reader.h"

namespace uncut {
namespace {

// Headers that nearly every message has near its top.
bool LooksLikeMessageHead(std::string_view head) {
  std::string h = absl::AsciiStrToLower(std::string(head.substr(0, 2048)));
  int hits = 0;
  for (const char* name : {"\nfrom:", "\nto:", "\nsubject:", "\ndate:", "\nmessage-id:",
                           "\nreceived:", "\nmime-version:", "\nreturn-path:", "\ndelivered-to:"}) {
    if (absl::StrContains(StrCat("\n", h), name)) ++hits;
  }
  return hits >= 3;
}

}  // namespace

int EmlExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string ext = Extension(path);
  if (ext == "eml") return 80;
  if (ext.empty() || ext == "msg" || ext == "mail") {
    if (head.substr(0, 5) != "From " && LooksLikeMessageHead(head)) return 40;
  }
  return 0;
}

absl::StatusOr<Extraction> EmlExtractor::Extract(std::string_view bytes,
                                                 const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  // A single message saved with its mbox separator line.
  uint64_t skip = 0;
  if (bytes.substr(0, 5) == "From " && IsMboxSeparator(bytes, 0)) {
    skip = bytes.find('\n') + 1;
  }
  ASSIGN_OR_RETURN(ParsedMessage m, ParseMessage(bytes.substr(skip), options));
  if (skip > 0) m.extraction.text.map = ShiftOffsetMap(m.extraction.text.map, skip);
  if (m.extraction.text.text.empty() && m.attachments.empty()) {
    return absl::InvalidArgumentError("no readable text in the message");
  }
  for (ChildDocument& a : m.attachments) {
    if (options.children == nullptr) break;
    RETURN_IF_ERROR(options.children->Add(std::move(a)));
  }
  return std::move(m.extraction);
}

int MboxExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string ext = Extension(path);
  if (ext == "mbox" || ext == "mbx") return 80;
  if (head.substr(0, 5) == "From " && IsMboxSeparator(head, 0)) return 60;
  return 0;
}

absl::StatusOr<Extraction> MboxExtractor::Extract(std::string_view bytes,
                                                  const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  Extraction out;
  out.format = "mbox";
  out.kind = "container";
  std::vector<std::string> warnings;
  MboxReader reader(bytes);
  int n = 0, unreadable = 0, no_text = 0;
  uint64_t total_bytes = 0;
  auto add = [&](uint64_t offset, uint64_t size) -> absl::Status {
    ++n;
    total_bytes += size;
    ChildDocument child;
    child.name = StrCat("message ", n);
    child.format = "eml";
    child.offset = offset;
    child.size = size;
    ExtractOptions eo = options;
    eo.depth = options.depth + 1;
    eo.children = nullptr;
    auto m = ParseMessage(bytes.substr(offset, size), eo, n);
    if (m.ok()) {
      child.title = m->subject;
      child.info = std::move(m->extraction.info);
      child.info["mailbox_offset"] = offset;
      if (!m->extraction.text.text.empty()) {
        child.text = std::move(m->extraction.text);
      } else {
        ++no_text;
      }
      child.children = std::move(m->attachments);
    } else {
      ++unreadable;
      child.info["error"] = std::string(m.status().message());
      child.info["mailbox_offset"] = offset;
    }
    if (options.children == nullptr) return absl::OkStatus();
    return options.children->Add(std::move(child));
  };
  while (std::optional<MboxMessage> m = reader.Next()) {
    RETURN_IF_ERROR(add(m->offset, m->size));
  }
  if (n == 0) {
    // Not separated at all: perhaps one message saved as .mbox.
    if (!LooksLikeMessageHead(bytes.substr(0, 4096))) {
      return absl::InvalidArgumentError("not a mailbox: no \"From \" separator line");
    }
    warnings.push_back("no \"From \" separator line; read as one message");
    RETURN_IF_ERROR(add(0, bytes.size()));
  } else if (reader.skipped_prefix() > 0) {
    warnings.push_back(StrCat(reader.skipped_prefix(),
                              " bytes before the first \"From \" line belong to no message"));
  }
  if (unreadable > 0) warnings.push_back(StrCat(unreadable, " messages could not be read"));
  if (no_text > 0) warnings.push_back(StrCat(no_text, " messages have no readable body text"));
  out.info["messages"] = n;
  if (!warnings.empty()) out.info["warnings"] = warnings;
  (void)total_bytes;
  return out;
}

}  // namespace uncut
