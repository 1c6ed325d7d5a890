#include "report/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace uncut {
namespace {

// Builds one sentence from plain words, names and quotes.
class Sentence {
 public:
  explicit Sentence(const SummaryMarkup& m) : m_(m) {}
  Sentence& Text(std::string_view s) {
    out_ += m_.text(s);
    return *this;
  }
  Sentence& Name(std::string_view s) {
    out_ += m_.name(s);
    return *this;
  }
  Sentence& Quote(std::string_view s) {
    out_ += m_.quote(s);
    return *this;
  }
  std::string Done() { return std::move(out_); }

 private:
  const SummaryMarkup& m_;
  std::string out_;
};

std::string NumberWord(size_t n) {
  static const char* kWords[] = {"no",  "one",   "two",   "three", "four", "five",
                                 "six", "seven", "eight", "nine",  "ten"};
  if (n < std::size(kWords)) return kWords[n];
  return StrCat(n);
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return StrCat(n, " ", n == 1 ? one : many);
}

// "A", "A and B", "A, B and C".
std::string JoinAnd(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

// Words left out in a cut: the tracer's note ("412 words left out") when
// it has one, else the words of the cut's text.
size_t CutWords(const SourceInterval& iv) {
  if (!iv.note.empty() && std::isdigit(static_cast<unsigned char>(iv.note[0]))) {
    return std::strtoull(iv.note.c_str(), nullptr, 10);
  }
  return CountWords(iv.text);
}

std::string ParagraphList(const std::vector<Segment>& segments) {
  std::vector<int> paragraphs;
  for (const Segment& s : segments) {
    if (!s.location || s.location->paragraph <= 0) continue;
    if (std::find(paragraphs.begin(), paragraphs.end(), s.location->paragraph) ==
        paragraphs.end()) {
      paragraphs.push_back(s.location->paragraph);
    }
  }
  if (paragraphs.empty()) return "";
  if (paragraphs.size() == 1) {
    return segments.size() > 1 ? StrCat("both in paragraph ", paragraphs[0])
                               : StrCat("paragraph ", paragraphs[0]);
  }
  std::vector<std::string> parts;
  for (int p : paragraphs) parts.push_back(StrCat(p));
  if (paragraphs.size() == 2) return StrCat("paragraph ", parts[0], " and paragraph ", parts[1]);
  return StrCat("paragraphs ", JoinAnd(parts));
}

std::string Span(double a, double b) { return StrCat(ClockTime(a), "–", ClockTime(b)); }

// Counts of the edits inside the matched text of one source.
struct EditCounts {
  size_t omitted_words = 0, changed = 0, added_words = 0;
  const TextEdit* first_change = nullptr;
};

EditCounts CountEdits(const SourceMatch& m) {
  EditCounts c;
  for (const Segment& s : m.segments) {
    for (const TextEdit& e : s.edits) {
      if (e.kind == TextEditKind::kOmitted) c.omitted_words += CountWords(e.source_text);
      if (e.kind == TextEditKind::kAdded) c.added_words += CountWords(e.query_text);
      if (e.kind == TextEditKind::kChanged) {
        ++c.changed;
        if (!c.first_change) c.first_change = &e;
      }
    }
  }
  return c;
}

std::string TextSourceSentence(const SourceMatch& m, bool first, const SummaryMarkup& mk) {
  Sentence s(mk);
  std::string where = ParagraphList(m.segments);
  size_t n = m.segments.size();
  if (n <= 1) {
    bool verbatim = m.verdict == MatchVerdict::kVerbatim;
    s.Text(first ? (verbatim ? "The extract is a verbatim passage of " : "The extract comes from ")
                 : (verbatim ? "It also quotes, verbatim, " : "It also draws on "));
    s.Name(m.item.name);
    if (!where.empty()) s.Text(StrCat(" (", where, ")"));
    return s.Text(".").Done();
  }
  size_t cut_words = 0;
  for (const SourceInterval& iv : m.intervals) {
    if (iv.role == IntervalRole::kCut) cut_words += CutWords(iv);
  }
  s.Text(first ? "The extract joins " : "It also joins ");
  s.Text(StrCat(NumberWord(n), " passages of ")).Name(m.item.name);
  if (!where.empty()) s.Text(StrCat(" (", where, ")"));
  if (cut_words > 0) {
    s.Text(StrCat("; ", Plural(cut_words, "word", "words"), " between them ",
                  cut_words == 1 ? "was" : "were", " left out"));
  }
  return s.Text(".").Done();
}

std::string EditSentence(const EditCounts& c, const SummaryMarkup& mk) {
  Sentence s(mk);
  std::vector<std::string> parts;
  if (c.omitted_words > 0) {
    parts.push_back(StrCat(Plural(c.omitted_words, "word", "words"),
                           c.omitted_words == 1 ? " was" : " were", " left out"));
  }
  if (c.changed > 0) {
    parts.push_back(
        StrCat(Plural(c.changed, "word", "words"), c.changed == 1 ? " was" : " were", " changed"));
  }
  if (c.added_words > 0) {
    parts.push_back(StrCat(Plural(c.added_words, "word", "words"),
                           c.added_words == 1 ? " was" : " were", " added"));
  }
  if (parts.empty()) return "";
  s.Text("Inside the quoted text, ").Text(JoinAnd(parts));
  if (c.first_change) {
    s.Text(" (").Quote(c.first_change->source_text).Text(" became ");
    s.Quote(c.first_change->query_text).Text(c.changed > 1 ? ", …)" : ")");
  }
  return s.Text(".").Done();
}

std::string MediaSourceSentence(const TraceReport& r, const SourceMatch& m, bool first,
                                const SummaryMarkup& mk) {
  Sentence s(mk);
  std::string what = QueryNoun(r);
  std::vector<std::string> spans;
  for (const Segment& seg : m.segments) spans.push_back(Span(seg.source_start, seg.source_end));
  if (r.query_kind == "image") {
    s.Text(first ? "The picture matches " : "It also matches ");
    if (m.item.kind == "image") return s.Name(m.item.name).Text(".").Done();
    s.Text("the frame at ").Text(ClockTime(m.segments.empty() ? 0 : m.segments[0].source_start));
    return s.Text(" of ").Name(m.item.name).Text(".").Done();
  }
  if (m.segments.size() <= 1) {
    s.Text(first ? StrCat("The ", what, " is ") : "It also shows ");
    s.Text(spans.empty() ? "part" : spans[0]).Text(" of ").Name(m.item.name);
    return s.Text(first ? ", without cuts." : ".").Done();
  }
  double cut_s = 0;
  for (const SourceInterval& iv : m.intervals) {
    if (iv.role == IntervalRole::kCut) cut_s += std::max(0.0, iv.end - iv.start);
  }
  s.Text(first ? StrCat("The ", what, " joins ") : "It also joins ");
  s.Text(JoinAnd(spans)).Text(" of ").Name(m.item.name);
  if (cut_s > 0) {
    s.Text(StrCat("; the ", DurationWords(cut_s), " between them were cut"));
  }
  return s.Text(".").Done();
}

std::string SpeedSentence(const SourceMatch& m, const SummaryMarkup& mk) {
  for (size_t i = 0; i < m.segments.size(); ++i) {
    double speed = m.segments[i].speed;
    if (std::abs(speed - 1.0) <= 0.02) continue;
    Sentence s(mk);
    std::string part = m.segments.size() > 1 ? StrCat("Part ", i + 1, " of it") : "It";
    return s
        .Text(StrCat(part, " plays at ", absl::StrFormat("%.2f", speed),
                     "× the speed of the source."))
        .Done();
  }
  return "";
}

std::string GapSentence(const TraceReport& r, const SummaryMarkup& mk) {
  if (r.not_in_archive.empty()) return "";
  Sentence s(mk);
  if (r.unit == "s") {
    std::vector<std::string> spans;
    for (const QueryGap& g : r.not_in_archive) spans.push_back(Span(g.start, g.end));
    s.Text(JoinAnd(spans)).Text(" of the ").Text(r.query_kind == "audio" ? "recording" : "clip");
    return s.Text(r.not_in_archive.size() == 1 ? " is" : " are")
        .Text(" in no archived source.")
        .Done();
  }
  size_t words = 0;
  for (const QueryGap& g : r.not_in_archive) words += CountWords(g.text);
  s.Text(StrCat(Plural(words, "word", "words"), " of the extract ", words == 1 ? "is" : "are",
                " in no archived source"));
  if (!r.not_in_archive[0].text.empty()) s.Text(", starting with ").Quote(r.not_in_archive[0].text);
  return s.Text(".").Done();
}

// Stretches of a clip neither fingerprint could compare: no claim either way.
std::string NotComparedSentence(const TraceReport& r, const SummaryMarkup& mk) {
  if (r.not_compared.empty()) return "";
  std::vector<std::string> spans;
  for (const QueryGap& g : r.not_compared) spans.push_back(Span(g.start, g.end));
  Sentence s(mk);
  s.Text(JoinAnd(spans)).Text(" of the ").Text(r.query_kind == "audio" ? "recording" : "clip");
  s.Text(" could not be compared");
  if (!r.not_compared[0].reason.empty()) s.Text(" (").Text(r.not_compared[0].reason).Text(")");
  return s.Text(": whether the archive holds it cannot be told.").Done();
}

// Where the text a picture shows was traced, if it was read and found.
std::string PictureTextSentence(const TraceReport& r, const SummaryMarkup& mk) {
  if (r.text_trace.empty() || r.text_trace[0].sources.empty()) return "";
  const SourceMatch& best = r.text_trace[0].sources[0];
  Sentence s(mk);
  s.Text("The text it shows, read by OCR, is in ").Name(best.item.name);
  size_t more = r.text_trace[0].sources.size() - 1;
  if (more > 0) s.Text(StrCat(" and ", more, more == 1 ? " other source" : " other sources"));
  return s.Text(" (see “Text in the picture”).").Done();
}

}  // namespace

std::string QueryNoun(const TraceReport& r) {
  if (r.unit != "s") return "extract";
  if (r.query_kind == "audio") return "recording";
  if (r.query_kind == "image") return "picture";
  return "clip";
}

SummaryMarkup PlainSummaryMarkup() {
  return {[](std::string_view s) { return std::string(s); },
          [](std::string_view s) { return std::string(s); },
          [](std::string_view s) { return StrCat("“", s, "”"); }};
}

std::vector<std::string> SummarizeTrace(const TraceReport& r, const SummaryMarkup& mk) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    if (!s.empty()) out.push_back(std::move(s));
  };
  bool media = r.unit == "s";
  std::string what = QueryNoun(r);
  if (r.sources.empty()) {
    if (r.query_kind == "image") {
      add(Sentence(mk).Text("No archived video frame or picture looks like this picture.").Done());
      add(PictureTextSentence(r, mk));
    } else if (r.verdict == TraceVerdict::kNotCompared) {
      add(Sentence(mk)
              .Text(StrCat("This ", what,
                           " could not be compared with the archive: neither its picture nor its "
                           "sound can be fingerprinted."))
              .Done());
    } else {
      add(Sentence(mk).Text(StrCat("No archived source contains this ", what, ".")).Done());
    }
    add(NotComparedSentence(r, mk));
    return out;
  }
  // The same passage archived twice appears under both items; the summary
  // describes the first and names the copies.
  std::vector<const SourceMatch*> copies;
  bool first = true;
  for (const SourceMatch& m : r.sources) {
    bool duplicate = false;
    for (const SourceMatch& seen : r.sources) {
      if (&seen == &m) break;
      if (seen.segments.size() == m.segments.size() && !seen.segments.empty() &&
          seen.segments[0].query_start == m.segments[0].query_start &&
          seen.segments.back().query_end == m.segments.back().query_end) {
        duplicate = true;
      }
    }
    if (duplicate) {
      copies.push_back(&m);
      continue;
    }
    add(media ? MediaSourceSentence(r, m, first, mk) : TextSourceSentence(m, first, mk));
    if (media) {
      add(SpeedSentence(m, mk));
    } else {
      add(EditSentence(CountEdits(m), mk));
    }
    for (const std::string& note : m.notes) {
      if (note.find("different order") != std::string::npos) {
        add(Sentence(mk)
                .Text("The ")
                .Text(what)
                .Text(" presents the passages in a different order than the source.")
                .Done());
      }
    }
    first = false;
  }
  if (!copies.empty()) {
    Sentence s(mk);
    s.Text("The same material is also archived as ");
    for (size_t i = 0; i < copies.size(); ++i) {
      if (i > 0) s.Text(i + 1 == copies.size() ? " and " : ", ");
      s.Name(copies[i]->item.name);
    }
    add(s.Text(".").Done());
  }
  add(GapSentence(r, mk));
  add(NotComparedSentence(r, mk));
  if (r.query_kind == "image") add(PictureTextSentence(r, mk));
  return out;
}

std::string ClockTime(double seconds) {
  if (seconds < 0) seconds = 0;
  int64_t tenths = std::llround(seconds * 10);
  int64_t whole = tenths / 10, frac = tenths % 10;
  int64_t h = whole / 3600, m = (whole / 60) % 60, s = whole % 60;
  std::string out =
      h > 0 ? absl::StrFormat("%d:%02d:%02d", h, m, s) : absl::StrFormat("%d:%02d", m, s);
  if (frac != 0) StrAppend(&out, ".", frac);
  return out;
}

std::string DurationWords(double seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 10) {
    double r = std::round(seconds * 10) / 10;
    return r == std::floor(r) ? StrCat(static_cast<int64_t>(r), " s")
                              : absl::StrFormat("%.1f s", r);
  }
  int64_t s = std::llround(seconds);
  if (s < 60) return StrCat(s, " s");
  if (s < 3600) return s % 60 ? StrCat(s / 60, " min ", s % 60, " s") : StrCat(s / 60, " min");
  int64_t min = (s / 60) % 60;
  return min ? StrCat(s / 3600, " h ", min, " min") : StrCat(s / 3600, " h");
}

size_t CountWords(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool word_char = std::isalnum(c) || c >= 0x80;
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return words;
}

}  // namespace uncut
