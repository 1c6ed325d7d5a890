// RAII handles for FFmpeg's C objects, and errors as absl::Status.
#ifndef UNCUT_DECODE_FFMPEG_H_
#define UNCUT_DECODE_FFMPEG_H_

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace uncut {

struct FormatContextCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextCloser>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;

// FFmpeg's text for an error code.
std::string AvErrorText(int err);
// "PATH: WHAT: <FFmpeg's reason>" as a status.
absl::Status AvStatus(const std::string& path, std::string_view what, int err);

// Opens a media file for demuxing with bounded probing; the error names the
// file. FFmpeg's own logging is silenced.
absl::StatusOr<FormatContextPtr> OpenInput(const std::string& path);

// Opens a decoder for stream `index` of `fmt`.
absl::StatusOr<CodecContextPtr> OpenDecoder(const std::string& path, AVFormatContext* fmt,
                                           int index, int threads = 1);

}  // namespace uncut

#endif  // UNCUT_DECODE_FFMPEG_H_
