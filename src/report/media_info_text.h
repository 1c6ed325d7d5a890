// A media item's probe information (Item::info["media"], as
// decode/media_info.h writes it) as labelled lines for people: duration,
// container, each stream with its codec and resolution or sound format, and
// container tags such as the creation time.
#ifndef UNCUT_REPORT_MEDIA_INFO_TEXT_H_
#define UNCUT_REPORT_MEDIA_INFO_TEXT_H_

#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace uncut {

// (label, value) pairs in reading order, e.g. {"duration", "1:02.500 (62.5 s)"},
// {"stream 0", "video h264, 1280x720, 25 fps"}, {"created", "2024-05-01T..."}.
// Fields the JSON lacks are left out; anything malformed is skipped.
std::vector<std::pair<std::string, std::string>> MediaInfoLines(const nlohmann::json& media);

}  // namespace uncut

#endif  // UNCUT_REPORT_MEDIA_INFO_TEXT_H_
