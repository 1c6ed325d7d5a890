#include "ocr/caption_band.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace uncut {

int CaptionChangeDetector::BandTop(int height, int content_y, int content_h) const {
  if (content_h <= 0) {
    content_y = 0;
    content_h = height;
  }
  int top = content_y + static_cast<int>(std::lround(content_h * (1 - options_.band_share)));
  return std::clamp(top, 0, std::max(0, height - 1));
}

std::vector<float> CaptionChangeDetector::BandMap(const uint8_t* gray, int width, int height,
                                                  int stride, int band_top) const {
  const int cols = options_.grid_cols, rows = options_.grid_rows;
  std::vector<float> map(static_cast<size_t>(cols) * rows, 0.0f);
  band_top = std::clamp(band_top, 0, height);
  const int band_h = height - band_top;
  if (width < 2 || band_h < 2) return map;
  std::vector<int> edges(map.size(), 0), pixels(map.size(), 0);
  const int step = options_.edge_step;
  for (int y = band_top; y < height - 1; ++y) {
    const uint8_t* row = gray + static_cast<size_t>(y) * stride;
    const uint8_t* below = row + stride;
    const int cy = std::min(rows - 1, (y - band_top) * rows / band_h);
    int* cell_edges = &edges[static_cast<size_t>(cy) * cols];
    int* cell_pixels = &pixels[static_cast<size_t>(cy) * cols];
    for (int x = 0; x < width - 1; ++x) {
      const int cx = std::min(cols - 1, x * cols / width);
      bool edge = std::abs(row[x + 1] - row[x]) >= step || std::abs(below[x] - row[x]) >= step;
      cell_edges[cx] += edge;
      ++cell_pixels[cx];
    }
  }
  for (size_t i = 0; i < map.size(); ++i) {
    map[i] = pixels[i] > 0 ? static_cast<float>(edges[i]) / pixels[i] : 0.0f;
  }
  return map;
}

double CaptionChangeDetector::Distance(const std::vector<float>& a,
                                       const std::vector<float>& b) const {
  if (a.size() != b.size()) return 1;
  double diff = 0, mass = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += std::abs(a[i] - b[i]);
    mass += std::max(a[i], b[i]);
  }
  // Two nearly empty bands do not differ, however their few edges moved:
  // the distance is taken over at least a text line's worth of edges.
  const double floor = a.size() * options_.text_cell_density * options_.text_run_share;
  return diff / std::max(mass, floor);
}

bool CaptionChangeDetector::TextLike(const std::vector<float>& map) const {
  const int cols = options_.grid_cols, rows = options_.grid_rows;
  const int min_run = std::max(2, static_cast<int>(std::ceil(cols * options_.text_run_share)));
  for (int r = 0; r < rows; ++r) {
    int run = 0;
    for (int c = 0; c < cols; ++c) {
      if (map[static_cast<size_t>(r) * cols + c] >= options_.text_cell_density) {
        if (++run >= min_run) return true;
      } else {
        run = 0;
      }
    }
  }
  return false;
}

CaptionChangeDetector::CellBox CaptionChangeDetector::TextCells(
    const std::vector<float>& map) const {
  const int cols = options_.grid_cols, rows = options_.grid_rows;
  CellBox box{cols, 0, rows, 0};
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (map[static_cast<size_t>(r) * cols + c] < options_.text_cell_density) continue;
      box.col0 = std::min(box.col0, c);
      box.col1 = std::max(box.col1, c + 1);
      box.row0 = std::min(box.row0, r);
      box.row1 = std::max(box.row1, r + 1);
    }
  }
  if (box.col1 <= box.col0) return CellBox();
  return {std::max(0, box.col0 - 1), std::min(cols, box.col1 + 1), std::max(0, box.row0 - 1),
          std::min(rows, box.row1 + 1)};
}

void CaptionChangeDetector::Emit(double read_s, const std::vector<float>& map) {
  CaptionChange c;
  c.start_s = pending_start_s_;
  c.read_s = read_s;
  c.text_like = TextLike(map);
  if (c.text_like) {
    // The read budget: at most max_reads_per_minute in any minute.
    auto recent = std::count_if(reads_s_.begin(), reads_s_.end(),
                                [&](double t) { return t > read_s - 60; });
    c.read = recent < options_.max_reads_per_minute;
    if (c.read) reads_s_.push_back(read_s);
  }
  changes_.push_back(c);
  reference_ = map;
  pending_ = false;
  pending_frames_ = 0;
}

void CaptionChangeDetector::Observe(double time_s, const uint8_t* gray, int width, int height,
                                    int stride, int band_top) {
  std::vector<float> map = BandMap(gray, width, height, stride, band_top);
  if (frames_++ == 0) {
    // The band before the video starts is empty.
    reference_.assign(map.size(), 0.0f);
    previous_ = reference_;
  }
  if (pending_) {
    ++pending_frames_;
    if (Distance(previous_, map) <= options_.max_settle) {
      Emit(previous_s_, previous_);
    } else if (pending_frames_ >= options_.max_settle_frames) {
      Emit(time_s, map);
    }
  }
  if (!pending_ && Distance(reference_, map) >= options_.min_change) {
    pending_ = true;
    pending_start_s_ = time_s;
    pending_frames_ = 0;
  }
  previous_ = std::move(map);
  previous_s_ = time_s;
}

void CaptionChangeDetector::Finish() {
  if (pending_) Emit(previous_s_, previous_);
}

namespace {

// Unicode code points of the letters and digits of `s`, lower-cased
// (ASCII), without spaces and punctuation: what OCR reads reliably.
std::vector<uint32_t> Letters(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    uint32_t cp = len == 1 ? c : c & (0xff >> (len + 1));
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    i += len;
    if (cp < 0x80) {
      if (std::isalnum(static_cast<int>(cp))) out.push_back(std::tolower(static_cast<int>(cp)));
    } else if (cp != 0x200c && cp != 0x200d && cp != 0xa0) {  // ZWNJ, ZWJ, NBSP
      out.push_back(cp);
    }
  }
  return out;
}

size_t EditDistance(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

bool SameCaption(const std::string& a, const std::string& b) {
  std::vector<uint32_t> x = Letters(a), y = Letters(b);
  size_t longer = std::max(x.size(), y.size());
  if (longer == 0) return true;
  if (x.empty() || y.empty()) return false;
  // Up to one letter in seven misread.
  return EditDistance(x, y) <= std::max<size_t>(1, longer / 7);
}

std::vector<CaptionCue> CaptionCues(const std::vector<CaptionChange>& changes,
                                    const std::vector<CaptionRead>& reads, double end_s) {
  std::vector<CaptionCue> cues;
  bool open = false;
  for (size_t i = 0; i < changes.size(); ++i) {
    const CaptionRead* r = i < reads.size() ? &reads[i] : nullptr;
    const bool text = r != nullptr && !Letters(r->text).empty();
    const double t = changes[i].start_s;
    if (open && text && SameCaption(cues.back().text, r->text)) {
      // The same caption read again (the picture behind it changed): keep
      // the surer reading.
      if (r->confidence > cues.back().confidence) {
        cues.back().text = r->text;
        cues.back().confidence = r->confidence;
      }
      continue;
    }
    if (open) {
      cues.back().end_s = t;
      open = false;
    }
    if (text) {
      cues.push_back({t, t, r->text, r->confidence});
      open = true;
    }
  }
  if (open) cues.back().end_s = std::max(end_s, cues.back().start_s);
  return cues;
}

namespace {

// Whether a code point is a letter of the scripts captions are read in
// (Latin, Arabic and Persian; not digits, punctuation or marks).
bool IsCaptionLetter(uint32_t cp) {
  if (cp < 0x80) return std::isalpha(static_cast<int>(cp)) != 0;
  return (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
         (cp >= 0x620 && cp <= 0x64a) || (cp >= 0x671 && cp <= 0x6d3);
}

bool IsCaptionDigit(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 0x660 && cp <= 0x669) || (cp >= 0x6f0 && cp <= 0x6f9);
}

}  // namespace

CaptionCharacters CountCaptionCharacters(const std::string& word) {
  CaptionCharacters out;
  for (size_t i = 0; i < word.size();) {
    unsigned char c = static_cast<unsigned char>(word[i]);
    int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
    uint32_t cp = len == 1 ? c : c & (0xff >> (len + 1));
    for (int k = 1; k < len && i + k < word.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(word[i + k]) & 0x3f);
    }
    i += len;
    if (cp == 0x200c || cp == 0x200d || cp == 0x200e || cp == 0x200f) continue;  // joiners, marks
    if (cp <= 0x20) continue;
    ++out.visible;
    out.letters += IsCaptionLetter(cp);
    out.digits += IsCaptionDigit(cp);
  }
  return out;
}

std::vector<OcrWord> CaptionWordsWithoutJunkLines(const std::vector<OcrWord>& words) {
  std::vector<OcrWord> out;
  for (size_t begin = 0; begin < words.size();) {
    size_t end = begin + 1;
    while (end < words.size() && !words[end].starts_line) ++end;
    int letters = 0, digits = 0, visible = 0;
    bool has_word = false;
    for (size_t i = begin; i < end; ++i) {
      CaptionCharacters c = CountCaptionCharacters(words[i].text);
      letters += c.letters;
      digits += c.digits;
      visible += c.visible;
      has_word = has_word || c.letters >= 2;
    }
    if (letters >= 3 && has_word && 3 * letters >= 2 * (visible - digits)) {
      const size_t first = out.size();
      out.insert(out.end(), words.begin() + begin, words.begin() + end);
      out[first].starts_line = true;
    }
    begin = end;
  }
  return out;
}

}  // namespace uncut
