#include "decode/media_info.h"

#include <cstdint>
#include <string_view>

#include "base/status_macros.h"
#include "decode/ffmpeg.h"

namespace uncut {
namespace {

// Container tags are whatever bytes the file holds; JSON needs UTF-8.
// Invalid sequences become U+FFFD.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; ok && k < n; ++k) {
      unsigned char d = s[i + k];
      ok = (d >> 6) == 2;
      cp = (cp << 6) | (d & 0x3f);
    }
    // No overlong forms, surrogates or values past U+10FFFF.
    if (ok && n > 1) {
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[n] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    }
    if (ok && c != 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      if (c != 0) out.append("\xef\xbf\xbd");
      ++i;
    }
  }
  return out;
}

}  // namespace

bool MediaInfo::has_video() const {
  for (const StreamInfo& s : streams) {
    if (s.type == "video" && !s.attached_picture) return true;
  }
  return false;
}

bool MediaInfo::has_audio() const {
  for (const StreamInfo& s : streams) {
    if (s.type == "audio") return true;
  }
  return false;
}

nlohmann::json MediaInfo::ToJson() const {
  nlohmann::json streams_json = nlohmann::json::array();
  for (const StreamInfo& s : streams) {
    nlohmann::json j = {{"index", s.index}, {"type", s.type}, {"codec", s.codec}};
    if (s.type == "video") {
      j["width"] = s.width;
      j["height"] = s.height;
      j["fps"] = std::round(s.fps * 1000.0) / 1000.0;
      if (s.attached_picture) j["attached_picture"] = true;
    }
    if (s.type == "audio") {
      j["sample_rate"] = s.sample_rate;
      j["channels"] = s.channels;
    }
    if (!s.language.empty() && s.language != "und") j["language"] = s.language;
    if (s.duration_s > 0) j["duration_s"] = std::round(s.duration_s * 1000.0) / 1000.0;
    streams_json.push_back(std::move(j));
  }
  return {{"container", container},
          {"duration_s", std::round(duration_s * 1000.0) / 1000.0},
          {"start_s", std::round(start_s * 1000.0) / 1000.0},
          {"bit_rate", bit_rate},
          {"streams", std::move(streams_json)},
          {"tags", tags}};
}

absl::StatusOr<MediaInfo> ProbeMedia(const std::string& path) {
  return ProbeMedia(MediaSource::File(path));
}

absl::StatusOr<MediaInfo> ProbeMedia(const MediaSource& source) {
  ASSIGN_OR_RETURN(Demuxer demuxer, OpenInput(source));
  AVFormatContext* fmt = demuxer.fmt.get();
  MediaInfo info;
  info.container = fmt->iformat ? fmt->iformat->name : "";
  if (fmt->duration > 0) info.duration_s = fmt->duration / static_cast<double>(AV_TIME_BASE);
  if (fmt->start_time != AV_NOPTS_VALUE) {
    info.start_s = fmt->start_time / static_cast<double>(AV_TIME_BASE);
  }
  info.bit_rate = fmt->bit_rate;
  const AVDictionaryEntry* tag = nullptr;
  while ((tag = av_dict_get(fmt->metadata, "", tag, AV_DICT_IGNORE_SUFFIX))) {
    info.tags[ValidUtf8(tag->key)] = ValidUtf8(tag->value);
  }
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream* st = fmt->streams[i];
    const AVCodecParameters* par = st->codecpar;
    StreamInfo s;
    s.index = static_cast<int>(i);
    s.codec = avcodec_get_name(par->codec_id);
    const AVDictionaryEntry* lang = av_dict_get(st->metadata, "language", nullptr, 0);
    if (lang) s.language = ValidUtf8(lang->value);
    switch (par->codec_type) {
      case AVMEDIA_TYPE_VIDEO:
        s.type = "video";
        s.width = par->width;
        s.height = par->height;
        if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) {
          s.fps = av_q2d(st->avg_frame_rate);
        } else if (st->r_frame_rate.num > 0 && st->r_frame_rate.den > 0) {
          s.fps = av_q2d(st->r_frame_rate);
        }
        s.attached_picture = (st->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
        break;
      case AVMEDIA_TYPE_AUDIO:
        s.type = "audio";
        s.sample_rate = par->sample_rate;
        s.channels = par->ch_layout.nb_channels;
        break;
      case AVMEDIA_TYPE_SUBTITLE:
        s.type = "subtitle";
        break;
      default:
        s.type = "data";
        break;
    }
    if (st->duration > 0 && st->time_base.den > 0) s.duration_s = st->duration * av_q2d(st->time_base);
    info.streams.push_back(s);
  }
  if (info.duration_s <= 0) {
    for (const StreamInfo& s : info.streams) info.duration_s = std::max(info.duration_s, s.duration_s);
  }
  return info;
}

}  // namespace uncut
