#include "trace/text_location.h"

#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>

namespace uncut {
namespace {

constexpr uint64_t kWindow = 4000;

// Moves a byte offset back/forward to a UTF-8 character boundary.
uint64_t FloorChar(std::string_view s, uint64_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
  return i;
}
uint64_t CeilChar(std::string_view s, uint64_t i) {
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
  return i;
}

// Sentence boundaries (byte offsets into `text`) within [lo, hi).
std::vector<uint64_t> SentenceBreaks(std::string_view text, uint64_t lo, uint64_t hi) {
  std::vector<uint64_t> out;
  std::string_view win = text.substr(lo, hi - lo);
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), err));
  if (U_FAILURE(err)) return out;
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(win.data(), static_cast<int32_t>(win.size())));
  it->setText(u);
  // Map UTF-16 indexes back to UTF-8 byte offsets by walking both.
  std::vector<int32_t> u16_breaks;
  for (int32_t b = it->first(); b != icu::BreakIterator::DONE; b = it->next()) {
    u16_breaks.push_back(b);
  }
  size_t k = 0;
  int32_t u16 = 0;
  uint64_t byte = 0;
  while (k < u16_breaks.size()) {
    if (u16 == u16_breaks[k]) {
      out.push_back(lo + byte);
      ++k;
      continue;
    }
    if (byte >= win.size()) break;
    unsigned char c = win[byte];
    int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
    u16 += len == 4 ? 2 : 1;
    byte += len;
  }
  return out;
}

}  // namespace

TextLocation LocateText(const ExtractedText& text, std::string_view original, uint64_t t_begin,
                        uint64_t t_end) {
  TextLocation loc;
  loc.start_byte = text.map.SourceStart(t_begin);
  loc.end_byte = t_end > t_begin ? text.map.SourceEnd(t_end) : loc.start_byte;
  uint64_t s = std::min<uint64_t>(loc.start_byte, original.size());
  loc.line = 1 + static_cast<int>(std::count(original.begin(), original.begin() + s, '\n'));
  uint64_t line_start = original.substr(0, s).find_last_of('\n');
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  int col = 1;
  for (uint64_t i = line_start; i < s; ++i) {
    if ((static_cast<unsigned char>(original[i]) & 0xc0) != 0x80) ++col;
  }
  loc.column = col;
  // Paragraphs are separated by blank lines in the extracted text.
  int para = 1, newlines = 0;
  bool seen_text = false;
  uint64_t limit = std::min<uint64_t>(t_begin, text.text.size());
  for (uint64_t i = 0; i < limit; ++i) {
    char c = text.text[i];
    if (c == '\n') {
      ++newlines;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      if (seen_text && newlines >= 2) ++para;
      newlines = 0;
      seen_text = true;
    }
  }
  loc.paragraph = para;
  nlohmann::json at_end = nlohmann::json::object();
  uint64_t last = t_end > t_begin ? t_end - 1 : t_begin;
  for (const Anchor& a : text.anchors) {
    if (a.text_offset <= t_begin) loc.anchors[a.kind] = a.value;
    if (a.text_offset <= last) at_end[a.kind] = a.value;
  }
  for (const auto& [kind, value] : at_end.items()) {
    if (!loc.anchors.contains(kind) || loc.anchors[kind] != value) loc.anchors_end[kind] = value;
  }
  return loc;
}

uint64_t ContextBefore(std::string_view text, uint64_t t, int sentences) {
  if (sentences <= 0 || t == 0) return t;
  uint64_t lo = FloorChar(text, t > kWindow ? t - kWindow : 0);
  std::vector<uint64_t> breaks = SentenceBreaks(text, lo, t);
  // Breaks strictly before t, from the nearest backwards.
  int seen = 0;
  for (auto it = breaks.rbegin(); it != breaks.rend(); ++it) {
    if (*it >= t) continue;
    if (++seen == sentences) return *it;
  }
  return breaks.empty() ? t : breaks.front();
}

uint64_t ContextAfter(std::string_view text, uint64_t t, int sentences) {
  if (sentences <= 0 || t >= text.size()) return t;
  uint64_t hi = CeilChar(text, std::min<uint64_t>(text.size(), t + kWindow));
  std::vector<uint64_t> breaks = SentenceBreaks(text, t, hi);
  int seen = 0;
  for (uint64_t b : breaks) {
    if (b <= t) continue;
    if (++seen == sentences) return b;
  }
  return breaks.empty() ? t : breaks.back();
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace uncut
