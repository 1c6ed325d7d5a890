// TextSink collects the visible text of a document while recording where
// each piece came from. It collapses runs of whitespace to one space and
// turns block boundaries into line or paragraph breaks, the way a browser
// shows text, without losing the offset of any character.
#ifndef UNCUT_EXTRACT_TEXT_SINK_H_
#define UNCUT_EXTRACT_TEXT_SINK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "extract/extractor.h"
#include "extract/offset_map.h"

namespace uncut {

class TextSink {
 public:
  // Appends one code point (UTF-8 bytes `cp`) that stands for source bytes
  // [src, src + src_len). When `keep_space` is false, whitespace collapses.
  void Char(std::string_view cp, uint64_t src, uint64_t src_len, bool keep_space = false);
  // Appends text copied verbatim from source offset `src` (no collapsing).
  void Verbatim(std::string_view text, uint64_t src);
  // Requests a break before the next visible character: 1 = new line,
  // 2 = new paragraph. The strongest request wins.
  void Break(int level);
  // Adds an anchor at the position of the next character.
  void AddAnchor(std::string kind, nlohmann::json value);

  uint64_t size() const { return text_.size(); }
  ExtractedText Finish() &&;

 private:
  void Flush(uint64_t src);
  std::string text_;
  OffsetMapBuilder map_;
  std::vector<Anchor> anchors_;
  bool pending_space_ = false;
  uint64_t space_src_ = 0;
  uint64_t space_end_ = 0;
  int pending_break_ = 0;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_TEXT_SINK_H_
