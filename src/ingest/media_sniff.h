// Recognising audio and video containers by their first bytes, so that a
// recording with a wrong or missing extension ("clip.txt", "VID_0042") is
// still read as media and given a fitting format name.
#ifndef UNCUT_INGEST_MEDIA_SNIFF_H_
#define UNCUT_INGEST_MEDIA_SNIFF_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace uncut {

// The container format that `head` (the first bytes of a file, 4 KiB is
// plenty) announces with an unambiguous signature: "mp4" (ISO base media:
// mp4, mov, m4a, 3gp), "mkv" (Matroska and WebM), "avi", "wav", "ogg",
// "flac", "mp3" (with an ID3 tag), "flv", "wmv" (ASF), "mpg" (MPEG program
// stream), "ts" (MPEG transport stream), "y4m", "amr", "aiff".
// Nothing for anything else; the decoder still has the last word.
std::optional<std::string> SniffMediaFormat(std::string_view head);

// What kind of content `head` is, from what SniffMediaFormat knows and
// further signatures. `text` is set when it reads as text.
struct ContentKind {
  std::string description;  // for messages: "UTF-8 text", "a PDF document", "mp4 video or audio"
  bool text = false;        // no NUL bytes and almost no control characters
  bool media = false;       // a recording's container (SniffMediaFormat)
  bool known = false;       // another format with a signature (documents, images, archives)
};
ContentKind SniffContentKind(std::string_view head);

// Whether a file whose first bytes are `head` can be read as a recording:
// InvalidArgument naming `name` and saying what it looks like when it is
// empty, text, a document or an image ("clip.mp4: not a video or audio file
// (looks like UTF-8 text)", then `text_hint` for text). Binaries without a
// known signature are left to the decoder.
absl::Status CheckClipKind(const std::string& name, std::string_view head,
                           std::string_view text_hint = "");

// The first `n` bytes of the file at `path` (all of it when shorter).
absl::StatusOr<std::string> ReadFileHead(const std::string& path, size_t n = 4096);

// Whether a file can be read as an extract (--text-file): InvalidArgument
// naming `name` and what it looks like when it is not text.
absl::Status CheckExtractKind(const std::string& name, std::string_view head);

}  // namespace uncut

#endif  // UNCUT_INGEST_MEDIA_SNIFF_H_
