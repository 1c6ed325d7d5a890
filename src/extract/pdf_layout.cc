#include "extract/pdf_layout.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "base/strings.h"

namespace uncut {
namespace {

struct Line {
  std::string text;
  double top = 0, bottom = 0, left = 0, right = 0;
};

std::vector<Line> PageLines(const PdfPage& page) {
  std::vector<Line> lines;
  const PdfWord* prev = nullptr;
  for (const PdfWord& w : page.words) {
    if (w.text.empty()) continue;
    bool same_line = false;
    if (!lines.empty() && prev != nullptr) {
      const Line& l = lines.back();
      double overlap = std::min(l.bottom, w.y1) - std::max(l.top, w.y0);
      double h = std::min(l.bottom - l.top, w.y1 - w.y0);
      same_line = h > 0 ? overlap >= 0.5 * h : std::abs(l.bottom - w.y1) < 1;
      if (same_line && w.x0 + 1 < prev->x0) same_line = false;  // wrapped back to the left
    }
    if (!same_line) {
      lines.push_back({"", w.y0, w.y1, w.x0, w.x1});
    } else {
      Line& l = lines.back();
      // A space where poppler saw one, or where the words stand apart.
      if (prev->space_after || w.x0 - prev->x1 > 0.25 * (w.y1 - w.y0)) l.text.push_back(' ');
      l.top = std::min(l.top, w.y0);
      l.bottom = std::max(l.bottom, w.y1);
      l.right = std::max(l.right, w.x1);
    }
    lines.back().text += w.text;
    prev = &w;
  }
  return lines;
}

// The key two running lines share: lower case, digits as '#', single spaces.
std::string RunningKey(std::string_view s) {
  std::string k;
  for (char c : s) {
    unsigned char u = c;
    if (absl::ascii_isdigit(u)) {
      if (k.empty() || k.back() != '#') k.push_back('#');
    } else if (absl::ascii_isspace(u)) {
      if (!k.empty() && k.back() != ' ') k.push_back(' ');
    } else {
      k.push_back(absl::ascii_tolower(u));
    }
  }
  while (!k.empty() && k.back() == ' ') k.pop_back();
  return k;
}

// "12", "- 12 -", "page 3", "page 3 of 10", "3 / 10".
bool IsPageNumber(std::string_view s) {
  std::string k = RunningKey(s);
  for (std::string_view p : {"#", "- # -", "-#-", "page #", "page # of #", "# of #", "# / #", "#/#",
                             "[#]", "(#)"}) {
    if (k == p) return true;
  }
  return false;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

bool EndsWithHyphenAfterLetter(const std::string& t) {
  if (t.size() < 2 || t.back() != '-') return false;
  unsigned char before = t[t.size() - 2];
  return absl::ascii_isalpha(before) || before >= 0x80;
}

bool StartsLowercase(const std::string& t) {
  if (t.empty()) return false;
  unsigned char c = t[0];
  if (c < 0x80) return absl::ascii_islower(c);
  // Two-byte Latin lower-case letters (U+00DF..U+00FF, U+0100.. odd) are
  // common enough; anything else is not joined.
  return c == 0xc3 && t.size() > 1 && static_cast<unsigned char>(t[1]) >= 0x9f;
}

}  // namespace

PdfText LayOutPdf(const std::vector<PdfPage>& pages) {
  PdfText out;
  std::vector<std::vector<Line>> lines(pages.size());
  for (size_t p = 0; p < pages.size(); ++p) lines[p] = PageLines(pages[p]);

  // Running headers and footers: among the two lines nearest the top and the
  // bottom of each page.
  constexpr size_t kEdge = 2;
  auto edge_indexes = [&](size_t p) {
    std::vector<size_t> idx(lines[p].size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(),
              [&](size_t a, size_t b) { return lines[p][a].top < lines[p][b].top; });
    std::set<size_t> edge;
    for (size_t i = 0; i < idx.size() && i < kEdge; ++i) edge.insert(idx[i]);
    for (size_t i = 0; i < idx.size() && i < kEdge; ++i) edge.insert(idx[idx.size() - 1 - i]);
    return edge;
  };
  std::map<std::string, int> pages_with;
  std::vector<std::set<size_t>> edges(pages.size());
  for (size_t p = 0; p < pages.size(); ++p) {
    edges[p] = edge_indexes(p);
    std::set<std::string> keys;
    for (size_t i : edges[p]) keys.insert(RunningKey(lines[p][i].text));
    for (const std::string& k : keys) ++pages_with[k];
  }
  const int n = static_cast<int>(pages.size());
  const int threshold = std::max(2, (n + 1) / 2);
  // A line repeated at the edge of most pages is running only where the
  // pages hold other text too: in a document of one line per page (a slide
  // title, a form), the repeated line is the content.
  std::set<std::string> repeated;
  if (n >= 3) {
    for (const auto& [key, count] : pages_with) {
      if (count >= threshold) repeated.insert(key);
    }
  }
  std::map<std::string, int> pages_with_other_text;
  for (size_t p = 0; p < pages.size(); ++p) {
    bool other = false;
    for (const Line& l : lines[p]) {
      other = other || (!repeated.count(RunningKey(l.text)) && !IsPageNumber(l.text));
    }
    if (!other) continue;
    std::set<std::string> keys;
    for (size_t i : edges[p]) keys.insert(RunningKey(lines[p][i].text));
    for (const std::string& k : keys) pages_with_other_text[k] += repeated.count(k);
  }
  std::vector<std::vector<bool>> dropped(pages.size());
  bool kept_any = false;
  for (size_t p = 0; p < pages.size(); ++p) {
    dropped[p].assign(lines[p].size(), false);
    for (size_t i : edges[p]) {
      const std::string& t = lines[p][i].text;
      dropped[p][i] = pages_with_other_text[RunningKey(t)] >= threshold ||
                      (n >= 2 && IsPageNumber(t));
    }
    for (size_t i = 0; i < lines[p].size(); ++i) kept_any = kept_any || !dropped[p][i];
  }
  // Never drop everything: a document of page numbers alone keeps them.
  std::set<std::string> reported;
  for (size_t p = 0; p < pages.size(); ++p) {
    for (size_t i = 0; i < lines[p].size(); ++i) {
      if (!kept_any) dropped[p][i] = false;
      if (dropped[p][i] && reported.insert(RunningKey(lines[p][i].text)).second) {
        out.dropped_lines.push_back(lines[p][i].text);
      }
    }
  }

  std::string& text = out.text.text;
  bool paragraph_open = false;
  for (size_t p = 0; p < pages.size(); ++p) {
    std::vector<double> heights, lefts, rights;
    for (size_t i = 0; i < lines[p].size(); ++i) {
      if (dropped[p][i]) continue;
      heights.push_back(lines[p][i].bottom - lines[p][i].top);
      lefts.push_back(lines[p][i].left);
      rights.push_back(lines[p][i].right);
    }
    double h = std::max(1.0, Median(heights));
    double margin = Median(lefts), measure = Median(rights);
    bool anchored = false;
    const Line* prev = nullptr;
    for (size_t i = 0; i < lines[p].size(); ++i) {
      if (dropped[p][i]) continue;
      const Line& l = lines[p][i];
      int brk = 0;  // 0 = none yet, 1 = line, 2 = paragraph
      if (paragraph_open) {
        brk = 1;
        if (prev != nullptr) {
          double gap = l.top - prev->bottom;
          if (gap > 0.8 * h || l.bottom < prev->top) brk = 2;  // a gap, or a new column
          // An indented first line after a line that stops short.
          bool indented = l.left > margin + 0.8 * h;
          bool short_before = prev->right < measure - 2.0 * h;
          if (indented && (short_before || prev->left <= margin + 0.8 * h)) brk = 2;
        }
      }
      if (!anchored) {
        // Anchor after any hyphen join, at the first character of the page.
        anchored = true;
        if (brk > 0 && EndsWithHyphenAfterLetter(text) && StartsLowercase(l.text)) {
          text.pop_back();
          ++out.hyphens_joined;
          out.text.anchors.push_back({text.size(), "page", static_cast<int>(p + 1)});
          text += l.text;
          prev = &l;
          continue;
        }
        if (brk > 0) text += brk == 2 ? "\n\n" : "\n";
        out.text.anchors.push_back({text.size(), "page", static_cast<int>(p + 1)});
        text += l.text;
        paragraph_open = true;
        prev = &l;
        continue;
      }
      if (brk == 1 && EndsWithHyphenAfterLetter(text) && StartsLowercase(l.text)) {
        text.pop_back();
        ++out.hyphens_joined;
      } else if (brk > 0) {
        text += brk == 2 ? "\n\n" : "\n";
      }
      text += l.text;
      paragraph_open = true;
      prev = &l;
    }
    if (!anchored) out.text.anchors.push_back({text.size(), "page", static_cast<int>(p + 1)});
  }
  out.text.map = OffsetMap::Identity(text.size());
  return out;
}

}  // namespace uncut
