#include "decode/ffmpeg.h"

#include "absl/status/statusor.h"
#include "base/strings.h"

namespace uncut {

std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

absl::Status AvStatus(const std::string& path, std::string_view what, int err) {
  std::string msg = StrCat(path, ": ", what, ": ", AvErrorText(err));
  if (err == AVERROR(ENOENT)) return absl::NotFoundError(msg);
  if (err == AVERROR(EACCES)) return absl::PermissionDeniedError(msg);
  if (err == AVERROR(ENOMEM)) return absl::ResourceExhaustedError(msg);
  return absl::InvalidArgumentError(msg);
}

absl::StatusOr<FormatContextPtr> OpenInput(const std::string& path) {
  static const bool quiet = [] {
    av_log_set_level(AV_LOG_QUIET);
    return true;
  }();
  (void)quiet;
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return absl::ResourceExhaustedError(StrCat(path, ": out of memory"));
  // Bounded probing: hostile files must not make probing unbounded.
  raw->probesize = 32 << 20;
  raw->max_analyze_duration = 30 * AV_TIME_BASE;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (rc < 0) {
    if (rc == AVERROR_INVALIDDATA) {
      return absl::InvalidArgumentError(
          StrCat(path, ": not a media file FFmpeg can read (unknown or damaged format)"));
    }
    return AvStatus(path, "cannot open", rc);
  }
  FormatContextPtr fmt(raw);
  rc = avformat_find_stream_info(fmt.get(), nullptr);
  if (rc < 0) return AvStatus(path, "cannot read stream information", rc);
  return fmt;
}

absl::StatusOr<CodecContextPtr> OpenDecoder(const std::string& path, AVFormatContext* fmt,
                                           int index, int threads) {
  AVStream* st = fmt->streams[index];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) {
    return absl::UnimplementedError(StrCat(path, ": no decoder for codec ",
                                           avcodec_get_name(st->codecpar->codec_id)));
  }
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) return absl::ResourceExhaustedError(StrCat(path, ": out of memory"));
  int rc = avcodec_parameters_to_context(ctx.get(), st->codecpar);
  if (rc < 0) return AvStatus(path, "bad codec parameters", rc);
  ctx->thread_count = threads;
  ctx->pkt_timebase = st->time_base;
  rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return AvStatus(path, "cannot open decoder", rc);
  return ctx;
}

}  // namespace uncut
