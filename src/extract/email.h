// E-mail files: one message (.eml) and Unix mailboxes (.mbox).
//
// An .eml is one item: its body text (see mail_message.h) with an anchor
// naming the message; its document attachments are children.
//
// An .mbox is a container: each message becomes a child (format "eml")
// stored as the byte range of the mailbox it occupies, so spans in an
// unencoded body are also spans of the mailbox file (item.stored_in.offset
// + start). Messages are read one at a time from the mapped file; a message
// that cannot be read is still kept, without text, with info["error"].
#ifndef UNCUT_EXTRACT_EMAIL_H_
#define UNCUT_EXTRACT_EMAIL_H_

#include "extract/extractor.h"

namespace uncut {

class EmlExtractor : public Extractor {
 public:
  std::string_view format() const override { return "eml"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

class MboxExtractor : public Extractor {
 public:
  std::string_view format() const override { return "mbox"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_EMAIL_H_
