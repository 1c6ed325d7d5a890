#include <cmath>

#include "base/strings.h"
#include "base/utf8.h"
#include "absl/strings/str_format.h"
#include "report/location_text.h"
#include "report/trace_report.h"

namespace uncut {
namespace {

struct Style {
  bool on;
  std::string bold() const { return on ? "\033[1m" : ""; }
  std::string dim() const { return on ? "\033[2m" : ""; }
  std::string red() const { return on ? "\033[31m" : ""; }
  std::string green() const { return on ? "\033[32m" : ""; }
  std::string yellow() const { return on ? "\033[33m" : ""; }
  std::string reset() const { return on ? "\033[0m" : ""; }
};

std::string Clock(double s) {
  if (s < 0) s = 0;
  int ms = static_cast<int>(std::llround(s * 1000));
  int h = ms / 3600000, m = (ms / 60000) % 60, sec = (ms / 1000) % 60, frac = ms % 1000;
  if (h > 0) return absl::StrFormat("%d:%02d:%02d.%03d", h, m, sec, frac);
  return absl::StrFormat("%d:%02d.%03d", m, sec, frac);
}

std::string Span(double a, double b, const std::string& unit) {
  if (unit == "byte") {
    return StrCat("bytes ", static_cast<int64_t>(a), "-", static_cast<int64_t>(b));
  }
  return StrCat(Clock(a), "-", Clock(b));
}

// A picture's match: the frame of a video (its display time), or a picture.
std::string PictureMatch(const SourceMatch& m, const Segment& s) {
  const nlohmann::json p = s.extra.value("picture", nlohmann::json::object());
  std::string out = m.item.kind == "image" ? "the same picture"
                                           : StrCat("frame at ", Span(s.source_start, s.source_end, "s"));
  StrAppend(&out, ", evidence: picture (distance ", p.value("distance", 0), " of 256, ",
            p.value("variant", ""), p.value("mirrored", false) ? ", mirrored" : "", ")");
  if (p.contains("also_at_s") && p["also_at_s"].is_array()) {
    StrAppend(&out, "; also at");
    for (const auto& t : p["also_at_s"]) StrAppend(&out, " ", Clock(t.get<double>()));
  }
  return out;
}

std::string_view VerdictWords(MatchVerdict v) {
  if (v == MatchVerdict::kVerbatimWithOmissions) return "verbatim, with omissions";
  if (v == MatchVerdict::kHeard) {
    return "heard in speech recognition (listen to the recording to confirm)";
  }
  return MatchVerdictName(v);
}

// A context line: its text, or for media without a transcript, where it is.
std::string Context(const SourceInterval& iv, const std::string& unit) {
  if (!iv.text.empty() || unit != "s") return StrCat(IntervalRoleName(iv.role), ": ", iv.text);
  return StrCat(IntervalRoleName(iv.role), ": source ", Span(iv.start, iv.end, unit));
}

}  // namespace

std::string ReportToText(const TraceReport& r, bool color) {
  Style st{color};
  std::string out;
  const std::string& u = r.unit;
  if (r.verdict == TraceVerdict::kNotCompared) {
    StrAppend(&out, st.bold(), "Could not be compared", st.reset(), ": neither the ",
              r.query_kind, "'s picture nor its sound can be fingerprinted, so whether the archive "
              "holds it cannot be told.\n");
  } else if (r.sources.empty() && r.query_kind == "image") {
    StrAppend(&out, st.bold(), "Not found by its look", st.reset(),
              ": no archived video frame or picture looks like this picture.\n");
  } else if (r.sources.empty()) {
    StrAppend(&out, st.bold(), "Not found", st.reset(),
                    ": no archived source contains this ", r.query_kind, ".\n");
  }
  size_t n = 0;
  for (const SourceMatch& m : r.sources) {
    ++n;
    StrAppend(&out, st.bold(), "Source ", n, ": ", m.item.name, st.reset(), "  [item ",
                    m.item.id, ", ", m.item.format, "]\n");
    StrAppend(&out, "  sha256 ", m.item.sha256, "\n");
    if (m.item.meta.title) StrAppend(&out, "  title: ", *m.item.meta.title, "\n");
    if (m.item.meta.source_url) StrAppend(&out, "  url: ", *m.item.meta.source_url, "\n");
    if (m.item.meta.captured_at) {
      StrAppend(&out, "  captured: ", *m.item.meta.captured_at, "\n");
    }
    StrAppend(&out, "  verdict: ", st.bold(), VerdictWords(m.verdict), st.reset(), "\n");
    for (const std::string& note : m.notes) StrAppend(&out, "  note: ", note, "\n");
    for (const SourceInterval& iv : m.intervals) {
      if (iv.role == IntervalRole::kBefore) {
        StrAppend(&out, "  ", st.dim(), Context(iv, u), st.reset(), "\n");
      }
    }
    size_t k = 0;
    for (const Segment& s : m.segments) {
      ++k;
      if (r.query_kind == "image") {
        StrAppend(&out, "  ", st.green(), "match", st.reset(), ": ", PictureMatch(m, s));
        absl::StrAppendFormat(&out, ", confidence %.2f\n", s.confidence);
        continue;
      }
      StrAppend(&out, "  ", st.green(), "segment ", k, st.reset(), ": query ",
                      Span(s.query_start, s.query_end, u), " = source ",
                      Span(s.source_start, s.source_end, u));
      if (s.location) StrAppend(&out, " (", LocationText(*s.location, m.item), ")");
      if (s.verdict != MatchVerdict::kNone) StrAppend(&out, ", ", VerdictWords(s.verdict));
      if (u == "s") {
        StrAppend(&out, ", evidence: ");
        for (size_t i = 0; i < s.evidence.size(); ++i) {
          StrAppend(&out, i ? "+" : "", EvidenceKindName(s.evidence[i]));
        }
        if (std::abs(s.speed - 1.0) > 0.005) absl::StrAppendFormat(&out, ", speed %.3fx", s.speed);
      }
      absl::StrAppendFormat(&out, ", confidence %.2f\n", s.confidence);
      if (s.extra.contains("speech") && s.extra["speech"].is_object()) {
        const nlohmann::json& sp = s.extra["speech"];
        StrAppend(&out, "    ", st.yellow(), "spoken in ",
                  sp["recording"].value("name", std::string()), " [item ",
                  sp["recording"].value("id", int64_t{0}), "] at ", Clock(sp.value("start_s", 0.0)),
                  "-", Clock(sp.value("end_s", 0.0)), st.reset(), "; recognised: \"",
                  sp.value("recognised", std::string()), "\"\n");
      }
      if (s.extra.contains("unconfirmed") && s.extra["unconfirmed"].is_array()) {
        for (const auto& g : s.extra["unconfirmed"]) {
          StrAppend(&out, "    ", st.yellow(), "unconfirmed: query ",
                    Span(g.value("query_start", 0.0), g.value("query_end", 0.0), u),
                    " (no fingerprint could confirm it; the source runs on there without a cut)",
                    st.reset(), "\n");
        }
      }
      if (s.extra.contains("audio") && s.extra["audio"].contains("loudness_only")) {
        for (const auto& g : s.extra["audio"]["loudness_only"]) {
          StrAppend(&out, "    clip ",
                    Span(g.value("query_start", 0.0), g.value("query_end", 0.0), u),
                    " is too quiet to compare sound by sound; it is placed because its loudness "
                    "follows the source's up to the cut\n");
        }
      }
      if (!s.edits.empty()) {
        std::string line;
        for (const TextEdit& e : s.edits) {
          if (e.kind == TextEditKind::kSame) {
            StrAppend(&line, e.source_text, " ");
          } else if (e.kind == TextEditKind::kOmitted) {
            StrAppend(&line, st.yellow(), "[omitted: ", e.source_text, "]", st.reset(), " ");
          } else if (e.kind == TextEditKind::kChanged) {
            StrAppend(&line, st.red(), "[changed: ", e.source_text, " -> ", e.query_text, "]",
                            st.reset(), " ");
          } else {
            StrAppend(&line, st.red(), "[added: ", e.query_text, "]", st.reset(), " ");
          }
        }
        if (!line.empty()) line.pop_back();
        StrAppend(&out, "    \"", line, "\"\n");
      }
    }
    for (const SourceInterval& iv : m.intervals) {
      if (iv.role == IntervalRole::kCut) {
        StrAppend(&out, "  ", st.yellow(), "cut", st.reset(), ": source ",
                        Span(iv.start, iv.end, u), " left out");
        if (!iv.note.empty()) {
          StrAppend(&out, " (", iv.note, ")");
        } else if (u == "s") {
          absl::StrAppendFormat(&out, " (%.2f s)", iv.end - iv.start);
        }
        if (u == "s" && !iv.text.empty()) {
          // What a linked transcript says was spoken there, on the cut's line.
          StrAppend(&out, ": \"", iv.text, "\"\n");
        } else {
          StrAppend(&out, "\n");
          if (!iv.text.empty()) StrAppend(&out, "    ", st.dim(), iv.text, st.reset(), "\n");
        }
      }
    }
    for (const SourceInterval& iv : m.intervals) {
      if (iv.role == IntervalRole::kAfter) {
        StrAppend(&out, "  ", st.dim(), Context(iv, u), st.reset(), "\n");
      }
    }
  }
  for (const QueryGap& g : r.not_in_archive) {
    StrAppend(&out, st.red(), "not in archive", st.reset(), ": query ",
                    Span(g.start, g.end, u));
    if (!g.text.empty()) StrAppend(&out, " \"", g.text, "\"");
    StrAppend(&out, "\n");
  }
  for (const QueryGap& g : r.not_compared) {
    StrAppend(&out, st.yellow(), "could not be compared", st.reset(), ": query ",
              Span(g.start, g.end, u));
    if (!g.reason.empty()) StrAppend(&out, " (", g.reason, ")");
    StrAppend(&out, "\n");
  }
  for (const Indistinguishable& d : r.indistinguishable) {
    StrAppend(&out, st.yellow(), "could not be told apart", st.reset(), ": query ",
              Span(d.start, d.end, u), " matches as well at ", d.places.size(), " places:");
    for (size_t i = 0; i < d.places.size(); ++i) {
      const EqualPlace& p = d.places[i];
      StrAppend(&out, i == 0 ? " " : "; ", p.item.name, " ", Span(p.source_start, p.source_end, u));
    }
    if (!d.reason.empty()) StrAppend(&out, " (", d.reason, ")");
    StrAppend(&out, "\n");
  }
  for (const std::string& w : r.warnings) StrAppend(&out, "warning: ", w, "\n");
  for (const TraceReport& text : r.text_trace) {
    StrAppend(&out, "\n", st.bold(), "Text in the picture", st.reset(), " (read by OCR): \"",
              text.query_text, "\"\n", ReportToText(text, color));
  }
  return ToValidUtf8(out);
}

}  // namespace uncut
