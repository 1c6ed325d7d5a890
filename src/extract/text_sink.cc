#include "extract/text_sink.h"

namespace uncut {
namespace {

bool IsCollapsibleSpace(std::string_view cp) {
  return cp.size() == 1 &&
         (cp[0] == ' ' || cp[0] == '\t' || cp[0] == '\n' || cp[0] == '\r' || cp[0] == '\f');
}

}  // namespace

void TextSink::Flush(uint64_t src) {
  if (text_.empty()) {
    pending_break_ = 0;
    pending_space_ = false;
    return;
  }
  if (pending_break_ > 0) {
    std::string_view br = pending_break_ >= 2 ? "\n\n" : "\n";
    // Remove a trailing space before a break; it carries no meaning.
    map_.Replace(br.size(), src, 0);
    text_.append(br);
  } else if (pending_space_) {
    map_.Replace(1, space_src_, space_end_ - space_src_);
    text_.push_back(' ');
  }
  pending_break_ = 0;
  pending_space_ = false;
}

void TextSink::Char(std::string_view cp, uint64_t src, uint64_t src_len, bool keep_space) {
  if (!keep_space && IsCollapsibleSpace(cp)) {
    if (!pending_space_) {
      pending_space_ = true;
      space_src_ = src;
    }
    space_end_ = src + src_len;
    return;
  }
  Flush(src);
  for (Anchor& a : anchors_) {
    if (a.text_offset == UINT64_MAX) a.text_offset = text_.size();
  }
  map_.Replace(cp.size(), src, src_len);
  text_.append(cp);
}

void TextSink::Verbatim(std::string_view text, uint64_t src) {
  if (text.empty()) return;
  Flush(src);
  for (Anchor& a : anchors_) {
    if (a.text_offset == UINT64_MAX) a.text_offset = text_.size();
  }
  map_.Copy(text.size(), src);
  text_.append(text);
}

void TextSink::Break(int level) {
  if (level > pending_break_) pending_break_ = level;
}

void TextSink::AddAnchor(std::string kind, nlohmann::json value) {
  anchors_.push_back({UINT64_MAX, std::move(kind), std::move(value)});
}

ExtractedText TextSink::Finish() && {
  ExtractedText out;
  for (Anchor& a : anchors_) {
    if (a.text_offset == UINT64_MAX) a.text_offset = text_.size();
  }
  out.text = std::move(text_);
  out.map = std::move(map_).Build();
  out.anchors = std::move(anchors_);
  return out;
}

}  // namespace uncut
