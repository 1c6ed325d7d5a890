#include "ingest/caption_ingest.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "ingest/timed_text.h"
#include "ocr/caption_band.h"
#include "ocr/ocr.h"
#include "storage/catalog_reader.h"
#include "trace/item_media.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

// Changes this close together are read in one decoding pass rather than
// seeking again (decoding a few seconds costs less than a seek to the key
// frame before each).
constexpr double kJoinGapS = 4;

bool IsVideo(const Item& it) { return it.kind == "video"; }

// Where a video's media ends: its start and duration, 0 when unknown.
double MediaEndOf(const Item& it) {
  if (!it.info.contains("media") || !it.info["media"].is_object()) return 0;
  const nlohmann::json& m = it.info["media"];
  const nlohmann::json& d = m.value("duration_s", nlohmann::json());
  const nlohmann::json& s = m.value("start_s", nlohmann::json());
  return (d.is_number() ? d.get<double>() : 0) + (s.is_number() ? s.get<double>() : 0);
}

// A band's text, one line of words per line, and its mean confidence; no
// text when it does not read as words: OCR of a textured picture gives
// confident strings of digits, marks and stray letters, which a caption is
// not. A caption has at least eight letters, two words of two or more,
// and three characters in four are letters.
// Lines of OCR junk (CaptionWordsWithoutJunkLines) are left out first.
CaptionRead TextOf(const OcrResult& ocr, float min_confidence) {
  CaptionRead r;
  const std::vector<OcrWord> kept = CaptionWordsWithoutJunkLines(ocr.words);
  if (kept.empty()) return r;
  double sum = 0;
  int letters = 0, visible = 0, words = 0;
  for (const OcrWord& w : kept) {
    if (!r.text.empty()) r.text += w.starts_line ? "\n" : " ";
    r.text += w.text;
    sum += w.confidence;
    CaptionCharacters c = CountCaptionCharacters(w.text);
    letters += c.letters;
    visible += c.visible;
    words += c.letters >= 2;
  }
  r.confidence = static_cast<float>(sum / kept.size());
  if (r.confidence < min_confidence || letters < 8 || words < 2 || 4 * letters < 3 * visible) {
    return CaptionRead();
  }
  return r;
}

// OCR of the caption band of a frame decoded at reading size.
absl::StatusOr<CaptionRead> ReadBand(const VideoFrame& frame, const CaptionChangeDetector& d,
                                     const CaptionOptions& options, const std::string& languages,
                                     bool* timed_out) {
  SourceRegions r = SourceFrameRegions(frame);
  const int top = d.BandTop(frame.height, r.y, r.h);
  const int band_h = frame.height - top;
  if (band_h <= 0 || frame.width <= 0) return CaptionRead();
  // Only the cells with lettering (and a cell around them) are read.
  CaptionChangeDetector::CellBox cells =
      d.TextCells(d.BandMap(frame.pixels.data(), frame.width, frame.height, frame.width, top));
  if (cells.col1 <= cells.col0) return CaptionRead();
  const int cols = d.options().grid_cols, rows = d.options().grid_rows;
  const int x0 = cells.col0 * frame.width / cols, x1 = cells.col1 * frame.width / cols;
  const int y0 = top + cells.row0 * band_h / rows, y1 = top + cells.row1 * band_h / rows;
  if (x1 - x0 < 8 || y1 - y0 < 8) return CaptionRead();
  OcrOptions o;
  o.languages = languages;
  o.max_seconds = options.max_ocr_seconds;
  o.single_block = true;
  // Small pictures are enlarged: Tesseract reads lines 20-30 px high best.
  o.min_scaled_side = 1000;
  ASSIGN_OR_RETURN(OcrResult ocr,
                   RecognizeText(frame.pixels.data() + static_cast<size_t>(y0) * frame.width + x0,
                                 x1 - x0, y1 - y0, frame.width, o));
  *timed_out = ocr.timed_out;
  return TextOf(ocr, options.min_confidence);
}

}  // namespace

std::string CaptionLanguages(const std::string& requested, const nlohmann::json& media) {
  if (!requested.empty()) return requested;
  const std::string installed = StrCat("+", DefaultOcrLanguages(), "+");
  auto has = [&](const char* lang) { return installed.find(StrCat("+", lang, "+")) != std::string::npos; };
  std::string tag;
  if (media.is_object() && media.contains("streams") && media["streams"].is_array()) {
    for (const nlohmann::json& st : media["streams"]) {
      if (!st.is_object() || st.value("type", std::string()) != "audio") continue;
      const nlohmann::json& l = st.value("language", nlohmann::json());
      if (l.is_string()) tag = absl::AsciiStrToLower(l.get<std::string>());
      break;
    }
  }
  if ((tag == "fa" || tag == "fas" || tag == "per") && has("fas")) return "fas";
  if ((tag == "ar" || tag == "ara") && has("ara")) return "ara";
  if (has("eng")) return "eng";
  return DefaultOcrLanguages();
}

void CaptionWatcher::Observe(const VideoFrame& frame) {
  if (frame.channels != 1 || frame.width <= 0 || frame.height <= 0) return;
  SourceRegions r = SourceFrameRegions(frame);
  detector_.Observe(frame.time_s, frame.pixels.data(), frame.width, frame.height, frame.width,
                    detector_.BandTop(frame.height, r.y, r.h));
}

absl::StatusOr<CaptionReading> ReadCaptions(const MediaSource& source, CaptionWatcher* watcher,
                                            double end_s, const CaptionOptions& options) {
  CaptionChangeDetector& d = watcher->detector();
  d.Finish();
  const std::vector<CaptionChange>& changes = d.changes();
  CaptionReading out;
  out.languages = options.languages.empty() ? DefaultOcrLanguages() : options.languages;
  out.changes = changes.size();
  std::vector<size_t> todo;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (changes[i].read) todo.push_back(i);
    else if (changes[i].text_like) ++out.unread;
  }
  if (todo.empty()) return out;
  if (out.languages.empty()) {
    return absl::FailedPreconditionError(
        "no OCR language data is installed (Debian: tesseract-ocr-eng)");
  }
  const auto started = std::chrono::steady_clock::now();
  const VideoSignOptions sign;
  std::vector<CaptionRead> reads(changes.size());
  for (size_t first = 0; first < todo.size();) {
    size_t last = first;
    while (last + 1 < todo.size() &&
           changes[todo[last + 1]].read_s - changes[todo[last]].read_s <= kJoinGapS) {
      ++last;
    }
    // The frames of the fingerprint's grid from the first change to the
    // last: the very frames the watcher saw, at reading size.
    VideoReadOptions ro;
    ro.sample_fps = sign.sample_fps;
    ro.skip_nonreference = sign.skip_nonreference;
    ro.max_side = options.read_side;
    ro.start_s = changes[todo[first]].read_s - 0.01;
    ro.end_s = changes[todo[last]].read_s + 0.5;
    ASSIGN_OR_RETURN(auto reader, VideoReader::Open(source, ro));
    VideoFrame frame;
    bool have = false;
    for (size_t k = first; k <= last; ++k) {
      const double t = changes[todo[k]].read_s;
      while (!have || frame.time_s < t - 0.02) {
        ASSIGN_OR_RETURN(have, reader->Next(&frame));
        if (!have) break;
      }
      if (!have) break;
      if (frame.time_s > t + 0.5) continue;  // not decoded here; left unread
      bool timed_out = false;
      ASSIGN_OR_RETURN(reads[todo[k]], ReadBand(frame, d, options, out.languages, &timed_out));
      ++out.frames_read;
      out.timed_out += timed_out;
    }
    first = last + 1;
  }
  out.ocr_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.cues = CaptionCues(changes, reads, end_s);
  return out;
}

absl::StatusOr<CaptionReading> ScanCaptions(const MediaSource& source, double end_s,
                                            const CaptionOptions& options) {
  const VideoSignOptions sign;
  VideoReadOptions ro;
  ro.sample_fps = sign.sample_fps;
  ro.max_side = sign.max_side;
  ro.skip_nonreference = sign.skip_nonreference;
  ro.skip_loop_filter = sign.skip_loop_filter;
  ASSIGN_OR_RETURN(auto reader, VideoReader::Open(source, ro));
  CaptionWatcher watcher(options);
  VideoFrame frame;
  double last_s = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&frame));
    if (!got) break;
    watcher.Observe(frame);
    last_s = frame.time_s;
  }
  return ReadCaptions(source, &watcher, end_s > 0 ? end_s : last_s, options);
}

bool NeedsCaptions(const Item& item) {
  return IsVideo(item) && !(item.info.is_object() && item.info.contains("captions"));
}

bool IsCaptionText(const Item& item) {
  return IsTranscriptItem(item) && item.info["transcript"].value("method", std::string()) == "ocr";
}

absl::StatusOr<std::optional<Item>> QueueCaptions(WriteBatch* batch, const Item& recording,
                                                  const CaptionReading& reading,
                                                  nlohmann::json* recording_info) {
  nlohmann::json block = {{"status", reading.cues.empty() ? "none" : "read"},
                          {"engine", kOcrEngine},
                          {"engine_version", OcrEngineVersion()},
                          {"languages", reading.languages},
                          {"changes", reading.changes},
                          {"frames_read", reading.frames_read},
                          {"read_at", NowRfc3339()}};
  if (reading.unread > 0) block["unread"] = reading.unread;
  if (reading.timed_out > 0) block["timed_out"] = reading.timed_out;
  if (!recording_info->is_object()) *recording_info = nlohmann::json::object();
  if (reading.cues.empty()) {
    (*recording_info)["captions"] = std::move(block);
    return std::nullopt;
  }
  std::vector<TimedCue> cues;
  for (const CaptionCue& c : reading.cues) cues.push_back({c.start_s, c.end_s, c.text});
  MachineText text;
  const std::string name = ToValidUtf8(recording.name);
  text.vtt = WebVttOf(StrCat("Captions burned into the picture of ", name, ", SHA-256 ",
                             recording.sha256, ", read by OCR (", kOcrEngine, " ",
                             OcrEngineVersion(), ", languages ", reading.languages,
                             ").\nOCR may misread letters: look at the picture."),
                      cues);
  text.name = StrCat(recording.name, ".captions.vtt");
  text.title = StrCat("Captions read by OCR from ", recording.name);
  text.added_from = StrCat("OCR of the captions burned into item ", recording.id);
  text.transcript = {{"machine", true},
                     {"method", "ocr"},
                     {"of", "burned-in captions"},
                     {"engine", kOcrEngine},
                     {"engine_version", OcrEngineVersion()},
                     {"language", reading.languages},
                     {"cues", cues.size()},
                     {"recording", {{"id", recording.id},
                                    {"name", recording.name},
                                    {"sha256", recording.sha256}}}};
  ASSIGN_OR_RETURN(Item it, QueueMachineText(batch, recording, std::move(text), recording_info));
  block["item"] = it.id;
  block["cues"] = cues.size();
  (*recording_info)["captions"] = std::move(block);
  return it;
}

absl::StatusOr<CaptionReading> ReadVideoCaptions(OriginalSource* originals, const Item& video,
                                                 const CaptionOptions& options) {
  ASSIGN_OR_RETURN(ItemMedia media, ItemMedia::Open(originals, video));
  CaptionOptions o = options;
  o.languages = CaptionLanguages(options.languages, video.info.value("media", nlohmann::json()));
  return ScanCaptions(media.source(), MediaEndOf(video), o);
}

absl::StatusOr<CaptionOutcome> RecordCaptions(WriteBatch* batch, const Item& video,
                                              const CaptionReading& reading) {
  CaptionOutcome out;
  out.video_info = video.info;
  out.cues = reading.cues.size();
  ASSIGN_OR_RETURN(out.text, QueueCaptions(batch, video, reading, &out.video_info));
  RETURN_IF_ERROR(batch->Reindex(video.id, out.video_info, {}, {}));
  return out;
}

absl::StatusOr<CaptionOutcome> RecordCaptionsOnCluster(PgArchive* archive, const Item& video,
                                                       const CaptionReading& reading,
                                                       const std::string& actor,
                                                       const std::string& client) {
  static const DerivedTextBlock kCaptions = {
      "captions", "item", [](const Item& now) { return !NeedsCaptions(now); },
      "had its captions read by another process meanwhile"};
  auto derive = [&](OriginalSource*, WriteBatch* batch) -> absl::StatusOr<DerivedText> {
    DerivedText made;
    made.recording_info = video.info;
    ASSIGN_OR_RETURN(made.text, QueueCaptions(batch, video, reading, &made.recording_info));
    return made;
  };
  ASSIGN_OR_RETURN(DerivedText made,
                   DeriveTextOnCluster(archive, video, kCaptions, derive, actor, client));
  return CaptionOutcome{std::move(made.text), reading.cues.size(),
                        std::move(made.recording_info)};
}

absl::StatusOr<VideoCaptions> CaptionVideo(Archive* archive, int64_t id,
                                           const CaptionOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<WriteBatch> batch, archive->BeginWrite());
  VideoCaptions out;
  ASSIGN_OR_RETURN(out.video, archive->GetItem(id));
  if (!NeedsCaptions(out.video)) return out;
  auto reading = ReadVideoCaptions(archive, out.video, options);
  if (!reading.ok()) {
    out.unread = reading.status();
    return out;
  }
  ASSIGN_OR_RETURN(out.outcome, RecordCaptions(batch.get(), out.video, *reading));
  RETURN_IF_ERROR(batch->Commit());
  return out;
}

absl::StatusOr<VideoCaptions> CaptionVideoOnCluster(PgArchive* archive, int64_t id,
                                                    const CaptionOptions& options,
                                                    const std::string& actor,
                                                    const std::string& client) {
  VideoCaptions out;
  ASSIGN_OR_RETURN(out.video, archive->GetItem(id));
  if (!NeedsCaptions(out.video)) return out;
  auto reading = ReadVideoCaptions(archive, out.video, options);
  if (!reading.ok()) {
    if (IsClusterError(reading.status())) return reading.status();
    out.unread = reading.status();
    return out;
  }
  auto recorded = RecordCaptionsOnCluster(archive, out.video, *reading, actor, client);
  if (absl::IsAlreadyExists(recorded.status())) return out;
  if (!recorded.ok()) return recorded.status();
  out.outcome = std::move(*recorded);
  return out;
}

std::string CaptionInfoLine(const Item& item) {
  if (IsCaptionText(item)) {
    const nlohmann::json& t = item.info["transcript"];
    const nlohmann::json& r = t.value("recording", nlohmann::json::object());
    return StrCat("captions read by OCR from the picture, not a subtitle file: ",
                  t.value("engine", std::string()), " ", t.value("engine_version", std::string()),
                  ", languages ", t.value("language", std::string()), ", of item ",
                  r.value("id", int64_t{0}), " (", r.value("name", std::string()),
                  "); letters may be misread");
  }
  if (!item.info.is_object() || !item.info.contains("captions")) return "";
  const nlohmann::json& c = item.info["captions"];
  if (c.value("status", std::string()) == "read") {
    return StrCat("captions read by OCR into item ", c.value("item", int64_t{0}), " (",
                  c.value("cues", int64_t{0}), " cues, ", c.value("engine", std::string()), ")");
  }
  return "captions: none found in the picture";
}

}  // namespace uncut
