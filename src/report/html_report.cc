#include "report/html_report.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "report/html_passage.h"
#include "report/html_style.h"
#include "report/html_timeline.h"
#include "report/location_text.h"
#include "report/summary.h"

namespace uncut {
namespace {

// Scripts, frames, plugins and every fetch are forbidden; only inline
// styles and data: images may load.
constexpr char kCsp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'";

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string_view VerdictWords(TraceVerdict v) {
  if (v == TraceVerdict::kFound) return "Found";
  if (v == TraceVerdict::kPartlyFound) return "Partly found";
  if (v == TraceVerdict::kNotFound) return "Not found";
  if (v == TraceVerdict::kNotCompared) return "Could not be compared";
  return TraceVerdictName(v);
}

std::string_view VerdictWords(MatchVerdict v) {
  if (v == MatchVerdict::kVerbatimWithOmissions) return "verbatim, with omissions";
  return MatchVerdictName(v);
}

std::string Pill(std::string_view verdict, std::string_view words) {
  return StrCat("<span class=\"pill ", E(verdict), "\">", E(words), "</span>");
}

std::string Pill(TraceVerdict v) { return Pill(TraceVerdictName(v), VerdictWords(v)); }
std::string Pill(MatchVerdict v) { return Pill(MatchVerdictName(v), VerdictWords(v)); }

bool IsWebUrl(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

std::string UrlHtml(const std::string& url) {
  if (!IsWebUrl(url)) return StrCat("<code>", E(url), "</code>");
  return StrCat("<a class=\"external\" rel=\"noopener noreferrer nofollow\" href=\"", E(url), "\">",
                E(url), "</a>");
}

std::string Place(double v, const std::string& unit) {
  if (unit == "s") return ClockTime(v);
  return StrCat(static_cast<int64_t>(std::llround(v)));
}

std::string Head(const TraceReport& r) {
  std::string what = QueryNoun(r);
  return StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"",
      kCsp, "\"><meta name=\"referrer\" content=\"no-referrer\"><title>uncut: where the ", what,
      " comes from</title><style>", kReportCss, "</style></head><body><main>");
}

std::string Header(const TraceReport& r) {
  std::string what = QueryNoun(r);
  std::string out = StrCat("<header><p class=\"kicker\">uncut trace report · ", E(r.traced_at),
                           "</p><h1>Where the ", what, " comes from ", Pill(r.verdict), "</h1>");
  if (!r.query_name.empty()) StrAppend(&out, "<p class=\"meta\">", E(r.query_name), "</p>");
  return out + "</header>";
}

std::string Summary(const TraceReport& r) {
  SummaryMarkup mk{[](std::string_view s) { return HtmlEscape(s); },
                   [](std::string_view s) { return StrCat("<code>", HtmlEscape(s), "</code>"); },
                   [](std::string_view s) { return StrCat("“", HtmlEscape(s), "”"); }};
  std::string out =
      StrCat("<section class=\"summary ", E(TraceVerdictName(r.verdict)), "\" id=\"summary\">");
  for (const std::string& s : SummarizeTrace(r, mk)) StrAppend(&out, "<p>", s, "</p>");
  out += "</section>";
  if (!r.warnings.empty()) {
    out += "<section class=\"warnings\"><ul>";
    for (const std::string& w : r.warnings) StrAppend(&out, "<li>", E(w), "</li>");
    out += "</ul></section>";
  }
  return out;
}

// Stretches the picture matches as well at several places, each with them.
std::string IndistinguishableList(const TraceReport& r) {
  if (r.indistinguishable.empty()) return "";
  std::string out = "<h3>Could not be told apart</h3><ul>";
  for (const Indistinguishable& d : r.indistinguishable) {
    StrAppend(&out, "<li>", E(Place(d.start, r.unit)), "–", E(Place(d.end, r.unit)),
              " matches as well at ", d.places.size(), " places:");
    for (size_t i = 0; i < d.places.size(); ++i) {
      const EqualPlace& p = d.places[i];
      StrAppend(&out, i == 0 ? " " : "; ", "<code>", E(p.item.name), "</code> ",
                E(Place(p.source_start, r.unit)), "–", E(Place(p.source_end, r.unit)));
    }
    if (!d.reason.empty()) StrAppend(&out, " (", E(d.reason), ")");
    out += "</li>";
  }
  return out + "</ul>";
}

std::string QuerySection(const TraceReport& r) {
  if (r.sources.empty() && r.not_in_archive.empty() && r.not_compared.empty()) return "";
  std::string what = QueryNoun(r);
  std::string out = StrCat("<section class=\"card\" id=\"query\"><h2>The ", what,
                           ", part by part</h2>", QueryTimelineSvg(r), "<p class=\"legend\">");
  for (size_t i = 0; i < r.sources.size(); ++i) {
    StrAppend(&out, "<span><i class=\"sw seg\" style=\"--seg:", SourceColour(i), "\"></i>",
              "source ", i + 1, ": <code>", E(r.sources[i].item.name), "</code></span>");
  }
  if (!r.not_in_archive.empty())
    out += "<span><i class=\"sw gap\"></i>in no archived source</span>";
  if (!r.not_compared.empty())
    out += "<span><i class=\"sw unknown\"></i>could not be compared</span>";
  out += "</p>";
  if (!r.not_in_archive.empty()) {
    out += "<h3>Not in the archive</h3><ul>";
    for (const QueryGap& g : r.not_in_archive) {
      StrAppend(&out, "<li>", E(Place(g.start, r.unit)), "–", E(Place(g.end, r.unit)));
      if (!g.text.empty()) StrAppend(&out, ": “", E(g.text), "”");
      out += "</li>";
    }
    out += "</ul>";
  }
  if (!r.not_compared.empty()) {
    out += "<h3>Could not be compared</h3><ul>";
    for (const QueryGap& g : r.not_compared) {
      StrAppend(&out, "<li>", E(Place(g.start, r.unit)), "–", E(Place(g.end, r.unit)));
      if (!g.reason.empty()) StrAppend(&out, ": ", E(g.reason));
      out += "</li>";
    }
    out += "</ul>";
  }
  out += IndistinguishableList(r);
  return out + "</section>";
}

std::string Legend() {
  return "<p class=\"legend\"><span><i class=\"sw seg\"></i>matched</span><span><i "
         "class=\"sw cut\"></i>cut</span><span><i class=\"sw ctx\"></i>context</span></p>";
}

std::string TextSegmentsTable(const SourceMatch& m) {
  std::string out =
      "<h3>Matched segments</h3><div class=\"table-wrap\"><table><tr><th>#</th><th>extract "
      "bytes</th><th>source bytes</th><th>where</th><th>verdict</th><th>confidence</th></tr>";
  for (size_t k = 0; k < m.segments.size(); ++k) {
    const Segment& s = m.segments[k];
    StrAppend(&out, "<tr><td>", k + 1, "</td><td>", Place(s.query_start, "byte"), "–",
              Place(s.query_end, "byte"), "</td><td>", Place(s.source_start, "byte"), "–",
              Place(s.source_end, "byte"), "</td><td>", s.location ? E(LocationText(*s.location, m.item)) : "",
              "</td><td>", E(VerdictWords(s.verdict)), "</td><td>",
              absl::StrFormat("%.2f", s.confidence), "</td></tr>");
  }
  return out + "</table></div>";
}

std::string MediaSegmentsTable(const SourceMatch& m, const std::string& what) {
  std::string out =
      StrCat("<h3>Matched segments</h3><div class=\"table-wrap\"><table><tr><th>#</th><th>", what,
             "</th><th>source</th><th>speed</th><th>evidence</th><th>confidence</th></tr>");
  for (size_t k = 0; k < m.segments.size(); ++k) {
    const Segment& s = m.segments[k];
    std::string evidence;
    for (size_t i = 0; i < s.evidence.size(); ++i)
      StrAppend(&evidence, i ? " + " : "", EvidenceKindName(s.evidence[i]));
    StrAppend(&out, "<tr><td>", k + 1, "</td><td>", ClockTime(s.query_start), "–",
              ClockTime(s.query_end), "</td><td>", ClockTime(s.source_start), "–",
              ClockTime(s.source_end), "</td><td>", absl::StrFormat("%.2f×", s.speed), "</td><td>",
              E(evidence), "</td><td>", absl::StrFormat("%.2f", s.confidence), "</td></tr>");
  }
  return out + "</table></div>";
}

std::string CutsTable(const SourceMatch& m, const std::string& unit) {
  std::string rows;
  for (const SourceInterval& iv : m.intervals) {
    if (iv.role != IntervalRole::kCut) continue;
    std::string span = unit == "s"
                           ? StrCat(ClockTime(iv.start), "–", ClockTime(iv.end), " (",
                                    DurationWords(iv.end - iv.start), ")")
                           : StrCat("bytes ", Place(iv.start, unit), "–", Place(iv.end, unit));
    if (iv.location) StrAppend(&span, "; ", LocationText(*iv.location, m.item));
    StrAppend(&rows, "<tr><td>", E(span), "</td><td>", E(iv.note), "</td><td class=\"text\">",
              iv.text.empty() ? "<i>no text for this part</i>" : E(iv.text), "</td></tr>");
  }
  if (rows.empty()) return "";
  return StrCat(
      "<h3>What was cut</h3><div class=\"table-wrap\"><table><tr><th>where in the "
      "source</th><th></th><th>what it says</th></tr>",
      rows, "</table></div>");
}

// What a media source's transcript says just before and after the clip.
std::string SpokenContextTable(const SourceMatch& m) {
  std::string rows;
  for (const SourceInterval& iv : m.intervals) {
    if ((iv.role != IntervalRole::kBefore && iv.role != IntervalRole::kAfter) || iv.text.empty()) {
      continue;
    }
    StrAppend(&rows, "<tr><td>", iv.role == IntervalRole::kBefore ? "just before" : "just after",
              "</td><td>",
              E(StrCat(ClockTime(iv.start), "–", ClockTime(iv.end))), "</td><td class=\"text\">",
              E(iv.text), "</td></tr>");
  }
  if (rows.empty()) return "";
  return StrCat(
      "<h3>Said around the clip</h3><div class=\"table-wrap\"><table><tr><th></th><th>where in "
      "the source</th><th>what it says</th></tr>",
      rows, "</table></div>");
}

bool LooksLikeJpeg(const std::string& b) {
  return b.size() > 3 && static_cast<unsigned char>(b[0]) == 0xff &&
         static_cast<unsigned char>(b[1]) == 0xd8;
}

std::string Figure(const std::string& jpeg, const std::string& caption) {
  if (!LooksLikeJpeg(jpeg)) {
    return StrCat("<figure><figcaption>", E(caption), ": no frame</figcaption></figure>");
  }
  std::string b64;
  absl::Base64Escape(jpeg, &b64);
  return StrCat("<figure><img alt=\"", E(caption), "\" src=\"data:image/jpeg;base64,", b64,
                "\"><figcaption>", E(caption), "</figcaption></figure>");
}

std::string FramesHtml(const SourceMatch& m, const std::string& what) {
  if (m.boundary_frames.empty()) return "";
  std::string out = StrCat("<h3>Frames at each boundary</h3>");
  for (const BoundaryFrame& f : m.boundary_frames) {
    StrAppend(&out, "<div class=\"frames\">",
              Figure(f.query_jpeg, StrCat("The ", what, " at ", ClockTime(f.query_time_s))),
              Figure(f.source_jpeg, StrCat("The source at ", ClockTime(f.source_time_s))),
              "</div>");
  }
  return out;
}

// Where a quote was heard in a recording (segments with details.speech):
// the time links to the archived original at that time (a Media Fragments
// URI, #t=start,end, played by the browser from `uncut serve`).
std::string SpeechHtml(const SourceMatch& m) {
  std::string out;
  for (const Segment& s : m.segments) {
    if (!s.extra.contains("speech") || !s.extra["speech"].is_object()) continue;
    const nlohmann::json& sp = s.extra["speech"];
    const nlohmann::json& rec = sp.value("recording", nlohmann::json::object());
    int64_t id = rec.value("id", int64_t{0});
    double a = sp.value("start_s", 0.0), b = sp.value("end_s", 0.0);
    StrAppend(&out, "<p class=\"speech\"><b>Heard in</b> <code>",
              E(rec.value("name", std::string())), "</code> (item ", id, ") at <a href=\"/api/items/",
              id, "/original#t=", absl::StrFormat("%.2f,%.2f", a, b), "\">", E(ClockTime(a)), "–",
              E(ClockTime(b)), "</a> (plays the archived recording there, from <code>uncut serve</code>)",
              ": matched against machine speech recognition; listen before quoting. Recognised: “",
              E(sp.value("recognised", std::string())), "”</p>");
  }
  return out;
}

// `id_prefix` keeps the ids of a picture's own sources and of the sources of
// the text it shows apart ("source-1", "text-source-1").
std::string SourceSection(const TraceReport& r, const SourceMatch& m, size_t i,
                          const std::string& id_prefix = "") {
  const Item& it = m.item;
  std::string out = StrCat("<section class=\"card source\" id=\"", id_prefix, "source-", i + 1,
                           "\" style=\"--seg:", SourceColour(i), "\"><h2>Source ", i + 1,
                           ": <code>", E(it.name), "</code> ", Pill(m.verdict), "</h2>");
  std::string meta;
  if (it.meta.title) StrAppend(&meta, E(*it.meta.title), " · ");
  if (it.meta.source_url) StrAppend(&meta, UrlHtml(*it.meta.source_url), " · ");
  if (it.meta.captured_at) StrAppend(&meta, "captured ", E(*it.meta.captured_at), " · ");
  StrAppend(&meta, "item ", it.id, " · ", E(it.format));
  StrAppend(&out, "<p class=\"meta\">", meta, "</p>", SourceTimelineSvg(m, r.unit, i), Legend());
  for (const std::string& n : m.notes) StrAppend(&out, "<p><b>Note:</b> ", E(n), "</p>");
  out += SpeechHtml(m);
  if (r.unit == "s") {
    std::string what = QueryNoun(r);
    out += MediaSegmentsTable(m, what);
    out += FramesHtml(m, what);
  } else {
    out += "<h3>The source passage</h3>";
    out +=
        "<p class=\"key\"><mark>words of the extract</mark> · <del class=\"omit\">left out"
        "</del> · <del class=\"chg\">as the source has it</del> <ins>as the extract has it"
        "</ins> · <ins>added</ins> · grey: context</p>";
    out += TextPassageHtml(m);
    out += TextSegmentsTable(m);
  }
  out += CutsTable(m, r.unit);
  if (r.unit == "s") out += SpokenContextTable(m);
  return out + "</section>";
}

// A picture's text, read by OCR, and where that text was traced: the words
// as read, a plain-language summary, and each source as a quote's report has it.
std::string PictureTextSection(const TraceReport& r) {
  std::string out;
  for (const TraceReport& text : r.text_trace) {
    SummaryMarkup mk{[](std::string_view s) { return HtmlEscape(s); },
                     [](std::string_view s) { return StrCat("<code>", HtmlEscape(s), "</code>"); },
                     [](std::string_view s) { return StrCat("“", HtmlEscape(s), "”"); }};
    StrAppend(&out, "<section class=\"card\" id=\"picture-text\"><h2>Text in the picture ",
              Pill(text.verdict), "</h2><p class=\"meta\">Read by OCR: check the words against "
              "the picture before quoting them.</p><pre>", E(text.query_text), "</pre>");
    for (const std::string& s : SummarizeTrace(text, mk)) StrAppend(&out, "<p>", s, "</p>");
    out += "</section>";
    for (size_t i = 0; i < text.sources.size(); ++i) {
      out += SourceSection(text, text.sources[i], i, "text-");
    }
  }
  return out;
}

std::string Row(const std::string& term, const std::string& html) {
  return StrCat("<dt>", E(term), "</dt><dd>", html, "</dd>");
}

std::string Evidence(const TraceReport& r, const HtmlReportOptions& o) {
  std::string what = QueryNoun(r);
  std::string out =
      "<section class=\"card\" id=\"evidence\"><h2>Evidence</h2><dl class=\"evidence\">";
  out += Row(StrCat("SHA-256 of the ", what), StrCat("<code>", E(r.query_sha256), "</code>"));
  std::string length = r.query_kind == "image" ? ""
                       : r.unit == "s"          ? DurationWords(r.query_length)
                                       : StrCat(static_cast<int64_t>(r.query_length), " bytes");
  std::string described = E(r.query_kind);
  if (!length.empty()) StrAppend(&described, ", ", E(length));
  if (!r.query_name.empty()) StrAppend(&described, ", ", E(r.query_name));
  out += Row(StrCat("The ", what), described);
  out += Row("Traced at", E(r.traced_at));
  out += Row("Time taken", E(absl::StrFormat("%.1f ms", r.elapsed_ms)));
  out += Row("uncut version", StrCat("<code>", E(o.uncut_version), "</code>"));
  out += Row("Parameters", StrCat("<code>", E(r.parameters.dump()), "</code>"));
  out += "</dl>";
  if (!r.sources.empty()) {
    out +=
        "<h3>Sources</h3><div class=\"table-wrap\"><table><tr><th>#</th><th>item</th>"
        "<th>SHA-256</th><th>size</th><th>source URL</th><th>captured</th><th>archived</th></tr>";
    for (size_t i = 0; i < r.sources.size(); ++i) {
      const Item& it = r.sources[i].item;
      StrAppend(&out, "<tr><td>", i + 1, "</td><td>", it.id, " <code>", E(it.name),
                "</code></td><td><code>", E(it.sha256), "</code></td><td>", it.size,
                " bytes</td><td>", it.meta.source_url ? UrlHtml(*it.meta.source_url) : "—",
                "</td><td>", E(it.meta.captured_at.value_or("—")), "</td><td>", E(it.added_at),
                "</td></tr>");
    }
    out += "</table></div>";
  }
  if (!o.rerun_command.empty()) {
    StrAppend(&out, "<h3>Run it again</h3><pre>", E(o.rerun_command), "</pre>");
  }
  if (!r.query_text.empty()) {
    StrAppend(&out, "<h3>The ", what, " as traced</h3><pre>", E(r.query_text), "</pre>");
  }
  return out + "</section>";
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ReportToHtml(const TraceReport& r, const HtmlReportOptions& o) {
  std::string out = Head(r);
  out += Header(r);
  out += Summary(r);
  out += QuerySection(r);
  for (size_t i = 0; i < r.sources.size(); ++i) out += SourceSection(r, r.sources[i], i);
  out += PictureTextSection(r);
  out += Evidence(r, o);
  StrAppend(&out, "<footer>Made by uncut ", E(o.uncut_version),
            ". Offsets are bytes of the original files (end exclusive) or seconds; the JSON "
            "report (schema ",
            kTraceSchema, ") holds the same data.</footer>");
  out += "</main></body></html>\n";
  // The page says it is UTF-8: names and quotes that were not are U+FFFD.
  return ToValidUtf8(out);
}

}  // namespace uncut
