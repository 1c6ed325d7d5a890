// Links between a recording and its transcript: a subtitle file
// ("interview.en.srt") and a video or audio item with the same base name
// ("interview.mp4"), so that what was said in a cut can be shown.
#ifndef UNCUT_INGEST_MEDIA_LINKS_H_
#define UNCUT_INGEST_MEDIA_LINKS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "store/archive.h"

namespace uncut {

// The base name that links companions: the file name without its
// extension and without a trailing language tag ("interview.en.srt" and
// "interview.mp4" both give "interview").
std::string MediaStem(std::string_view name);

// When `item` is a subtitle file, records in item->info["media"] the video
// and audio items (archived, or queued in `batch`) with the same stem; when
// it is a video or audio item, records the subtitle items in
// item->info["subtitles"]. Links are {id, name, sha256}, in id order.
// Companions that came earlier get their lists brought up to date in the
// same batch (WriteBatch::Reindex of their info), so a recording and its
// subtitles are linked whichever is added first, together or apart. A
// media item's own id is not known yet when it is linked, so subtitles
// archived before it do not name it; it names them.
absl::Status LinkMediaCompanions(WriteBatch* batch, Item* item);

}  // namespace uncut

#endif  // UNCUT_INGEST_MEDIA_LINKS_H_
