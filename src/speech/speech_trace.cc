#include "speech/speech_trace.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "ingest/caption_ingest.h"
#include "speech/phone_align.h"
#include "speech/pronunciation.h"
#include "speech/transcript.h"
#include "trace/text_location.h"

namespace uncut {
namespace {

std::string Clock(double s) {
  if (s < 0) s = 0;
  int64_t ms = std::llround(s * 1000);
  int64_t h = ms / 3600000, m = (ms / 60000) % 60, sec = (ms / 1000) % 60;
  if (h > 0) return absl::StrFormat("%d:%02d:%02d.%01d", h, m, sec, (ms % 1000) / 100);
  return absl::StrFormat("%d:%02d.%01d", m, sec, (ms % 1000) / 100);
}

// The dictionary, loaded once per process (it is read-only afterwards).
absl::StatusOr<const PronouncingDictionary*> Dictionary(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<PronouncingDictionary>>* loaded =
      new std::map<std::string, std::unique_ptr<PronouncingDictionary>>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded->find(path);
  if (it != loaded->end()) return it->second.get();
  auto d = PronouncingDictionary::Load(path);
  if (!d.ok()) {
    return absl::FailedPreconditionError(
        StrCat("the speech model's dictionary is not readable (", d.status().message(),
               "): install the Debian package pocketsphinx-en-us"));
  }
  auto owned = std::make_unique<PronouncingDictionary>(std::move(*d));
  const PronouncingDictionary* out = owned.get();
  loaded->emplace(path, std::move(owned));
  return out;
}

// Phones of a word sequence, and the word each phone belongs to.
struct PhoneString {
  std::vector<Phone> phones;
  std::vector<uint32_t> word_of;
  std::vector<uint32_t> first_phone;  // per word, plus one past the end
};

template <typename Words, typename WordOf>
PhoneString PhonesOf(const PronouncingDictionary& dict, const Words& words, WordOf word_of) {
  PhoneString out;
  for (size_t w = 0; w < words.size(); ++w) {
    out.first_phone.push_back(static_cast<uint32_t>(out.phones.size()));
    for (Phone p : dict.Phones(word_of(words[w]))) {
      out.phones.push_back(p);
      out.word_of.push_back(static_cast<uint32_t>(w));
    }
  }
  out.first_phone.push_back(static_cast<uint32_t>(out.phones.size()));
  return out;
}

// Word range [first, last] of an aligned phone range [b, e): words at the
// edges count when at least half their phones are inside.
std::pair<size_t, size_t> WordsOfPhones(const PhoneString& s, size_t b, size_t e) {
  size_t first = s.word_of[b], last = s.word_of[e - 1];
  auto inside = [&](size_t w) {
    size_t wb = std::max<size_t>(s.first_phone[w], b), we = std::min<size_t>(s.first_phone[w + 1], e);
    size_t n = s.first_phone[w + 1] - s.first_phone[w];
    return we > wb && 2 * (we - wb) >= n;
  };
  if (first < last && !inside(first)) ++first;
  if (last > first && !inside(last)) --last;
  return {first, last};
}

struct Heard {
  Item item;
  std::vector<TimedWord> words;
  ExtractedText text;
  PhoneAlignment alignment;
  double similarity = 0;
  size_t first = 0, last = 0;  // transcript words
  double start_s = 0, end_s = 0;
};

nlohmann::json RecordingOf(const Item& transcript) {
  return transcript.info["transcript"].value("recording", nlohmann::json::object());
}

std::string SpeechNote(const Item& transcript, double start_s, double end_s) {
  const nlohmann::json& t = transcript.info["transcript"];
  nlohmann::json rec = RecordingOf(transcript);
  return StrCat("matched against speech recognition (", t.value("engine", std::string()), " ",
                t.value("engine_version", std::string()), ", model ",
                t.value("model", std::string()), ") of ", rec.value("name", std::string()),
                " [item ", rec.value("id", int64_t{0}), "]: the recognised words may differ from ",
                "what was said; listen to the recording at ", Clock(start_s), "-", Clock(end_s),
                " before quoting it");
}

nlohmann::json SpeechExtra(const Item& transcript, double start_s, double end_s,
                           const std::string& recognised, double similarity) {
  const nlohmann::json& t = transcript.info["transcript"];
  nlohmann::json j = {{"recording", RecordingOf(transcript)},
                      {"start_s", std::round(start_s * 100) / 100},
                      {"end_s", std::round(end_s * 100) / 100},
                      {"start", Clock(start_s)},
                      {"end", Clock(end_s)},
                      {"recognised", recognised},
                      {"machine", true},
                      {"engine", t.value("engine", std::string())},
                      {"engine_version", t.value("engine_version", std::string())},
                      {"model", t.value("model", std::string())}};
  if (similarity > 0) j["similarity"] = std::round(similarity * 1000) / 1000;
  return j;
}

// The time range of a text match on timed text: the first cue's start to the
// last cue's end (nothing for a match without cue anchors).
std::optional<std::pair<double, double>> CueTimes(const Segment& s) {
  if (!s.location) return std::nullopt;
  const nlohmann::json& a = s.location->anchors.value("cue", nlohmann::json());
  const nlohmann::json& b = s.location->anchors_end.value("cue", a);
  if (!a.is_object()) return std::nullopt;
  double start_s = a.value("start_s", 0.0);
  double end_s = b.is_object() ? b.value("end_s", a.value("end_s", start_s)) : start_s;
  return std::make_pair(start_s, end_s);
}

// A text match on a machine transcript: the recording, time and note.
void MarkTextMatch(SourceMatch* m) {
  for (Segment& s : m->segments) {
    std::optional<std::pair<double, double>> times = CueTimes(s);
    if (!times) continue;
    auto [start_s, end_s] = *times;
    s.evidence.push_back(EvidenceKind::kSpeech);
    s.extra["speech"] = SpeechExtra(m->item, start_s, end_s, s.source_text, 0);
    m->notes.push_back(SpeechNote(m->item, start_s, end_s));
  }
}

// A text match on captions read by OCR from a video's picture: the video,
// the time, and a note that OCR may have misread the letters.
void MarkCaptionMatch(SourceMatch* m) {
  const nlohmann::json& t = m->item.info["transcript"];
  nlohmann::json rec = RecordingOf(m->item);
  for (Segment& s : m->segments) {
    std::optional<std::pair<double, double>> times = CueTimes(s);
    if (!times) continue;
    auto [start_s, end_s] = *times;
    s.evidence.push_back(EvidenceKind::kCaptions);
    s.extra["captions"] = {{"recording", rec},
                           {"start_s", std::round(start_s * 100) / 100},
                           {"end_s", std::round(end_s * 100) / 100},
                           {"start", Clock(start_s)},
                           {"end", Clock(end_s)},
                           {"read", s.source_text},
                           {"machine", true},
                           {"method", "ocr"},
                           {"engine", t.value("engine", std::string())},
                           {"engine_version", t.value("engine_version", std::string())},
                           {"language", t.value("language", std::string())}};
    m->notes.push_back(StrCat("read by OCR (", t.value("engine", std::string()), " ",
                              t.value("engine_version", std::string()),
                              ") from the captions burned into ", rec.value("name", std::string()),
                              " [item ", rec.value("id", int64_t{0}), "]: letters may be misread; ",
                              "look at the picture at ", Clock(start_s), "-", Clock(end_s),
                              " before quoting it"));
  }
}

absl::StatusOr<SourceMatch> MakeMatch(const Storage& storage, std::string_view query,
                                      const std::vector<SpokenWord>& qwords, const PhoneString& qp,
                                      Heard& h, const SpeechTraceOptions& options) {
  ASSIGN_OR_RETURN(Original original, storage.originals->OpenOriginal(h.item));
  ASSIGN_OR_RETURN(std::string_view bytes, original.Bytes());
  const auto& words = h.words;
  auto join = [&](size_t a, size_t b) {  // words [a, b)
    std::string s;
    for (size_t i = a; i < b; ++i) StrAppend(&s, i > a ? " " : "", words[i].word);
    return s;
  };
  SourceMatch m;
  m.item = h.item;
  m.verdict = MatchVerdict::kHeard;
  m.score = h.alignment.score;
  Segment seg;
  seg.evidence = {EvidenceKind::kSpeech};
  seg.verdict = MatchVerdict::kHeard;
  seg.confidence = h.similarity;
  uint64_t tb = words[h.first].text_begin, te = words[h.last].text_end;
  seg.location = LocateText(h.text, bytes, tb, te);
  seg.source_start = static_cast<double>(seg.location->start_byte);
  seg.source_end = static_cast<double>(seg.location->end_byte);
  auto [qa, qb] = WordsOfPhones(qp, h.alignment.query_begin, h.alignment.query_end);
  seg.query_start = static_cast<double>(qwords[qa].begin);
  seg.query_end = static_cast<double>(qwords[qb].end);
  seg.query_text = CollapseSpace(query.substr(qwords[qa].begin, qwords[qb].end - qwords[qa].begin));
  seg.source_text = join(h.first, h.last + 1);
  seg.extra["speech"] = SpeechExtra(h.item, h.start_s, h.end_s, seg.source_text, h.similarity);
  m.segments.push_back(std::move(seg));
  auto interval = [&](IntervalRole role, size_t a, size_t b) {
    SourceInterval iv;
    iv.role = role;
    iv.location = LocateText(h.text, bytes, words[a].text_begin, words[b - 1].text_end);
    iv.start = static_cast<double>(iv.location->start_byte);
    iv.end = static_cast<double>(iv.location->end_byte);
    iv.text = join(a, b);
    iv.note = StrCat("recognised speech, ", Clock(words[a].start_s), "-", Clock(words[b - 1].end_s));
    return iv;
  };
  size_t before = h.first >= options.context_words ? h.first - options.context_words : 0;
  if (before < h.first) m.intervals.push_back(interval(IntervalRole::kBefore, before, h.first));
  size_t after = std::min(words.size(), h.last + 1 + options.context_words);
  if (after > h.last + 1) m.intervals.push_back(interval(IntervalRole::kAfter, h.last + 1, after));
  m.notes.push_back(SpeechNote(h.item, h.start_s, h.end_s));
  return m;
}

}  // namespace

absl::Status AddSpeechMatches(const Storage& storage, std::string_view query, TraceReport* report,
                              const SpeechTraceOptions& options) {
  for (SourceMatch& m : report->sources) {
    if (IsCaptionText(m.item)) MarkCaptionMatch(&m);
  }
  ASSIGN_OR_RETURN(std::vector<Item> items, storage.catalog->ListTranscripts());
  std::vector<Item> transcripts;
  for (Item& it : items) {
    if (IsMachineTranscript(it)) transcripts.push_back(std::move(it));
  }
  if (transcripts.empty()) return absl::OkStatus();
  std::vector<SpokenWord> qwords = SpokenWords(query);
  ASSIGN_OR_RETURN(const PronouncingDictionary* dict, Dictionary(options.dictionary_path));
  PhoneString qp = PhonesOf(*dict, qwords, [](const SpokenWord& w) { return w.word; });
  if (qp.phones.size() < options.min_query_phones) return absl::OkStatus();
  std::vector<Heard> heard;
  for (const Item& t : transcripts) {
    ASSIGN_OR_RETURN(StoredText stored, storage.catalog->LoadText(t.id));
    Heard h;
    h.item = t;
    h.words = WordsOfTranscript(stored.text);
    if (h.words.empty()) continue;
    PhoneString tp = PhonesOf(*dict, h.words, [](const TimedWord& w) { return w.word; });
    h.alignment = AlignPhones(qp.phones, tp.phones);
    h.similarity = h.alignment.Similarity(qp.phones.size(), PhoneScores());
    if (h.similarity < options.min_similarity || h.alignment.transcript_end == 0) continue;
    std::tie(h.first, h.last) =
        WordsOfPhones(tp, h.alignment.transcript_begin, h.alignment.transcript_end);
    h.start_s = h.words[h.first].start_s;
    h.end_s = h.words[h.last].end_s;
    // Quote phones at either end that did not align (misheard) stand for
    // speech just outside the match: the range grows by them at the
    // matched stretch's rate of phones, within the transcript.
    size_t aligned = h.alignment.transcript_end - h.alignment.transcript_begin;
    double phone_s = aligned > 0 ? (h.end_s - h.start_s) / aligned : 0;
    size_t head = h.alignment.query_begin, tail = qp.phones.size() - h.alignment.query_end;
    h.start_s = std::max(h.words.front().start_s, h.start_s - head * phone_s);
    h.end_s = std::min(h.words.back().end_s, h.end_s + tail * phone_s);
    heard.push_back(std::move(h));
    heard.back().text = std::move(stored.text);
  }
  std::sort(heard.begin(), heard.end(),
            [](const Heard& a, const Heard& b) { return a.similarity > b.similarity; });
  if (heard.size() > options.max_sources) heard.resize(options.max_sources);
  // A transcript the text trace found too: the text match covers only the
  // words recognised right, so the whole quote's hearing replaces it; a text
  // match the phones do not confirm keeps its place, marked as speech.
  std::set<int64_t> heard_ids;
  for (const Heard& h : heard) heard_ids.insert(h.item.id);
  for (SourceMatch& m : report->sources) {
    if (IsMachineTranscript(m.item) && !heard_ids.count(m.item.id)) MarkTextMatch(&m);
  }
  for (Heard& h : heard) {
    ASSIGN_OR_RETURN(SourceMatch m, MakeMatch(storage, query, qwords, qp, h, options));
    auto same = std::find_if(report->sources.begin(), report->sources.end(),
                             [&](const SourceMatch& s) { return s.item.id == h.item.id; });
    if (same != report->sources.end()) {
      *same = std::move(m);
    } else {
      report->sources.push_back(std::move(m));
    }
  }
  if (!heard.empty() && report->verdict == TraceVerdict::kNotFound) {
    report->verdict = TraceVerdict::kFound;
    // What the text trace could not place is now heard.
    report->not_in_archive.clear();
  }
  report->parameters["speech"] = {{"min_similarity", options.min_similarity},
                                  {"transcripts", transcripts.size()}};
  return absl::OkStatus();
}

}  // namespace uncut
