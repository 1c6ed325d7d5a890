// Captions burned into a video's picture, read by OCR into a timed-text
// item linked to the video like a subtitle file (ingest/timed_text.h),
// marked as OCR: its info "transcript" has "method": "ocr", the engine,
// its version and the languages.
//
// Cheap by design: the caption band is watched on the small grey frames
// the video's fingerprint decodes anyway (ocr/caption_band.h); only where
// it changes and looks like lettering is a frame decoded again at a size
// OCR reads well, and only its band is read, within a time budget per
// frame. The video's info "captions" says what was done:
//   {"status": "read", "item": 12, "cues": 3, "engine": "tesseract", ...}
//   {"status": "none", ...}     (no caption found)
#ifndef UNCUT_INGEST_CAPTION_INGEST_H_
#define UNCUT_INGEST_CAPTION_INGEST_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "decode/video_reader.h"
#include "nlohmann/json.hpp"
#include "ocr/caption_band.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"

namespace uncut {

struct CaptionOptions {
  std::string languages;         // Tesseract languages joined by '+' (see CaptionLanguages)
  double max_ocr_seconds = 3;    // time budget of OCR per frame
  int read_side = 1280;          // frames are read at most this wide (or high)
  float min_confidence = 60;     // a reading less sure than this (mean per word) is no caption
  CaptionBandOptions band;
};

// The OCR languages for a video's captions: `requested` when given;
// otherwise the language its first audio stream is tagged with, when that
// is Persian or Arabic and installed; otherwise English (one language: each
// more multiplies the time OCR takes). `media` is the item's info "media".
std::string CaptionLanguages(const std::string& requested, const nlohmann::json& media);

// Watches the caption band of a video's frames, in time order (the grey
// frames SignVideo decodes).
class CaptionWatcher {
 public:
  explicit CaptionWatcher(const CaptionOptions& options = CaptionOptions())
      : detector_(options.band) {}
  void Observe(const VideoFrame& frame);
  CaptionChangeDetector& detector() { return detector_; }

 private:
  CaptionChangeDetector detector_;
};

struct CaptionReading {
  std::vector<CaptionCue> cues;
  std::string languages;   // the OCR languages used
  size_t changes = 0;      // changes of the band seen
  size_t frames_read = 0;  // frames OCR read
  size_t unread = 0;       // text-like changes left unread (read budget)
  size_t timed_out = 0;    // frames whose OCR ran out of time
  double ocr_seconds = 0;  // time spent decoding and reading them
};

// Reads the changes the watcher found (it is finished here) in `source`
// and makes them cues; the last one ends at `end_s`.
absl::StatusOr<CaptionReading> ReadCaptions(const MediaSource& source, CaptionWatcher* watcher,
                                            double end_s, const CaptionOptions& options);

// Both steps on an archived video: decodes it as its fingerprint does,
// watching the band, and reads the changes.
absl::StatusOr<CaptionReading> ScanCaptions(const MediaSource& source, double end_s,
                                            const CaptionOptions& options);

// Whether a video still needs its captions read (no "captions" info).
bool NeedsCaptions(const Item& item);

// Queues the captions item of `recording` (its id known) when `reading`
// has cues, and records in `recording_info` what was done ("captions",
// and the link in "subtitles"). Returns the item queued, if any.
absl::StatusOr<std::optional<Item>> QueueCaptions(WriteBatch* batch, const Item& recording,
                                                  const CaptionReading& reading,
                                                  nlohmann::json* recording_info);

// Reads the captions of an archived video, its original from `originals`:
// ScanCaptions to the end of its media, in the OCR languages
// CaptionLanguages picks for it (`options.languages` when given).
absl::StatusOr<CaptionReading> ReadVideoCaptions(OriginalSource* originals, const Item& video,
                                                 const CaptionOptions& options);

// What reading a video's captions added: the captions item, if any (with
// its id in the archive), and the video's info as written.
struct CaptionOutcome {
  std::optional<Item> text;
  size_t cues = 0;
  nlohmann::json video_info;
};

// Queues `reading` in `batch` (the caller commits): the captions item, if
// any, and the video's new info.
absl::StatusOr<CaptionOutcome> RecordCaptions(WriteBatch* batch, const Item& video,
                                              const CaptionReading& reading);

// As RecordCaptions, on an archive kept in PostgreSQL: the captions item is
// added as `add` adds, in one transaction with the video's new info
// (ingest/timed_text.h: DeriveTextOnCluster), audit entries by `actor` for
// `client` (the OS user when empty). kAlreadyExists, nothing written, when
// another process read them first.
absl::StatusOr<CaptionOutcome> RecordCaptionsOnCluster(PgArchive* archive, const Item& video,
                                                       const CaptionReading& reading,
                                                       const std::string& actor = "",
                                                       const std::string& client = "");

// One video's captions read, as `uncut captions` reads them.
struct VideoCaptions {
  Item video;  // as it was when they were read
  // What was added; nullopt when they had been read already (NeedsCaptions).
  std::optional<CaptionOutcome> outcome;
  // Why the video's own captions could not be read (its original does not
  // decode, or is damaged); nothing is written then.
  absl::Status unread;
};

// Reads the captions of video `id` of `archive`, in a transaction of its
// own (an interrupted run keeps the videos it finished), unless they were
// read already: the video is read again under the writer lock. An error is
// the archive's (its lock, a commit).
absl::StatusOr<VideoCaptions> CaptionVideo(Archive* archive, int64_t id,
                                           const CaptionOptions& options);

// As CaptionVideo, on an archive kept in PostgreSQL: the original is read
// from the cluster, and what is read recorded as RecordCaptionsOnCluster
// does; a video another process did meanwhile counts as read already. An
// error is the cluster's (a server out of reach, a failed statement:
// IsClusterError) or the archive's.
absl::StatusOr<VideoCaptions> CaptionVideoOnCluster(PgArchive* archive, int64_t id,
                                                    const CaptionOptions& options,
                                                    const std::string& actor = "",
                                                    const std::string& client = "");

// One line for `uncut show`: for a captions item, that it was read by OCR
// and by what; for a video, what caption reading found ("" when nothing).
std::string CaptionInfoLine(const Item& item);

// Whether an item is timed text read by OCR from a video's picture.
bool IsCaptionText(const Item& item);

}  // namespace uncut

#endif  // UNCUT_INGEST_CAPTION_INGEST_H_
