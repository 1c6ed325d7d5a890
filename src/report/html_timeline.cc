#include "report/html_timeline.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "report/html_report.h"
#include "report/summary.h"

namespace uncut {
namespace {

constexpr double kWidth = 1000;
constexpr double kMinMark = 3;  // narrowest visible mark, in view units

const char* const kPalette[] = {"#15803d", "#1d4ed8", "#7e22ce", "#0e7490", "#a16207", "#be185d"};

std::string Num(double v) { return absl::StrFormat("%.1f", v); }

// Maps [lo, hi] of the source onto [x0, x1] of the view.
struct Scale {
  double lo, hi, x0, x1;
  double X(double v) const {
    if (hi <= lo) return x0;
    return x0 + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (x1 - x0);
  }
};

// A rectangle for [a, b], at least kMinMark wide, with a hover title.
std::string Mark(const Scale& s, double a, double b, double y, double h, const std::string& fill,
                 const std::string& cls, const std::string& title) {
  double x = s.X(a), w = s.X(b) - x;
  if (w < kMinMark) {
    x = std::max(s.x0, x + w / 2 - kMinMark / 2);
    w = kMinMark;
  }
  return StrCat("<rect class=\"", cls, "\" x=\"", Num(x), "\" y=\"", Num(y), "\" width=\"", Num(w),
                "\" height=\"", Num(h), "\" fill=\"", fill, "\"><title>", HtmlEscape(title),
                "</title></rect>");
}

std::string Label(double x, double y, const std::string& anchor, const std::string& text,
                  const std::string& cls = "tl-label") {
  return StrCat("<text class=\"", cls, "\" x=\"", Num(x), "\" y=\"", Num(y), "\" text-anchor=\"",
                anchor, "\">", HtmlEscape(text), "</text>");
}

std::string ByteSize(double bytes) {
  if (bytes < 1000) return StrCat(static_cast<int64_t>(bytes), " bytes");
  if (bytes < 1e6) return absl::StrFormat("%.1f kB", bytes / 1e3);
  return absl::StrFormat("%.1f MB", bytes / 1e6);
}

std::string Position(double v, const std::string& unit) {
  if (unit == "s") return ClockTime(v);
  return StrCat("byte ", static_cast<int64_t>(v));
}

std::string SegmentTitle(const Segment& s, size_t k, const std::string& unit) {
  std::string t = StrCat("segment ", k, ": ");
  if (unit == "s") {
    StrAppend(&t, "source ", ClockTime(s.source_start), "–", ClockTime(s.source_end), " = query ",
              ClockTime(s.query_start), "–", ClockTime(s.query_end));
  } else if (s.location) {
    StrAppend(&t, "paragraph ", s.location->paragraph, ", line ", s.location->line, ", bytes ",
              s.location->start_byte, "–", s.location->end_byte);
  } else {
    StrAppend(&t, "bytes ", static_cast<int64_t>(s.source_start), "–",
              static_cast<int64_t>(s.source_end));
  }
  return t;
}

std::string IntervalTitle(const SourceInterval& iv, const std::string& unit) {
  std::string what =
      iv.role == IntervalRole::kCut ? "cut" : StrCat("context ", IntervalRoleName(iv.role));
  std::string t = StrCat(what, ": ", Position(iv.start, unit), " to ", Position(iv.end, unit));
  if (unit == "s") StrAppend(&t, " (", DurationWords(iv.end - iv.start), ")");
  if (!iv.note.empty()) StrAppend(&t, ", ", iv.note);
  return t;
}

std::string CutLabel(const SourceInterval& iv, const std::string& unit) {
  if (unit == "s") return StrCat("✂ ", DurationWords(iv.end - iv.start));
  if (!iv.note.empty()) return StrCat("✂ ", iv.note);
  return "✂ cut";
}

// Draws every interval and segment of `m` on one bar.
std::string Bar(const SourceMatch& m, const std::string& unit, const Scale& s, double y, double h,
                const std::string& hatch, bool labels) {
  std::string out;
  out += StrCat("<rect class=\"tl-track\" x=\"", Num(s.x0), "\" y=\"", Num(y), "\" width=\"",
                Num(s.x1 - s.x0), "\" height=\"", Num(h), "\" rx=\"3\"/>");
  for (const SourceInterval& iv : m.intervals) {
    bool cut = iv.role == IntervalRole::kCut;
    out += Mark(s, iv.start, iv.end, y, h, cut ? StrCat("url(#", hatch, ")") : "#cbd5e1",
                cut ? "tl-cut" : "tl-context", IntervalTitle(iv, unit));
    if (labels && cut && s.X(iv.end) - s.X(iv.start) > 90) {
      out += Label((s.X(iv.start) + s.X(iv.end)) / 2, y + h + 14, "middle", CutLabel(iv, unit),
                   "tl-label tl-cut-label");
    }
  }
  for (size_t k = 0; k < m.segments.size(); ++k) {
    const Segment& seg = m.segments[k];
    out += Mark(s, seg.source_start, seg.source_end, y, h, "var(--seg)", "tl-seg",
                SegmentTitle(seg, k + 1, unit));
    if (labels) {
      double mid = (s.X(seg.source_start) + s.X(seg.source_end)) / 2;
      out += Label(mid, y - 4, "middle", StrCat(k + 1), "tl-label tl-seg-label");
    }
  }
  return out;
}

}  // namespace

const char* SourceColour(size_t index) { return kPalette[index % std::size(kPalette)]; }

double SourceExtent(const SourceMatch& m, const std::string& unit) {
  double extent = 0;
  if (unit == "s") {
    for (const char* key : {"duration_s", "duration"}) {
      auto it = m.item.info.find(key);
      if (it != m.item.info.end() && it->is_number()) extent = it->get<double>();
      if (extent > 0) break;
    }
  } else {
    extent = static_cast<double>(m.item.size);
  }
  for (const Segment& s : m.segments) extent = std::max(extent, s.source_end);
  for (const SourceInterval& iv : m.intervals) extent = std::max(extent, iv.end);
  return extent;
}

std::string SourceTimelineSvg(const SourceMatch& m, const std::string& unit, size_t index) {
  double extent = SourceExtent(m, unit);
  if (extent <= 0) return "";  // a picture: no time line to draw
  double lo = extent, hi = 0;
  for (const Segment& s : m.segments) {
    lo = std::min(lo, s.source_start);
    hi = std::max(hi, s.source_end);
  }
  for (const SourceInterval& iv : m.intervals) {
    lo = std::min(lo, iv.start);
    hi = std::max(hi, iv.end);
  }
  bool zoom = hi > lo && extent > 0 && (hi - lo) < 0.4 * extent;
  double height = zoom ? 122 : 62;
  std::string hatch = StrCat("cut-hatch-", index);
  std::string out = StrCat(
      "<svg class=\"timeline\" viewBox=\"0 0 ", Num(kWidth), " ", Num(height),
      "\" role=\"img\" style=\"--seg:", SourceColour(index), "\" aria-label=\"",
      HtmlEscape(StrCat("Timeline of ", m.item.name, ": ", m.segments.size(), " matched segments")),
      "\"><defs><pattern id=\"", hatch,
      "\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><rect width=\"7\" height=\"7\" fill=\"#fde68a\"/>"
      "<rect width=\"3\" height=\"7\" fill=\"#d97706\"/></pattern></defs>");
  Scale whole{0, extent, 10, kWidth - 10};
  out += Bar(m, unit, whole, 20, 16, hatch, !zoom);
  std::string end_label = unit == "s" ? ClockTime(extent) : StrCat("end (", ByteSize(extent), ")");
  out += Label(whole.x0, 52, "start", unit == "s" ? "0:00" : "start");
  out += Label(whole.x1, 52, "end", end_label);
  if (zoom) {
    double pad = (hi - lo) * 0.03;
    Scale part{std::max(0.0, lo - pad), std::min(extent, hi + pad), 10, kWidth - 10};
    out += StrCat("<path class=\"tl-zoom\" d=\"M", Num(whole.X(part.lo)), " 37 L", Num(part.x0),
                  " 74 M", Num(whole.X(part.hi)), " 37 L", Num(part.x1), " 74\"/>");
    out += Bar(m, unit, part, 74, 20, hatch, true);
    out += Label(part.x0, 116, "start", Position(part.lo, unit));
    out += Label(part.x1, 116, "end", Position(part.hi, unit));
  }
  out += "</svg>";
  return out;
}

std::string QueryTimelineSvg(const TraceReport& r) {
  if (r.query_length <= 0) return "";
  Scale s{0, r.query_length, 10, kWidth - 10};
  std::string what = r.unit == "s" ? "clip" : "extract";
  std::string out = StrCat(
      "<svg class=\"timeline\" viewBox=\"0 0 1000 62\" role=\"img\" "
      "aria-label=\"",
      HtmlEscape(StrCat("Timeline of the ", what)), "\">");
  out +=
      StrCat("<rect class=\"tl-track\" x=\"10\" y=\"20\" width=\"980\" height=\"16\" rx=\"3\"/>");
  for (size_t i = 0; i < r.sources.size(); ++i) {
    const SourceMatch& m = r.sources[i];
    for (size_t k = 0; k < m.segments.size(); ++k) {
      const Segment& seg = m.segments[k];
      std::string title = StrCat(what, " ", Position(seg.query_start, r.unit), " to ",
                                 Position(seg.query_end, r.unit), ": source ", i + 1, " (",
                                 m.item.name, "), segment ", k + 1);
      out += Mark(s, seg.query_start, seg.query_end, 20, 16, SourceColour(i), "tl-seg", title);
      double mid = (s.X(seg.query_start) + s.X(seg.query_end)) / 2;
      out += Label(mid, 16, "middle", StrCat(i + 1, ".", k + 1), "tl-label tl-seg-label");
    }
  }
  for (const QueryGap& g : r.not_in_archive) {
    out += Mark(
        s, g.start, g.end, 20, 16, "#dc2626", "tl-gap",
        StrCat("not in the archive: ", Position(g.start, r.unit), " to ", Position(g.end, r.unit)));
  }
  for (const QueryGap& g : r.not_compared) {
    out += Mark(s, g.start, g.end, 20, 16, "#94a3b8", "tl-unknown",
                StrCat("could not be compared: ", Position(g.start, r.unit), " to ",
                       Position(g.end, r.unit)));
  }
  out += Label(10, 52, "start", r.unit == "s" ? "0:00" : "start");
  out += Label(
      990, 52, "end",
      r.unit == "s" ? ClockTime(r.query_length) : StrCat("end (", ByteSize(r.query_length), ")"));
  out += "</svg>";
  return out;
}

}  // namespace uncut
