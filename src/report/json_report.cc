#include <cmath>

#include "base/utf8.h"
#include "report/trace_report.h"

namespace uncut {
namespace {

using nlohmann::json;

// Seconds are reported to the millisecond; bytes as integers.
json Number(double v, const std::string& unit) {
  if (unit == "byte") return json(static_cast<int64_t>(std::llround(v)));
  return json(std::round(v * 1000.0) / 1000.0);
}

json LocationToJson(const TextLocation& l) {
  json j = {{"start_byte", l.start_byte}, {"end_byte", l.end_byte}, {"line", l.line},
            {"column", l.column},         {"paragraph", l.paragraph}};
  if (l.text_chars > 0) {
    j["start_char"] = l.start_char;
    j["end_char"] = l.end_char;
    j["text_chars"] = l.text_chars;
  }
  if (!l.anchors.empty()) j["anchors"] = l.anchors;
  if (!l.anchors_end.empty()) j["anchors_end"] = l.anchors_end;
  return j;
}

}  // namespace

json ItemToJson(const Item& item) {
  json j = {{"id", item.id},
            {"sha256", item.sha256},
            {"kind", item.kind},
            {"format", item.format},
            {"size", item.size}};
  // Names and paths are kept as they came (they are evidence); JSON gets
  // them as UTF-8 plus, when they were not, their exact bytes in hex.
  SetTextField(&j, "name", item.name);
  SetTextField(&j, "added_from", item.added_from);
  j["added_at"] = item.added_at;
  for (const auto& [key, value] : {std::pair{"source_url", &item.meta.source_url},
                                   std::pair{"captured_at", &item.meta.captured_at},
                                   std::pair{"title", &item.meta.title},
                                   std::pair{"note", &item.meta.note}}) {
    if (*value) {
      SetTextField(&j, key, **value);
    } else {
      j[key] = nullptr;
    }
  }
  j["info"] = item.info;
  MakeValidUtf8(&j["info"]);
  if (item.parent_id) j["parent_id"] = *item.parent_id;
  if (item.object != item.sha256 || item.object_offset != 0) {
    j["stored_in"] = {{"object", item.object}, {"offset", item.object_offset}};
  }
  return j;
}

json ReportToJson(const TraceReport& r) {
  const std::string& u = r.unit;
  json sources = json::array();
  for (const SourceMatch& m : r.sources) {
    json segs = json::array();
    for (const Segment& s : m.segments) {
      json j = {{"query", {{"start", Number(s.query_start, u)}, {"end", Number(s.query_end, u)}}},
                {"source", {{"start", Number(s.source_start, u)}, {"end", Number(s.source_end, u)}}},
                {"confidence", std::round(s.confidence * 1000.0) / 1000.0},
                {"evidence", s.evidence}};
      if (s.verdict != MatchVerdict::kNone) j["verdict"] = s.verdict;
      if (s.location) j["source"]["location"] = LocationToJson(*s.location);
      if (!s.source_text.empty()) j["source"]["text"] = s.source_text;
      if (!s.query_text.empty()) j["query"]["text"] = s.query_text;
      if (!s.edits.empty()) {
        json edits = json::array();
        for (const TextEdit& e : s.edits) {
          json je = {{"kind", e.kind}};
          if (!e.source_text.empty()) je["source_text"] = e.source_text;
          if (!e.query_text.empty()) je["query_text"] = e.query_text;
          if (e.source) je["source"] = LocationToJson(*e.source);
          edits.push_back(std::move(je));
        }
        j["edits"] = std::move(edits);
      }
      if (u == "s") j["speed"] = std::round(s.speed * 1000.0) / 1000.0;
      if (!s.extra.empty()) j["details"] = s.extra;
      segs.push_back(std::move(j));
    }
    json intervals = json::array();
    for (const SourceInterval& iv : m.intervals) {
      json j = {{"role", iv.role}, {"start", Number(iv.start, u)}, {"end", Number(iv.end, u)},
                {"length", Number(iv.end - iv.start, u)}};
      if (!iv.text.empty()) j["text"] = iv.text;
      if (iv.location) j["location"] = LocationToJson(*iv.location);
      if (!iv.note.empty()) j["note"] = iv.note;
      intervals.push_back(std::move(j));
    }
    json sm = {{"item", ItemToJson(m.item)},
               {"verdict", m.verdict},
               {"score", std::round(m.score * 100.0) / 100.0},
               {"segments", std::move(segs)},
               {"intervals", std::move(intervals)}};
    if (!m.notes.empty()) sm["notes"] = m.notes;
    sources.push_back(std::move(sm));
  }
  json gaps = json::array();
  for (const QueryGap& g : r.not_in_archive) {
    json j = {{"start", Number(g.start, u)}, {"end", Number(g.end, u)}};
    if (!g.text.empty()) j["text"] = g.text;
    gaps.push_back(std::move(j));
  }
  json unknown = json::array();
  for (const QueryGap& g : r.not_compared) {
    unknown.push_back(
        {{"start", Number(g.start, u)}, {"end", Number(g.end, u)}, {"reason", g.reason}});
  }
  json alike = json::array();
  for (const Indistinguishable& d : r.indistinguishable) {
    json places = json::array();
    for (const EqualPlace& p : d.places) {
      places.push_back({{"item", {{"id", p.item.id}, {"name", p.item.name}}},
                        {"source", {{"start", Number(p.source_start, u)},
                                    {"end", Number(p.source_end, u)}}}});
    }
    alike.push_back({{"start", Number(d.start, u)},
                     {"end", Number(d.end, u)},
                     {"places", std::move(places)},
                     {"reason", d.reason}});
  }
  json query = {{"kind", r.query_kind},
                {"sha256", r.query_sha256},
                {"length", Number(r.query_length, u)},
                {"unit", u}};
  if (!r.query_name.empty()) query["name"] = r.query_name;
  if (!r.query_text.empty()) query["text"] = r.query_text;
  json report = {{"schema", kTraceSchema},
                 {"query", std::move(query)},
                 {"verdict", r.verdict},
                 {"sources", std::move(sources)},
                 {"not_in_archive", std::move(gaps)},
                 {"warnings", r.warnings},
                 {"parameters", r.parameters},
                 {"traced_at", r.traced_at},
                 {"elapsed_ms", std::round(r.elapsed_ms * 10.0) / 10.0}};
  if (u == "s") report["not_compared"] = std::move(unknown);
  if (u == "s") report["indistinguishable"] = std::move(alike);
  if (!r.text_trace.empty()) report["text_trace"] = ReportToJson(r.text_trace[0]);
  // Quotes, names and warnings may hold bytes that are not UTF-8 (a name
  // as it came, a quote cut from a legacy-charset original).
  MakeValidUtf8(&report);
  return report;
}

}  // namespace uncut
