// One e-mail message (RFC 5322 / MIME), parsed with GMime: the text a
// person reads, with an OffsetMap into the message's bytes, the headers that
// name it, and the attached documents.
//
//  - MIME at any depth; quoted-printable and base64 bodies are decoded and
//    still map back to the encoded lines (extract/transfer_decode.h).
//  - Body charsets go through the one charset layer (DecodeLabeledText):
//    a wrong or missing label gives readable text and a warning. Headers
//    (RFC 2047 words, raw 8-bit) are decoded by GMime, with UTF-8 and then
//    windows-1252 as fallbacks.
//  - multipart/alternative: the text/plain part, unless it is nearly empty,
//    then the HTML part (reduced to text with ExtractHtmlUtf8).
//  - Quoted reply lines (">") stay in the text; anchors of kind "quoted"
//    mark them ({"level": n} where a quoted block begins, false where it
//    ends).
//  - An anchor of kind "message" at offset 0 names the message: from, to,
//    cc, date, subject, message_id (and its number in a mailbox).
//  - Attachments that are documents (text, HTML, PDF, subtitles, e-mail)
//    become children with their decoded bytes; every attachment is listed in
//    info["attachments"].
#ifndef UNCUT_EXTRACT_MAIL_MESSAGE_H_
#define UNCUT_EXTRACT_MAIL_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "extract/extractor.h"

namespace uncut {

struct ParsedMessage {
  Extraction extraction;  // format "eml"; text may be empty (no readable body)
  std::vector<ChildDocument> attachments;
  std::optional<std::string> subject;
};

// Parses one message. `index` is its 1-based number in a mailbox, or 0.
// Fails only when the bytes are not a message at all (no header).
absl::StatusOr<ParsedMessage> ParseMessage(std::string_view bytes, const ExtractOptions& options,
                                           int index = 0);

// Largest message read; a bigger one is kept without text.
inline constexpr uint64_t kMaxMessageBytes = 256ull << 20;

}  // namespace uncut

#endif  // UNCUT_EXTRACT_MAIL_MESSAGE_H_
