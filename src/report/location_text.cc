#include "report/location_text.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace uncut {
namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const nlohmann::json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return StrCat(v.get<int64_t>());
  return "";
}

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = StrCat(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "cue 12, 00:01:12,000–00:01:15,500" or "cues 12–13, …" across cues.
std::string CueText(const nlohmann::json& first, const nlohmann::json& last) {
  std::string a = Str(first, "index"), b = Str(last, "index");
  std::string out = a == b ? StrCat("cue ", a) : StrCat("cues ", a, "–", b);
  StrAppend(&out, ", ", Str(first, "start"), "–", Str(last, "end"));
  std::string speaker = Str(first, "speaker");
  if (!speaker.empty()) StrAppend(&out, " (", speaker, ")");
  return out;
}

// "message from Ann <ann@x> on 2024-05-01T09:00:00Z, “Subject”".
std::string MessageText(const nlohmann::json& m) {
  std::string out = "message";
  std::string number = Str(m, "number");
  if (!number.empty()) StrAppend(&out, " ", number, " of the mailbox");
  std::string from = Str(m, "from"), date = Str(m, "date"), subject = Str(m, "subject");
  if (!from.empty()) StrAppend(&out, " from ", from);
  if (!date.empty()) StrAppend(&out, " on ", date);
  if (!subject.empty()) StrAppend(&out, ", \u201C", subject, "\u201D");
  return out;
}

std::string LinkedMedia(const Item& item) {
  if (!item.info.is_object() || !item.info.contains("media")) return "";
  const nlohmann::json& media = item.info["media"];
  if (!media.is_array() || media.empty() || !media[0].is_object()) return "";
  return Str(media[0], "name");
}

}  // namespace

std::string LocationText(const TextLocation& l, const Item& item) {
  std::vector<std::string> parts;
  const nlohmann::json& a = l.anchors;
  const nlohmann::json& e = l.anchors_end;
  if (a.contains("capture")) {
    std::string url = Str(a["capture"], "url"), at = Str(a["capture"], "captured_at");
    parts.push_back(StrCat("captured from ", url, at.empty() ? "" : StrCat(" on ", at)));
  }
  if (a.contains("message")) parts.push_back(MessageText(a["message"]));
  if (a.contains("part")) parts.push_back(StrCat("MIME part ", Str(a, "part")));
  if (a.contains("quoted") && a["quoted"].is_object()) {
    parts.push_back("in a quoted reply");
  }
  if (a.contains("page")) {
    std::string p = Str(a, "page");
    parts.push_back(e.contains("page") ? StrCat("pages ", p, "–", Str(e, "page"))
                                       : StrCat("page ", p));
  }
  if (a.contains("ocr")) parts.push_back("text read by OCR");
  if (a.contains("region") && a["region"].is_object()) {
    auto region = [](const nlohmann::json& r) {
      auto n = [&](const char* f) { return absl::StrFormat("%g", r.value(f, 0.0)); };
      return StrCat("region ", n("x"), ",", n("y"), " ", n("w"), "x", n("h"), " ",
                    r.value("unit", "px"));
    };
    std::string where = region(a["region"]);
    if (e.contains("region") && e["region"].is_object() && e["region"] != a["region"]) {
      StrAppend(&where, " to ", region(e["region"]));
    }
    parts.push_back(where);
  }
  if (a.contains("cue")) {
    std::string cue = CueText(a["cue"], e.contains("cue") ? e["cue"] : a["cue"]);
    std::string media = LinkedMedia(item);
    if (!media.empty()) StrAppend(&cue, " of ", media);
    parts.push_back(cue);
  }
  parts.push_back(StrCat("paragraph ", l.paragraph));
  if (l.column > kLongLineColumns && l.text_chars > 0) {
    int percent = static_cast<int>(std::floor(100.0 * l.start_char / l.text_chars));
    parts.push_back(StrCat("line ", l.line, ", characters ", Grouped(l.start_char + 1), "–",
                           Grouped(l.end_char), " of ", Grouped(l.text_chars), " (", percent,
                           "% in)"));
  } else {
    parts.push_back(StrCat("line ", l.line, ", col ", l.column));
  }
  std::string out;
  for (const std::string& p : parts) StrAppend(&out, out.empty() ? "" : ", ", p);
  return out;
}

}  // namespace uncut
