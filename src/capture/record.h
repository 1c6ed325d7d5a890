// The capture record kept with each item a capture (capture/capture.h)
// adds: where and when it was fetched, with which tool, what the platform
// said about it (yt-dlp's metadata for media), the HTTP answer's headers,
// the page that embeds it or that a browser rendered it from, and the
// capture it repeats. Stored as the item blob
// kCaptureBlob (JSON), committed with the item or not at all.
#ifndef UNCUT_CAPTURE_RECORD_H_
#define UNCUT_CAPTURE_RECORD_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "storage/catalog_reader.h"

namespace uncut {

inline constexpr char kCaptureBlob[] = "capture.json";

// The item's capture record, or null when it was not captured.
absl::StatusOr<nlohmann::json> ItemCaptureRecord(CatalogReader& catalog, const Item& item);

// The record as `show` lines ("uploader", "upload date", "platform", ...),
// in a reader's order.
std::vector<std::pair<std::string, std::string>> CaptureRecordLines(const nlohmann::json& record);

}  // namespace uncut

#endif  // UNCUT_CAPTURE_RECORD_H_
