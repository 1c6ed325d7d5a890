// Adding video and audio files: probe, fingerprint, store.
#ifndef UNCUT_INGEST_MEDIA_INGEST_H_
#define UNCUT_INGEST_MEDIA_INGEST_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "index/modality.h"
#include "ingest/ingest.h"
#include "storage/catalog_reader.h"
#include "video/video_chunks.h"
#include "video/video_signature.h"

namespace uncut {

// The blob with a video item's thumbnail: a small JPEG of the frame about
// a tenth of the way in (the server's item list shows it).
inline constexpr char kThumbnailBlob[] = "thumbnail.jpg";

// Whether the file name says audio or video (the decoder has the last word).
bool LooksLikeMedia(std::string_view path);

// Probes and fingerprints the recording at `read_path`; errors and warnings
// name `path` (the user's file, when `read_path` is the archive's copy).
// With options.captions, a video's burned-in captions are read too.
FileAnalysis AnalyseMedia(const std::string& read_path, const std::string& path,
                          const AddOptions& options);

// Stores and queues the recording at `path`. `prepared` is AnalyseMedia's
// finding for bytes whose SHA-256 is `prepared_sha256`; when those are not
// the bytes stored (or it is null), the stored copy is analysed instead.
absl::StatusOr<AddOutcome> AddMedia(WriteBatch* batch, const std::string& path,
                                    const AddOptions& options,
                                    const std::string& prepared_sha256 = "",
                                    FileAnalysis* prepared = nullptr);

// Whether the archive still holds a sound index of the older format (pair
// landmarks), which this version does not search.
absl::StatusOr<bool> NeedsSoundUpgrade(Archive* archive);

// What an upgrade writes for one item (either backend's Reindex): its new
// info, the blobs it replaces, and the postings that join the index.
struct ItemReindex {
  nlohmann::json info;
  std::map<Modality, std::vector<Posting>> postings;
  std::map<std::string, std::string> blobs;
  int chunks = 1;  // time chunks the original was read in (1: whole)
};

// Whether a recording's sound fingerprint is of the older format: it has
// sound, and `peaks` (its kAudioPeaksBlob) is missing or not of this version.
bool SoundFingerprintOutdated(const Item& item, const std::optional<std::string>& peaks);
// The sound fingerprint a fresh add computes, from the original at `path`,
// read in time chunks on `jobs` threads when long enough (the same peaks).
absl::StatusOr<ItemReindex> ResignSound(const Item& item, const std::string& path, int jobs = 1);

// A video's picture fingerprint (`blob`, its kVideoSignatureBlob) when it
// was made before the region hashes existed; nullopt when it has them, or
// the item has no picture fingerprint. Errors name the item.
absl::StatusOr<std::optional<VideoSignature>> SignatureWithoutRegions(
    const Item& item, const std::optional<std::string>& blob);
// Calls `each` on every video in `catalog` whose picture fingerprint was
// made before the region hashes existed, with that fingerprint; a video whose
// fingerprint cannot be read is named in `problems` and skipped.
absl::Status ForEachVideoWithoutRegions(
    CatalogReader* catalog, std::vector<std::string>* problems,
    const std::function<void(const Item&, VideoSignature)>& each);
// `older` with the region hashes a fresh add computes, from the original at
// `path` (its other hashes and index entries stay); nullopt when no frame
// gains any. Errors name the item. The original is read as `add` reads
// it, in time chunks on chunked.jobs threads where it can be (the same
// hashes: video/video_chunks.h); `sign` is how add signs (tests shorten
// its periods), at the rate of `older`.
absl::StatusOr<std::optional<ItemReindex>> AddRegionHashesFrom(
    const Item& item, VideoSignature older, const std::string& path,
    const VideoSignOptions& sign = VideoSignOptions(),
    const ChunkedVideoOptions& chunked = ChunkedVideoOptions());

struct SoundUpgrade {
  int redone = 0;                     // items whose sound was fingerprinted anew
  std::vector<std::string> problems;  // items whose original's sound failed
};

// Re-derives the sound fingerprints of every item that has the older ones,
// from its stored original, a few items per transaction (an interrupted
// run resumes where it stopped), then drops the older index. Originals,
// names and provenance are untouched. An item whose original's sound can no
// longer be read is named in `problems`; it keeps its older peaks (its
// picture and text stay searchable), but its sound is no longer searched.
// Each original is read on `jobs` threads (as `add --jobs` reads one).
absl::StatusOr<SoundUpgrade> UpgradeSoundIndex(
    Archive* archive, const std::function<void(size_t done, size_t total)>& progress = nullptr,
    int jobs = 1);

struct PictureUpgrade {
  int redone = 0;                     // videos whose frames gained region hashes
  int read_in_chunks = 0;             // videos among them read in several time chunks
  std::vector<std::string> problems;  // videos whose original's picture failed
};

// Gives every video archived before the region hashes existed (its picture
// fingerprint holds two hashes a frame: video_signature.h) the region hashes
// a fresh add computes, from its stored original, a few items per
// transaction (an interrupted run resumes where it stopped). Its frames'
// other hashes and their index entries stay as they are; originals, names
// and provenance are untouched. A video whose original can no longer be
// decoded is named in `problems` and keeps the fingerprint it had. Each
// original is read on `jobs` threads, in time chunks (as `add --jobs`).
absl::StatusOr<PictureUpgrade> UpgradePictureIndex(
    Archive* archive, const std::function<void(size_t done, size_t total)>& progress = nullptr,
    int jobs = 1);

}  // namespace uncut

#endif  // UNCUT_INGEST_MEDIA_INGEST_H_
