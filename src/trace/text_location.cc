#include "trace/text_location.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "base/utf8.h"

namespace uncut {
namespace {

// How far to look for a sentence boundary, and how much of the other side
// of the point to read with it, in bytes.
constexpr uint64_t kWindow = 4000;
constexpr uint64_t kLookAround = 256;

// Moves a byte offset back/forward to a UTF-8 character boundary.
uint64_t FloorChar(std::string_view s, uint64_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
  return i;
}
uint64_t CeilChar(std::string_view s, uint64_t i) {
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) ++i;
  return i;
}

// Decodes the code point starting at byte i (0 past the end).
char32_t CodePointAt(std::string_view s, uint64_t i) {
  if (i >= s.size()) return 0;
  unsigned char c = s[i];
  size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
  len = std::min<size_t>(len, s.size() - i);
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3f);
  return cp;
}

// The code point ending just before byte i.
char32_t CodePointBefore(std::string_view s, uint64_t i) {
  if (i == 0) return 0;
  uint64_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) --j;
  return CodePointAt(s, j);
}

bool IsLayoutSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Punctuation a sentence or a paragraph can end with (closing quotes and
// brackets included, which follow a period: `he said."`).
bool EndsSentence(char32_t c) {
  switch (c) {
    case U'.': case U'!': case U'?': case U':': case U';': case U'"': case U'\'':
    case U')': case U']': case U'\u2026': case U'\u201D': case U'\u2019': case U'\u00BB':
    case U'\u3002': case U'\uFF01': case U'\uFF1F': case U'\u061F': case U'\u06D4':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string JoinWrappedLines(std::string_view text) {
  std::string out(text);
  uint64_t i = 0;
  while (i < text.size()) {
    if (!IsLayoutSpace(text[i])) {
      ++i;
      continue;
    }
    uint64_t b = i;
    int newlines = 0;
    bool page = false;
    for (; i < text.size() && IsLayoutSpace(text[i]); ++i) {
      newlines += text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'));
      page |= text[i] == '\f' || text[i] == '\v';
    }
    if (newlines == 0 && !page) continue;
    bool soft = newlines <= 1 && !page;
    if (!soft && b > 0 && i < text.size()) {
      // A blank line, a new column or a new page inside a sentence: the
      // text before ends mid-sentence and the text after goes on in
      // lower case.
      UChar32 next = static_cast<UChar32>(CodePointAt(text, i));
      soft = !EndsSentence(CodePointBefore(text, b)) && u_islower(next);
    }
    if (soft) {
      for (uint64_t k = b; k < i; ++k) out[k] = ' ';
    }
  }
  return out;
}

namespace {

// This thread's sentence iterator (abbreviations such as "Mr." suppressed),
// made once: building its suppression filter costs more than a trace's
// search. Null when ICU has none.
icu::BreakIterator* SentenceIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(
        icu::BreakIterator::createSentenceInstance(icu::Locale("en@ss=standard"), err));
    if (U_FAILURE(err)) {
      err = U_ZERO_ERROR;
      made.reset(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), err));
    }
    if (U_FAILURE(err)) made.reset();
    return made;
  }();
  return it.get();
}

// Sentence boundaries (byte offsets into `text`) within [lo, hi), with line
// breaks inside a paragraph read as spaces (see JoinWrappedLines).
std::vector<uint64_t> SentenceBreaks(std::string_view text, uint64_t lo, uint64_t hi) {
  std::vector<uint64_t> out;
  std::string joined = JoinWrappedLines(text.substr(lo, hi - lo));
  std::string_view win = joined;
  icu::BreakIterator* it = SentenceIterator();
  if (it == nullptr) return out;
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

// Word boxes of OCR text (extract/ocr_text.h) that a span touches, joined
// into the region it covers: on the page where it starts, and on the page
// where it ends when that is another.
constexpr char kBoxAnchor[] = "box";

class WordBoxes {
 public:
  // Anchors other than boxes, in order: pages and the OCR unit in force.
  void Note(const Anchor& a) {
    if (a.kind == "page") page_ = a.value;
    if (a.kind == "ocr" && a.value.is_object()) unit_ = a.value.value("box_unit", "px");
  }
  // A word's box: the word the span starts in (the last at or before
  // t_begin) and every word starting inside it.
  void Add(const Anchor& a, uint64_t t_begin, uint64_t last) {
    if (!a.value.is_array() || a.value.size() != 4) return;
    if (a.text_offset <= t_begin) {
      first_ = Box{a.value, page_, unit_};
      return;
    }
    if (a.text_offset > last) return;
    if (first_) {
      start_ = *first_;
      first_.reset();
    }
    Box b{a.value, page_, unit_};
    if (!start_) {
      start_ = b;
    } else if (b.page == start_->page) {
      start_->Join(b);
    } else if (end_ && b.page == end_->page) {
      end_->Join(b);
    } else {
      end_ = b;
    }
  }
  void Finish(TextLocation* loc) {
    if (first_ && !start_) start_ = first_;
    if (start_) loc->anchors["region"] = start_->Json();
    if (end_) loc->anchors_end["region"] = end_->Json();
  }

 private:
  struct Box {
    Box(const nlohmann::json& v, nlohmann::json p, std::string u)
        : x0(v[0].get<double>()),
          y0(v[1].get<double>()),
          x1(x0 + v[2].get<double>()),
          y1(y0 + v[3].get<double>()),
          page(std::move(p)),
          unit(std::move(u)) {}
    void Join(const Box& o) {
      x0 = std::min(x0, o.x0);
      y0 = std::min(y0, o.y0);
      x1 = std::max(x1, o.x1);
      y1 = std::max(y1, o.y1);
    }
    nlohmann::json Json() const {
      auto r = [](double v) { return std::round(v * 10) / 10; };
      return {{"x", r(x0)}, {"y", r(y0)}, {"w", r(x1 - x0)}, {"h", r(y1 - y0)}, {"unit", unit}};
    }
    double x0, y0, x1, y1;
    nlohmann::json page;
    std::string unit;
  };
  nlohmann::json page_;
  std::string unit_ = "px";
  std::optional<Box> first_, start_, end_;
};

}  // namespace

namespace {

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
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
  std::string_view line_before = original.substr(line_start, s - line_start);
  if (IsValidUtf8(line_before)) {
    loc.column = 1 + static_cast<int>(Utf8Chars(line_before));
  } else {
    // An original in another charset: its characters are those of the
    // decoded text from the line's start on (the first text byte whose
    // source is on the line).
    uint64_t lo = 0, hi = std::min<uint64_t>(t_begin, text.text.size());
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      if (text.map.SourceStart(mid) < line_start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    uint64_t end = std::min<uint64_t>(t_begin, text.text.size());
    loc.column = 1 + static_cast<int>(Utf8Chars(std::string_view(text.text).substr(lo, end - lo)));
  }
  const std::string_view all(text.text);
  loc.start_char = Utf8Chars(all.substr(0, std::min<uint64_t>(t_begin, all.size())));
  loc.end_char = loc.start_char +
                 Utf8Chars(all.substr(std::min<uint64_t>(t_begin, all.size()),
                                      t_end > t_begin ? t_end - t_begin : 0));
  loc.text_chars = Utf8Chars(all);
  // Paragraphs are separated by blank lines in the extracted text; a span
  // that starts right after a blank line is in the paragraph that follows.
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
  if (seen_text && newlines >= 2 && limit < text.text.size()) ++para;
  loc.paragraph = para;
  nlohmann::json at_end = nlohmann::json::object();
  uint64_t last = t_end > t_begin ? t_end - 1 : t_begin;
  WordBoxes boxes;
  for (const Anchor& a : text.anchors) {
    if (a.kind == kBoxAnchor) {
      boxes.Add(a, t_begin, last);
      continue;
    }
    if (a.text_offset <= last) boxes.Note(a);
    // A null value ends what an anchor of that kind said (OCR'd pages
    // followed by a page with its own text layer).
    auto set = [&](nlohmann::json& to) {
      if (a.value.is_null()) {
        to.erase(a.kind);
      } else {
        to[a.kind] = a.value;
      }
    };
    if (a.text_offset <= t_begin) set(loc.anchors);
    if (a.text_offset <= last) set(at_end);
  }
  for (const auto& [kind, value] : at_end.items()) {
    if (!loc.anchors.contains(kind) || loc.anchors[kind] != value) loc.anchors_end[kind] = value;
  }
  boxes.Finish(&loc);
  return loc;
}

namespace {

// Whether `s` holds a letter or digit (any non-ASCII character counts), so
// that a stretch of spaces and punctuation is not taken for a sentence.
bool HasWord(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x80 || absl::ascii_isalnum(static_cast<unsigned char>(c));
  });
}

}  // namespace

uint64_t ContextBefore(std::string_view text, uint64_t t, int sentences, uint64_t max_bytes,
                       bool* clipped) {
  if (clipped != nullptr) *clipped = false;
  t = std::min<uint64_t>(t, text.size());
  if (sentences <= 0 || t == 0) return t;
  uint64_t lo = FloorChar(text, t > kWindow ? t - kWindow : 0);
  // A little of the text after t, so that the line breaks and the sentence
  // around t are read as they are.
  uint64_t hi = CeilChar(text, std::min<uint64_t>(text.size(), t + kLookAround));
  std::vector<uint64_t> breaks = SentenceBreaks(text, lo, hi);
  // Breaks before t, from the nearest backwards; a break that only skips
  // spaces and punctuation is no sentence.
  uint64_t begin = lo;
  int seen = 0;
  for (auto it = breaks.rbegin(); it != breaks.rend(); ++it) {
    if (*it >= t || !HasWord(text.substr(*it, t - *it))) continue;
    begin = *it;
    if (++seen == sentences) break;
  }
  while (begin < t && IsLayoutSpace(text[begin])) ++begin;
  if (t - begin > max_bytes) {
    // Too long a sentence: its last max_bytes, from a word start.
    uint64_t b = CeilChar(text, t - max_bytes);
    while (b < t && !IsLayoutSpace(text[b])) ++b;
    while (b < t && IsLayoutSpace(text[b])) ++b;
    begin = b;
    if (clipped != nullptr) *clipped = true;
  }
  return begin;
}

uint64_t ContextAfter(std::string_view text, uint64_t t, int sentences, uint64_t max_bytes,
                      bool* clipped) {
  if (clipped != nullptr) *clipped = false;
  if (sentences <= 0 || t >= text.size()) return std::min<uint64_t>(t, text.size());
  uint64_t lo = FloorChar(text, t > kLookAround ? t - kLookAround : 0);
  uint64_t hi = CeilChar(text, std::min<uint64_t>(text.size(), t + kWindow));
  std::vector<uint64_t> breaks = SentenceBreaks(text, lo, hi);
  uint64_t end = hi;
  int seen = 0;
  for (uint64_t b : breaks) {
    if (b <= t || !HasWord(text.substr(t, b - t))) continue;
    end = b;
    if (++seen == sentences) break;
  }
  while (end > t && IsLayoutSpace(text[end - 1])) --end;
  if (end - t > max_bytes) {
    // Too long a sentence: its first max_bytes, to a word end.
    uint64_t e = FloorChar(text, t + max_bytes);
    while (e > t && !IsLayoutSpace(text[e])) --e;
    while (e > t && IsLayoutSpace(text[e - 1])) --e;
    end = e;
    if (clipped != nullptr) *clipped = true;
  }
  return end;
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
