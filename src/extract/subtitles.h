// Subtitles and transcripts: SubRip (.srt) and WebVTT (.vtt).
//
// The text is the cues' text in order (one line per cue line; tags such as
// <i>, <v Speaker> and <c.class> dropped; entities decoded), mapped back to
// the file's bytes. Each cue starts an anchor of kind "cue":
//   {"index": 12, "start": "00:01:02.500", "end": "00:01:05.000",
//    "start_s": 62.5, "end_s": 65.0, "speaker": "Anna"}   (speaker: VTT <v>)
// so a traced quote names the time range of the video it belongs to (the
// first cue's start to the last cue's end, from anchors and anchors_end).
#ifndef UNCUT_EXTRACT_SUBTITLES_H_
#define UNCUT_EXTRACT_SUBTITLES_H_

#include <optional>
#include <string_view>

#include "extract/extractor.h"

namespace uncut {

class SubtitleExtractor : public Extractor {
 public:
  std::string_view format() const override { return "subtitles"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

// Seconds in a cue timestamp: "01:02:03,500", "01:02:03.500", "02:03.500".
std::optional<double> ParseCueTime(std::string_view s);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_SUBTITLES_H_
