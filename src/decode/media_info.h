// What a media file holds: container, duration, streams and tags, as
// `uncut show` prints them and as the archive keeps them.
#ifndef UNCUT_DECODE_MEDIA_INFO_H_
#define UNCUT_DECODE_MEDIA_INFO_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "decode/ffmpeg.h"
#include "nlohmann/json.hpp"

namespace uncut {

struct StreamInfo {
  int index = 0;
  std::string type;  // "video", "audio", "subtitle", "data"
  std::string codec;
  int width = 0, height = 0;
  double fps = 0;
  int sample_rate = 0, channels = 0;
  double duration_s = 0;
  bool attached_picture = false;  // cover art, not a video
  std::string language;           // the stream's language tag, if any
};

struct MediaInfo {
  std::string container;  // FFmpeg's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  double duration_s = 0;
  double start_s = 0;
  int64_t bit_rate = 0;
  std::vector<StreamInfo> streams;
  std::map<std::string, std::string> tags;  // e.g. creation_time, encoder, title

  bool has_video() const;
  bool has_audio() const;
  nlohmann::json ToJson() const;
};

// Probes a file; the error names the file and the reason.
absl::StatusOr<MediaInfo> ProbeMedia(const std::string& path);
absl::StatusOr<MediaInfo> ProbeMedia(const MediaSource& source);

}  // namespace uncut

#endif  // UNCUT_DECODE_MEDIA_INFO_H_
