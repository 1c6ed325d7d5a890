#include "report/html_passage.h"

#include <algorithm>

#include "base/strings.h"
#include "report/html_report.h"

namespace uncut {
namespace {

std::string SegmentHtml(const Segment& s, size_t number) {
  std::string out = StrCat("<span class=\"seg\"><span class=\"lbl\">", number, "</span>");
  if (s.edits.empty()) {
    StrAppend(&out, "<mark>", HtmlEscape(s.source_text.empty() ? s.query_text : s.source_text),
              "</mark>");
  }
  bool first = true;
  for (const TextEdit& e : s.edits) {
    if (!first) out += " ";
    first = false;
    if (e.kind == TextEditKind::kSame) {
      StrAppend(&out, "<mark>", HtmlEscape(e.source_text), "</mark>");
    } else if (e.kind == TextEditKind::kOmitted) {
      StrAppend(&out, "<del class=\"omit\" title=\"in the source, left out of the extract\">",
                HtmlEscape(e.source_text), "</del>");
    } else if (e.kind == TextEditKind::kChanged) {
      StrAppend(&out, "<del class=\"chg\" title=\"the source says\">", HtmlEscape(e.source_text),
                "</del> <ins class=\"chg\" title=\"the extract says\">", HtmlEscape(e.query_text),
                "</ins>");
    } else {
      StrAppend(&out, "<ins class=\"add\" title=\"in the extract, not in the source\">",
                HtmlEscape(e.query_text), "</ins>");
    }
  }
  out += "</span>";
  return out;
}

std::string IntervalHtml(const SourceInterval& iv) {
  if (iv.role == IntervalRole::kCut) {
    std::string label = iv.note.empty() ? "cut" : iv.note;
    return StrCat("<span class=\"cut\"><b>✂ ", HtmlEscape(label), ":</b> ", HtmlEscape(iv.text),
                  "</span>");
  }
  return StrCat("<span class=\"ctx\">", HtmlEscape(iv.text), "</span>");
}

}  // namespace

std::string TextPassageHtml(const SourceMatch& m) {
  // Everything shown, in source order; segment numbers stay in query order.
  struct Piece {
    double start;
    int rank;  // before < segment/cut < after at equal starts
    std::string html;
  };
  std::vector<Piece> pieces;
  for (size_t k = 0; k < m.segments.size(); ++k) {
    pieces.push_back({m.segments[k].source_start, 1, SegmentHtml(m.segments[k], k + 1)});
  }
  for (const SourceInterval& iv : m.intervals) {
    int rank = iv.role == IntervalRole::kBefore ? 0 : iv.role == IntervalRole::kAfter ? 2 : 1;
    pieces.push_back({iv.start, rank, IntervalHtml(iv)});
  }
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    return a.start != b.start ? a.start < b.start : a.rank < b.rank;
  });
  std::string out = "<div class=\"passage\">";
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) out += " ";
    out += pieces[i].html;
  }
  out += "</div>";
  return out;
}

}  // namespace uncut
