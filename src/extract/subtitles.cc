#include "extract/subtitles.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/charset.h"
#include "extract/text_sink.h"

namespace uncut {
namespace {

int Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

std::string Clock(double s) {
  int64_t ms = std::llround(s * 1000);
  return absl::StrFormat("%02d:%02d:%02d.%03d", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60,
                         ms % 1000);
}

struct Line {
  uint64_t start;  // offset in the decoded text
  std::string_view text;
};

std::vector<Line> SplitLines(std::string_view s) {
  std::vector<Line> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t nl = s.find('\n', pos);
    size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view l = s.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    out.push_back({pos, l});
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

// "00:00:01,000 --> 00:00:04,000 settings": start and end seconds.
bool ParseTiming(std::string_view line, double* start, double* end) {
  size_t arrow = line.find("-->");
  if (arrow == std::string_view::npos) return false;
  std::string a(absl::StripAsciiWhitespace(std::string(line.substr(0, arrow))));
  std::string rest(absl::StripAsciiWhitespace(std::string(line.substr(arrow + 3))));
  std::string b = rest.substr(0, rest.find_first_of(" \t"));
  auto s = ParseCueTime(a), e = ParseCueTime(b);
  if (!s || !e) return false;
  *start = *s;
  *end = *e;
  return true;
}

// The speaker of a WebVTT voice tag on the line ("<v Anna>", "<v.loud Anna>").
std::string SpeakerOf(std::string_view t) {
  size_t open = t.find("<v");
  if (open == std::string_view::npos) return "";
  size_t close = t.find('>', open);
  if (close == std::string_view::npos) return "";
  std::string_view tag = t.substr(open + 2, close - open - 2);
  if (tag.empty() || (tag[0] != ' ' && tag[0] != '.')) return "";
  size_t sp = tag.find(' ');
  if (sp == std::string_view::npos) return "";
  return std::string(absl::StripAsciiWhitespace(std::string(tag.substr(sp + 1))));
}

// Emits one cue line: tags dropped, entities decoded, each character
// mapped to its bytes in the file.
class CueWriter {
 public:
  CueWriter(std::string_view utf8, const OffsetMap& map, TextSink* sink)
      : utf8_(utf8), map_(map), sink_(sink) {}

  void Write(const Line& line) {
    std::string_view t = line.text;
    size_t i = 0;
    while (i < t.size()) {
      if (t[i] == '<') {
        size_t close = t.find('>', i);
        if (close != std::string_view::npos) {
          i = close + 1;
          continue;
        }
      }
      if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '\\') {  // SSA override in SRT
        size_t close = t.find('}', i);
        if (close != std::string_view::npos) {
          i = close + 1;
          continue;
        }
      }
      if (t[i] == '&') {
        static const std::pair<std::string_view, std::string_view> kEntities[] = {
            {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", "\u00a0"},
            {"&lrm;", "\u200e"}, {"&rlm;", "\u200f"}, {"&quot;", "\""}, {"&apos;", "'"}};
        bool done = false;
        for (const auto& [ent, ch] : kEntities) {
          if (t.substr(i, ent.size()) == ent) {
            Emit(ch, line.start + i, ent.size());
            i += ent.size();
            done = true;
            break;
          }
        }
        if (done) continue;
      }
      size_t n = std::min<size_t>(Utf8Len(t[i]), t.size() - i);
      Emit(t.substr(i, n), line.start + i, n);
      i += n;
    }
  }

 private:
  void Emit(std::string_view cp, uint64_t off, uint64_t len) {
    uint64_t s = map_.SourceStart(off);
    uint64_t e = map_.SourceEnd(off + len);
    sink_->Char(cp, s, e > s ? e - s : 0);
  }
  std::string_view utf8_;
  const OffsetMap& map_;
  TextSink* sink_;
};

}  // namespace

std::optional<double> ParseCueTime(std::string_view s) {
  std::vector<double> fields;
  double frac = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i || j - i > 6) return std::nullopt;
    fields.push_back(std::stod(std::string(s.substr(i, j - i))));
    if (j == s.size()) break;
    if (s[j] == ':') {
      i = j + 1;
      continue;
    }
    if (s[j] == ',' || s[j] == '.') {
      size_t k = j + 1;
      while (k < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[k]))) ++k;
      if (k == j + 1 || k != s.size()) return std::nullopt;
      frac = std::stod(StrCat("0.", s.substr(j + 1, k - j - 1)));
      break;
    }
    return std::nullopt;
  }
  if (fields.size() < 2 || fields.size() > 3) return std::nullopt;
  double secs = 0;
  for (double f : fields) secs = secs * 60 + f;
  if (fields.back() >= 60 || (fields.size() == 3 && fields[1] >= 60)) return std::nullopt;
  return secs + frac;
}

int SubtitleExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string ext = Extension(path);
  if (ext == "srt" || ext == "vtt") return 70;
  std::string_view h = head;
  if (h.substr(0, 3) == "\xEF\xBB\xBF") h.remove_prefix(3);
  if (h.substr(0, 6) == "WEBVTT") return 60;
  return 0;
}

absl::StatusOr<Extraction> SubtitleExtractor::Extract(std::string_view bytes,
                                                      const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  if (bytes.size() > options.max_text_bytes) {
    return absl::ResourceExhaustedError(
        StrCat("subtitle file too large (", bytes.size(), " bytes)"));
  }
  ASSIGN_OR_RETURN(DecodedText decoded,
                   DecodeLabeledText(bytes, options.declared_charset, options.charset));
  std::vector<Line> lines = SplitLines(decoded.utf8);
  bool vtt = absl::StartsWith(decoded.utf8, "WEBVTT");
  TextSink sink;
  CueWriter writer(decoded.utf8, decoded.map, &sink);
  int cues = 0;
  double last_end = 0;
  size_t i = vtt ? 1 : 0;
  std::vector<std::string> warnings = decoded.warnings;
  while (i < lines.size()) {
    // A cue: optional identifier, timing line, text lines up to a blank line.
    size_t timing = i;
    double start = 0, end = 0;
    if (!ParseTiming(lines[i].text, &start, &end)) {
      if (i + 1 < lines.size() && !lines[i].text.empty() &&
          ParseTiming(lines[i + 1].text, &start, &end)) {
        timing = i + 1;
      } else {
        // A VTT NOTE/STYLE/REGION block, a stray line: skip to the blank line.
        while (i < lines.size() && !lines[i].text.empty()) ++i;
        while (i < lines.size() && lines[i].text.empty()) ++i;
        continue;
      }
    }
    size_t j = timing + 1;
    ++cues;
    nlohmann::json cue = {{"index", cues}, {"start", Clock(start)}, {"end", Clock(end)},
                          {"start_s", std::round(start * 1000) / 1000},
                          {"end_s", std::round(end * 1000) / 1000}};
    size_t text_end = j;
    while (text_end < lines.size() && !lines[text_end].text.empty() &&
           lines[text_end].text.find("-->") == std::string_view::npos) {
      ++text_end;
    }
    for (size_t k = j; k < text_end; ++k) {
      std::string speaker = SpeakerOf(lines[k].text);
      if (!speaker.empty()) {
        cue["speaker"] = speaker;
        break;
      }
    }
    sink.Break(1);
    sink.AddAnchor("cue", cue);
    for (size_t k = j; k < text_end; ++k) {
      writer.Write(lines[k]);
      sink.Break(1);
    }
    if (end < start) warnings.push_back(StrCat("cue ", cues, " ends before it starts"));
    last_end = std::max(last_end, end);
    i = text_end;
    while (i < lines.size() && lines[i].text.empty()) ++i;
  }
  if (cues == 0) return absl::InvalidArgumentError("no subtitle cues (no \"-->\" timing lines)");
  Extraction out;
  out.format = vtt ? "vtt" : "srt";
  out.text = std::move(sink).Finish();
  if (out.text.text.empty()) return absl::InvalidArgumentError("the subtitle cues hold no text");
  out.info["charset"] = decoded.charset;
  out.info["cues"] = cues;
  out.info["duration_s"] = std::round(last_end * 1000) / 1000;
  if (!warnings.empty()) out.info["warnings"] = warnings;
  return out;
}

}  // namespace uncut
