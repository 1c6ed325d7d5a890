#include "decode/ffmpeg.h"

#include <algorithm>
#include <cstdarg>
#include <cstring>
#include <string>

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

namespace {

constexpr int kIoBufferBytes = 32 << 10;

// FFmpeg's last error-level log line on this thread. Its logging is kept
// off the terminal, but when opening fails the line often says more than
// the error code ("Picture size 40000x30000 is invalid" for EBUSY).
thread_local std::string t_last_error;

void KeepErrors(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > AV_LOG_ERROR) return;
  char line[512];
  int print_prefix = 0;
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &print_prefix);
  std::string s(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '.')) s.pop_back();
  if (!s.empty()) t_last_error = std::move(s);
}

// The reason to give for a failed open: FFmpeg's own line when it logged one.
std::string OpenFailure(int err) {
  std::string reason = t_last_error.empty() ? AvErrorText(err) : t_last_error;
  t_last_error.clear();
  return reason;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MemoryIo>> MemoryIo::Create(std::string_view bytes) {
  std::unique_ptr<MemoryIo> io(new MemoryIo(bytes));
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
  if (!buffer) return absl::ResourceExhaustedError("out of memory");
  io->ctx_ = avio_alloc_context(buffer, kIoBufferBytes, 0, io.get(), &MemoryIo::Read, nullptr,
                                &MemoryIo::Seek);
  if (!io->ctx_) {
    av_free(buffer);
    return absl::ResourceExhaustedError("out of memory");
  }
  return io;
}

MemoryIo::~MemoryIo() {
  if (ctx_) {
    av_freep(&ctx_->buffer);  // may have been reallocated by libavformat
    avio_context_free(&ctx_);
  }
}

int MemoryIo::Read(void* opaque, uint8_t* buf, int size) {
  auto* io = static_cast<MemoryIo*>(opaque);
  int64_t left = static_cast<int64_t>(io->bytes_.size()) - io->pos_;
  if (left <= 0 || size <= 0) return AVERROR_EOF;
  int n = static_cast<int>(std::min<int64_t>(left, size));
  std::memcpy(buf, io->bytes_.data() + io->pos_, n);
  io->pos_ += n;
  return n;
}

int64_t MemoryIo::Seek(void* opaque, int64_t offset, int whence) {
  auto* io = static_cast<MemoryIo*>(opaque);
  const int64_t size = static_cast<int64_t>(io->bytes_.size());
  if (whence & AVSEEK_SIZE) return size;
  int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = io->pos_;
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset > size - base || offset < -base) return AVERROR(EINVAL);
  io->pos_ = base + offset;
  return io->pos_;
}

absl::StatusOr<Demuxer> OpenInput(const MediaSource& source, bool audio_header_suffices) {
  static const bool quiet = [] {
    av_log_set_callback(&KeepErrors);
    return true;
  }();
  (void)quiet;
  t_last_error.clear();
  const std::string& path = source.name;
  Demuxer d;
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return absl::ResourceExhaustedError(StrCat(path, ": out of memory"));
  // Bounded probing: hostile files must not make probing unbounded.
  raw->probesize = 32 << 20;
  raw->max_analyze_duration = 30 * AV_TIME_BASE;
  if (source.bytes) {
    auto io = MemoryIo::Create(*source.bytes);
    if (!io.ok()) {
      avformat_free_context(raw);
      return absl::Status(io.status().code(), StrCat(path, ": ", io.status().message()));
    }
    d.io = std::move(*io);
    raw->pb = d.io->context();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  }
  // Memory sources have no file name to open; the URL only names them.
  int rc = avformat_open_input(&raw, source.bytes ? "" : path.c_str(), nullptr, nullptr);
  if (rc < 0) {
    if (rc == AVERROR_INVALIDDATA) {
      return absl::InvalidArgumentError(
          StrCat(path, ": not a media file FFmpeg can read (unknown or damaged format)"));
    }
    if (rc == AVERROR(ENOENT) || rc == AVERROR(EACCES) || rc == AVERROR(ENOMEM)) {
      return AvStatus(path, "cannot open", rc);
    }
    return absl::InvalidArgumentError(StrCat(path, ": cannot open: ", OpenFailure(rc)));
  }
  d.fmt.reset(raw);
  if (audio_header_suffices) {
    for (unsigned i = 0; i < raw->nb_streams; ++i) {
      const AVCodecParameters* p = raw->streams[i]->codecpar;
      if (p->codec_type == AVMEDIA_TYPE_AUDIO && p->codec_id != AV_CODEC_ID_NONE &&
          p->sample_rate > 0 && p->ch_layout.nb_channels > 0) {
        t_last_error.clear();
        return d;
      }
    }
  }
  rc = avformat_find_stream_info(d.fmt.get(), nullptr);
  if (rc < 0) {
    return absl::InvalidArgumentError(
        StrCat(path, ": cannot read stream information: ", OpenFailure(rc)));
  }
  t_last_error.clear();
  return d;
}

double DecodeBudgetSeconds(AVFormatContext* fmt, double seconds_per_media_second) {
  double duration_s = fmt->duration > 0 ? fmt->duration / double(AV_TIME_BASE) : 0;
  double budget = seconds_per_media_second * duration_s;
  int64_t bytes = fmt->pb ? avio_size(fmt->pb) : -1;
  if (bytes > 0) budget = std::min(budget, 20.0 * bytes / (1 << 20));
  return 60.0 + budget;
}

absl::StatusOr<CodecContextPtr> OpenDecoder(const std::string& path, AVFormatContext* fmt,
                                           int index, int threads, int lowres) {
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
  ctx->lowres = std::clamp(lowres, 0, static_cast<int>(codec->max_lowres));
  ctx->pkt_timebase = st->time_base;
  rc = avcodec_open2(ctx.get(), codec, nullptr);
  if (rc < 0) return AvStatus(path, "cannot open decoder", rc);
  return ctx;
}

}  // namespace uncut
