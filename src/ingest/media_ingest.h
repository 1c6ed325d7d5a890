// Adding video and audio files: probe, fingerprint, store.
#ifndef UNCUT_INGEST_MEDIA_INGEST_H_
#define UNCUT_INGEST_MEDIA_INGEST_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ingest/ingest.h"

namespace uncut {

// The blob with a video item's thumbnail: a small JPEG of the frame about
// a tenth of the way in (the server's item list shows it).
inline constexpr char kThumbnailBlob[] = "thumbnail.jpg";

// Whether the file name says audio or video (the decoder has the last word).
bool LooksLikeMedia(std::string_view path);

absl::StatusOr<AddOutcome> AddMedia(WriteBatch* batch, const std::string& path,
                                    const AddOptions& options);

}  // namespace uncut

#endif  // UNCUT_INGEST_MEDIA_INGEST_H_
