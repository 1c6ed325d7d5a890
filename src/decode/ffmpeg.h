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
#include <optional>
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

// Where a demuxer reads from: a file, or bytes in memory (through a custom
// AVIOContext; for fuzzing, and for media stored inside another object).
struct MediaSource {
  std::string name;  // the file's path; for bytes, the name errors use
  std::optional<std::string_view> bytes;  // when set, demux these instead of a file

  static MediaSource File(std::string path) { return {std::move(path), std::nullopt}; }
  // REQUIRES: `bytes` outlives every reader opened on the source.
  static MediaSource Memory(std::string name, std::string_view bytes) {
    return {std::move(name), bytes};
  }
};

// Reads a MediaSource's bytes for libavformat. Owns its AVIOContext and
// buffer; must outlive the AVFormatContext that reads through it.
class MemoryIo {
 public:
  static absl::StatusOr<std::unique_ptr<MemoryIo>> Create(std::string_view bytes);
  ~MemoryIo();
  MemoryIo(const MemoryIo&) = delete;
  MemoryIo& operator=(const MemoryIo&) = delete;
  AVIOContext* context() const { return ctx_; }

 private:
  explicit MemoryIo(std::string_view bytes) : bytes_(bytes) {}
  static int Read(void* opaque, uint8_t* buf, int size);
  static int64_t Seek(void* opaque, int64_t offset, int whence);

  std::string_view bytes_;
  int64_t pos_ = 0;
  AVIOContext* ctx_ = nullptr;
};

// An open demuxer. Members are destroyed in reverse order, so the format
// context is closed before the memory reader it may use is freed.
struct Demuxer {
  std::unique_ptr<MemoryIo> io;  // null for files
  FormatContextPtr fmt;
};

// Readers skip frames the decoder reports as damaged, up to this many in a
// row; more means the stream is damaged beyond use.
inline constexpr int kMaxBadFramesInARow = 100;

// FFmpeg's text for an error code.
std::string AvErrorText(int err);
// "PATH: WHAT: <FFmpeg's reason>" as a status.
absl::Status AvStatus(const std::string& path, std::string_view what, int err);

// Opens a media source for demuxing with bounded probing; the error names
// the file and the reason. FFmpeg logs nothing on the terminal; its last
// error line on this thread explains a failure to open. With
// `audio_header_suffices`, the streams are not read ahead for their
// parameters when the container's header already gives an audio stream's
// codec, rate and channels (for reading a short range of a file known to
// decode; a few milliseconds less per open).
absl::StatusOr<Demuxer> OpenInput(const MediaSource& source, bool audio_header_suffices = false);

// The watchdog's budget for decoding a whole source: a minute, plus
// `seconds_per_media_second` times the declared duration, but never more
// than 20 s per MiB of input, so a small file that declares hours of media
// cannot keep a decoder busy for long.
double DecodeBudgetSeconds(AVFormatContext* fmt, double seconds_per_media_second);

// Opens a decoder for stream `index` of `fmt` with `threads` threads (0: one
// per core; frame and slice threading where the codec has them; output is
// identical either way). `lowres` > 0 asks for pictures reduced 2^lowres
// times in each direction, as far as the codec can decode them so
// (max_lowres: MPEG-1/2/4, H.263, MJPEG; others ignore it); the decoder's
// width and height are then the reduced ones.
absl::StatusOr<CodecContextPtr> OpenDecoder(const std::string& path, AVFormatContext* fmt,
                                           int index, int threads = 1, int lowres = 0);

}  // namespace uncut

#endif  // UNCUT_DECODE_FFMPEG_H_
