// Recognising audio and video containers by their first bytes, so that a
// recording with a wrong or missing extension ("clip.txt", "VID_0042") is
// still read as media and given a fitting format name.
#ifndef UNCUT_INGEST_MEDIA_SNIFF_H_
#define UNCUT_INGEST_MEDIA_SNIFF_H_

#include <optional>
#include <string>
#include <string_view>

namespace uncut {

// The container format that `head` (the first bytes of a file, 4 KiB is
// plenty) announces with an unambiguous signature: "mp4" (ISO base media:
// mp4, mov, m4a, 3gp), "mkv" (Matroska and WebM), "avi", "wav", "ogg",
// "flac", "mp3" (with an ID3 tag), "flv", "wmv" (ASF), "mpg" (MPEG program
// stream), "ts" (MPEG transport stream), "y4m", "amr", "aiff".
// Nothing for anything else; the decoder still has the last word.
std::optional<std::string> SniffMediaFormat(std::string_view head);

}  // namespace uncut

#endif  // UNCUT_INGEST_MEDIA_SNIFF_H_
