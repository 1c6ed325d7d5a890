#include "decode/video_reader.h"

#include <cmath>
#include <string_view>

extern "C" {
#include <libavutil/imgutils.h>
}

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr size_t kScalePaddingBytes = 64;

// The largest reduction (log2, up to 3) of a width x height picture that
// keeps at least the pixels the options scale it to.
int ReductionFor(const VideoReadOptions& o, int width, int height) {
  int lowres = 0;
  if (o.exact_width > 0 && o.exact_height > 0) {
    while (lowres < 3 && (width >> (lowres + 1)) >= o.exact_width &&
           (height >> (lowres + 1)) >= o.exact_height) {
      ++lowres;
    }
  } else if (o.max_side > 0) {
    while (lowres < 3 && (std::max(width, height) >> (lowres + 1)) >= o.max_side) ++lowres;
  }
  return lowres;
}

// A digest of a frame's first plane (luma): equal frames, equal digests.
uint64_t LumaDigest(const AVFrame& f) {
  int row_bytes = av_image_get_linesize(static_cast<AVPixelFormat>(f.format), f.width, 0);
  uint64_t h = (uint64_t{static_cast<uint32_t>(f.width)} << 32) | static_cast<uint32_t>(f.height);
  if (row_bytes <= 0 || !f.data[0]) return h;
  for (int y = 0; y < f.height; ++y) {
    std::string_view row(reinterpret_cast<const char*>(f.data[0] + ptrdiff_t{y} * f.linesize[0]),
                         row_bytes);
    h = (h ^ std::hash<std::string_view>()(row)) * 0x100000001b3ULL;
  }
  return h;
}

int64_t FrameTimestamp(const AVFrame& f) {
  return f.best_effort_timestamp != AV_NOPTS_VALUE ? f.best_effort_timestamp : f.pts;
}

// The bytes before each NAL unit of a packet whose stream stores them
// length-prefixed (the avcC/hvcC extradata of MP4 and Matroska): 1-4; 0
// when they come after start codes (Annex B: MPEG-TS, raw streams).
int NalLengthSize(const AVCodecParameters& par) {
  const uint8_t* x = par.extradata;
  if (x == nullptr || par.extradata_size < 7 || x[0] != 1) return 0;
  if (par.codec_id == AV_CODEC_ID_H264) return (x[4] & 3) + 1;
  if (par.codec_id == AV_CODEC_ID_HEVC && par.extradata_size >= 23) return (x[21] & 3) + 1;
  return 0;
}

// Calls visit(nal, size) for each NAL unit of the packet.
template <typename Visit>
void ForEachNal(const AVPacket& p, int length_size, Visit visit) {
  const uint8_t* d = p.data;
  const size_t n = p.size > 0 && d != nullptr ? static_cast<size_t>(p.size) : 0;
  if (length_size > 0) {
    size_t at = 0;
    while (at + length_size <= n) {
      size_t len = 0;
      for (int i = 0; i < length_size; ++i) len = (len << 8) | d[at + i];
      at += length_size;
      if (len == 0 || len > n - at) return;
      visit(d + at, len);
      at += len;
    }
    return;
  }
  // Annex B: units follow 00 00 01 (or 00 00 00 01) start codes.
  auto next_start = [&](size_t from) {
    for (size_t i = from; i + 3 <= n; ++i) {
      if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) return i;
    }
    return n;
  };
  size_t at = next_start(0);
  while (at < n) {
    const size_t begin = at + 3;
    const size_t next = next_start(begin);
    size_t end = next;
    while (end > begin && d[end - 1] == 0) --end;
    if (end > begin) visit(d + begin, end - begin);
    at = next;
  }
}

}  // namespace

VideoReader::PacketNals VideoReader::ScanNals(const AVPacket& p) const {
  PacketNals out;
  const bool hevc = fmt_->streams[stream_]->codecpar->codec_id == AV_CODEC_ID_HEVC;
  ForEachNal(p, nal_length_size_, [&](const uint8_t* nal, size_t size) {
    const int type = hevc ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
    const bool idr = hevc ? (type == 19 || type == 20) : type == 5;
    const bool sps = hevc ? type == 33 : type == 7;
    out.idr |= idr;
    if (sps) {
      const uint64_t h = std::hash<std::string_view>()(
          std::string_view(reinterpret_cast<const char*>(nal), size));
      out.sps_digest = (out.sps_digest ^ h) * 0x100000001b3ULL | 1;
    }
  });
  return out;
}

bool VideoReader::NeedsRecheck(const AVPacket& p) {
  const PacketNals nals = ScanNals(p);
  if (nals.sps_digest != 0) {
    if (first_sps_ == 0) {
      first_sps_ = nals.sps_digest;
      first_sps_at_start_ = at_start_packet_;
    }
    if (sps_digest_ != 0 && nals.sps_digest != sps_digest_) sps_changed_ = true;
    sps_digest_ = nals.sps_digest;
  }
  const double t = PacketTime(p);
  if (std::isnan(last_probe_s_)) last_probe_s_ = t;  // the first packet: the probe started here
  if (!nals.idr || std::isnan(t)) return false;
  return sps_changed_ || (!std::isnan(last_probe_s_) && PeriodOf(t) > PeriodOf(last_probe_s_));
}

double VideoReader::PacketTime(const AVPacket& p) const {
  const int64_t ts = p.pts != AV_NOPTS_VALUE ? p.pts : p.dts;
  return ts == AV_NOPTS_VALUE ? std::numeric_limits<double>::quiet_NaN() : ts * time_base_;
}

bool VideoReader::IsRestartPoint(const AVPacket& p) const {
  switch (restart_rule_) {
    case RestartRule::kIdr:
      return ScanNals(p).idr;
    case RestartRule::kKeyFrame:
      return (p.flags & AV_PKT_FLAG_KEY) != 0;
    case RestartRule::kNone:
      break;
  }
  return false;
}

bool VideoReader::TrackRestartPoints(const AVPacket& p) {
  at_start_packet_ = false;
  if (options_.restart_from_s >= 0 && std::isnan(start_point_s_)) {
    const double t = PacketTime(p);
    if (std::isnan(t) || PeriodOf(t) < PeriodOf(options_.restart_from_s) || !IsRestartPoint(p)) {
      return false;
    }
    start_point_s_ = t;
    options_.start_s = t;
    at_start_packet_ = true;
    return true;
  }
  if (std::isfinite(options_.boundary_s) && std::isnan(boundary_point_s_) && IsRestartPoint(p)) {
    const double t = PacketTime(p);
    if (!std::isnan(t) && PeriodOf(t) >= PeriodOf(options_.boundary_s)) {
      boundary_point_s_ = t;
      if (restart_rule_ == RestartRule::kIdr) {
        const uint64_t own = ScanNals(p).sps_digest;
        boundary_sps_ = own != 0 ? own : sps_digest_;
      }
    }
  }
  return true;
}

absl::Status VideoReader::RestartProbe() {
  rechecking_ = false;
  sps_changed_ = false;
  skipping_b_references_ = false;
  // The decoder skipping every B-frame has returned all it had (it was
  // drained up to the IDR frame); it goes on as the main decoder, skipping
  // only non-reference frames, beside a new probing decoder.
  avcodec_flush_buffers(codec_.get());
  codec_->skip_frame = AVDISCARD_NONREF;
  StartProbe();
  const int64_t ts = held_->pts != AV_NOPTS_VALUE ? held_->pts : held_->dts;
  if (ts != AV_NOPTS_VALUE) last_probe_s_ = ts * time_base_;
  if (probe_) ProbeSend(held_.get());
  int rc = avcodec_send_packet(codec_.get(), held_.get());
  av_packet_unref(held_.get());
  if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
    return AvStatus(path_, "decoding failed", rc);
  }
  return absl::OkStatus();
}

void VideoReader::StartProbe() {
  auto probe = OpenDecoder(path_, fmt_.get(), stream_, options_.threads, 0);
  if (!probe.ok()) return;
  probe_ = std::move(*probe);
  probe_->skip_frame = AVDISCARD_BIDIR;
  probe_->skip_loop_filter = codec_->skip_loop_filter;
  main_digests_.clear();
  probe_digests_.clear();
  saw_b_reference_ = false;
  probe_matches_ = 0;
  probe_start_ = decoded_;
}

absl::StatusOr<std::unique_ptr<VideoReader>> VideoReader::Open(const std::string& path,
                                                               const VideoReadOptions& options) {
  return Open(MediaSource::File(path), options);
}

absl::StatusOr<std::unique_ptr<VideoReader>> VideoReader::Open(const MediaSource& source,
                                                               const VideoReadOptions& options) {
  const std::string& path = source.name;
  std::unique_ptr<VideoReader> r(new VideoReader());
  r->path_ = path;
  r->options_ = options;
  ASSIGN_OR_RETURN(Demuxer demuxer, OpenInput(source));
  r->io_ = std::move(demuxer.io);
  r->fmt_ = std::move(demuxer.fmt);
  int best = av_find_best_stream(r->fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (best >= 0 && (r->fmt_->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC)) best = -1;
  if (best < 0) return absl::FailedPreconditionError(StrCat(path, ": has no video stream"));
  r->stream_ = best;
  AVStream* st = r->fmt_->streams[best];
  if (int64_t{st->codecpar->width} * st->codecpar->height > options.max_pixels) {
    return absl::ResourceExhaustedError(StrCat(path, ": video frame size ", st->codecpar->width,
                                               "x", st->codecpar->height, " exceeds the limit"));
  }
  r->full_width_ = st->codecpar->width;
  r->full_height_ = st->codecpar->height;
  const AVCodecDescriptor* desc = avcodec_descriptor_get(st->codecpar->codec_id);
  const bool intra_only = desc && (desc->props & AV_CODEC_PROP_INTRA_ONLY);
  int lowres = options.reduced_resolution && intra_only
                   ? ReductionFor(options, r->full_width_, r->full_height_)
                   : 0;
  ASSIGN_OR_RETURN(r->codec_, OpenDecoder(path, r->fmt_.get(), best, options.threads, lowres));
  r->lowres_ = r->codec_->lowres;
  r->drop_unsampled_packets_ = options.sample_fps > 0 && !options.relative_time && intra_only;
  const AVCodecID codec_id = st->codecpar->codec_id;
  if (codec_id == AV_CODEC_ID_H264 || codec_id == AV_CODEC_ID_HEVC) {
    r->restart_rule_ = RestartRule::kIdr;
    r->nal_length_size_ = NalLengthSize(*st->codecpar);
  } else if (intra_only || codec_id == AV_CODEC_ID_VP8 || codec_id == AV_CODEC_ID_VP9 ||
             codec_id == AV_CODEC_ID_AV1) {
    r->restart_rule_ = RestartRule::kKeyFrame;
  }
  if (r->fmt_->start_time != AV_NOPTS_VALUE) r->start_time_s_ = r->fmt_->start_time / double(AV_TIME_BASE);
  if (options.skip_nonreference) r->codec_->skip_frame = AVDISCARD_NONREF;
  if (options.skip_bidirectional) r->codec_->skip_frame = AVDISCARD_BIDIR;
  if (options.skip_loop_filter) r->codec_->skip_loop_filter = AVDISCARD_ALL;
  r->time_base_ = av_q2d(st->time_base);
  if (r->fmt_->duration > 0) r->duration_s_ = r->fmt_->duration / double(AV_TIME_BASE);
  if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) r->fps_ = av_q2d(st->avg_frame_rate);
  // Only H.264 and HEVC have B-frames that may be references, and only
  // streams that reorder frames have B-frames. The probe's cost is fixed
  // (its first frames decoded twice), so short sources are not probed. A
  // probe that cannot start leaves decoding as it was.
  const AVCodecID id = st->codecpar->codec_id;
  if (options.skip_nonreference && options.skip_unused_b_references && !options.skip_bidirectional &&
      options.sample_fps > 0 && (id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC) &&
      st->codecpar->video_delay > 0 && r->duration_s_ >= options.min_b_probe_duration_s) {
    r->probe_frame_.reset(av_frame_alloc());
    r->held_.reset(av_packet_alloc());
    if (r->probe_frame_ && r->held_) {
      r->StartProbe();
      r->b_probing_ = r->probe_ != nullptr;
    }
  }
  r->frame_.reset(av_frame_alloc());
  r->packet_.reset(av_packet_alloc());
  if (!r->frame_ || !r->packet_) return absl::ResourceExhaustedError(StrCat(path, ": out of memory"));
  // A chunk starts at a restart point found by reading on from a key frame
  // a second before its time (which frames reordered after a key frame
  // before it cannot reach).
  const double seek_s = options.restart_from_s >= 0 ? options.restart_from_s - 1 : options.start_s;
  if (seek_s > 0) {
    int64_t ts = static_cast<int64_t>(seek_s / r->time_base_);
    // Seeking may fail on damaged indexes; decoding from the start is then correct, only slower.
    if (av_seek_frame(r->fmt_.get(), best, ts, AVSEEK_FLAG_BACKWARD) < 0) {
      av_seek_frame(r->fmt_.get(), best, 0, AVSEEK_FLAG_BACKWARD);
    }
  }
  double limit = options.max_decode_seconds > 0 ? options.max_decode_seconds
                                                : DecodeBudgetSeconds(r->fmt_.get(), 20.0);
  r->deadline_ = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<int64_t>(limit * 1000));
  return r;
}

absl::Status VideoReader::Convert(const AVFrame* in, VideoFrame* out) {
  int w = in->width, h = in->height;
  if (w <= 0 || h <= 0) return absl::InvalidArgumentError(StrCat(path_, ": frame without size"));
  if (int64_t{w} * h > options_.max_pixels) {
    return absl::ResourceExhaustedError(StrCat(path_, ": video frame size ", w, "x", h,
                                               " exceeds the limit"));
  }
  // A reduced picture is scaled to the size the full one would have had
  // (the decoder rounds reduced sizes up).
  int fw = w, fh = h;
  if (lowres_ > 0) {
    const int round = (1 << lowres_) - 1;
    bool stream_size = ((full_width_ + round) >> lowres_) == w && ((full_height_ + round) >> lowres_) == h;
    fw = stream_size ? full_width_ : w << lowres_;
    fh = stream_size ? full_height_ : h << lowres_;
  }
  int ow = w, oh = h;
  if (options_.max_side > 0 && std::max(fw, fh) > options_.max_side) {
    double s = static_cast<double>(options_.max_side) / std::max(fw, fh);
    ow = std::max(1, static_cast<int>(std::lround(fw * s)));
    oh = std::max(1, static_cast<int>(std::lround(fh * s)));
  } else if (lowres_ > 0) {
    ow = fw;
    oh = fh;
  }
  if (options_.exact_width > 0 && options_.exact_height > 0) {
    ow = options_.exact_width;
    oh = options_.exact_height;
  }
  AVPixelFormat dst = options_.rgb ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8;
  if (!sws_ || sws_w_ != w || sws_h_ != h || sws_fmt_ != in->format || sws_ow_ != ow ||
      sws_oh_ != oh) {
    sws_.reset(sws_getContext(w, h, static_cast<AVPixelFormat>(in->format), ow, oh, dst,
                              options_.scale_flags ? options_.scale_flags : SWS_AREA, nullptr,
                              nullptr, nullptr));
    if (!sws_) return absl::InvalidArgumentError(StrCat(path_, ": unsupported pixel format"));
    sws_w_ = w;
    sws_h_ = h;
    sws_fmt_ = in->format;
    sws_ow_ = ow;
    sws_oh_ = oh;
  }
  out->width = ow;
  out->height = oh;
  out->channels = options_.rgb ? 3 : 1;
  // swscale's vector code may write a little past the end of the last row;
  // the padding takes it, then is cut off.
  const size_t size = static_cast<size_t>(ow) * oh * out->channels;
  out->pixels.resize(size + kScalePaddingBytes);
  uint8_t* dst_planes[4] = {out->pixels.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {ow * out->channels, 0, 0, 0};
  sws_scale(sws_.get(), in->data, in->linesize, 0, h, dst_planes, dst_stride);
  out->pixels.resize(size);
  return absl::OkStatus();
}

absl::StatusOr<bool> VideoReader::Receive(VideoFrame* frame) {
  while (true) {
    int rc = avcodec_receive_frame(codec_.get(), frame_.get());
    if (rc == AVERROR(EAGAIN)) return false;
    if (rc == AVERROR_EOF) {
      if (rechecking_) {
        RETURN_IF_ERROR(RestartProbe());
        return false;
      }
      done_ = true;
      return false;
    }
    // A damaged frame is skipped (decoders resynchronise at the next key
    // frame), unless nothing but damage follows.
    if (rc == AVERROR_INVALIDDATA && ++bad_frames_ <= kMaxBadFramesInARow) continue;
    if (rc < 0) return AvStatus(path_, "decoding failed", rc);
    bad_frames_ = 0;
    ++decoded_;
    if (probe_) ProbeCompare(false, *frame_);
    int64_t pts = frame_->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE) pts = frame_->pts;
    double t = pts == AV_NOPTS_VALUE ? (decoded_ - 1) / std::max(fps_, 1.0) : pts * time_base_;
    if (std::isnan(first_time_)) first_time_ = t;
    if (options_.relative_time) t -= first_time_;
    if (t < options_.start_s - 1e-6) {
      av_frame_unref(frame_.get());
      continue;
    }
    if (t > options_.end_s) {
      av_frame_unref(frame_.get());
      done_ = true;
      return false;
    }
    if (options_.sample_fps > 0) {
      // One frame per cell of the sampling grid: the first at or after its time.
      int64_t cell = static_cast<int64_t>(std::ceil(t * options_.sample_fps - 0.5));
      if (cell < next_cell_) {
        av_frame_unref(frame_.get());
        continue;
      }
      next_cell_ = cell + 1;
    }
    frame->time_s = t;
    absl::Status s = Convert(frame_.get(), frame);
    av_frame_unref(frame_.get());
    RETURN_IF_ERROR(s);
    return true;
  }
}

bool VideoReader::WantPacket(const AVPacket& packet) {
  if (!drop_unsampled_packets_ || packet.pts == AV_NOPTS_VALUE) return true;
  // Each packet is a whole frame with this time: the grid takes the first
  // one of each cell, as Receive does with decoded frames.
  double t = packet.pts * time_base_;
  if (t < options_.start_s - 1e-6) return false;
  int64_t cell = static_cast<int64_t>(std::ceil(t * options_.sample_fps - 0.5));
  if (cell < next_packet_cell_) return false;
  next_packet_cell_ = cell + 1;
  return true;
}

absl::StatusOr<bool> VideoReader::Next(VideoFrame* frame) {
  while (!done_) {
    ASSIGN_OR_RETURN(bool got, Receive(frame));
    if (got) return true;
    if (done_) break;
    if (std::chrono::steady_clock::now() > deadline_) {
      return absl::DeadlineExceededError(StrCat(path_, ": decoding took too long; giving up"));
    }
    if (flushing_) continue;
    // The probing decoder takes over once it has proved itself and the
    // main decoder has returned every frame it returned (the grid skips
    // what the main decoder had already returned beyond).
    if (probe_ && probe_matches_ >= kBProbeMatches && probe_digests_.empty()) {
      codec_ = std::move(probe_);
      skipping_b_references_ = true;
      StopProbe();
    }
    // Feed the decoder the next packet of our stream.
    while (true) {
      int rc = av_read_frame(fmt_.get(), packet_.get());
      if (rc == AVERROR_EOF || rc == AVERROR(EIO)) {
        flushing_ = true;
        StopProbe();
        avcodec_send_packet(codec_.get(), nullptr);
        break;
      }
      if (rc < 0) return AvStatus(path_, "reading failed", rc);
      if (packet_->stream_index != stream_ || !TrackRestartPoints(*packet_) ||
          !WantPacket(*packet_)) {
        av_packet_unref(packet_.get());
        continue;
      }
      // Whether the B-frames are unused is probed again at an IDR frame
      // after new sequence parameters (a stream joined from differently
      // encoded parts) and at the first of each b_recheck_period_s: the
      // decoder is drained, and decoding restarts there with the
      // reference B-frames beside a new probe.
      if (b_probing_ && NeedsRecheck(*packet_)) {
        av_packet_move_ref(held_.get(), packet_.get());
        rechecking_ = true;
        avcodec_send_packet(codec_.get(), nullptr);
        break;
      }
      if (probe_) ProbeSend(packet_.get());
      rc = avcodec_send_packet(codec_.get(), packet_.get());
      av_packet_unref(packet_.get());
      // Damaged packets are skipped: decoders resynchronise at the next key frame.
      if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
        return AvStatus(path_, "decoding failed", rc);
      }
      break;
    }
  }
  return false;
}

void VideoReader::ProbeSend(const AVPacket* packet) {
  // Without reference B-frames (none in the first frames) there is nothing to skip.
  const int64_t decoded = decoded_ - probe_start_;
  if (decoded > kBProbeMaxFrames || (!saw_b_reference_ && decoded > kBProbeNoBFrames)) {
    return StopProbe();
  }
  int rc = avcodec_send_packet(probe_.get(), packet);
  if (rc < 0) return StopProbe();
  while (probe_) {
    rc = avcodec_receive_frame(probe_.get(), probe_frame_.get());
    if (rc < 0) {
      if (rc != AVERROR(EAGAIN)) StopProbe();
      return;
    }
    ProbeCompare(true, *probe_frame_);
    av_frame_unref(probe_frame_.get());
  }
}

void VideoReader::ProbeCompare(bool from_probe, const AVFrame& frame) {
  if (frame.pict_type == AV_PICTURE_TYPE_B) {
    // Only reference B-frames come out of the main decoder (NONREF).
    if (from_probe) return StopProbe();
    saw_b_reference_ = true;
    return;
  }
  const int64_t ts = FrameTimestamp(frame);
  if (ts == AV_NOPTS_VALUE) return StopProbe();
  auto& mine = from_probe ? probe_digests_ : main_digests_;
  auto& other = from_probe ? main_digests_ : probe_digests_;
  const uint64_t digest = LumaDigest(frame);
  auto it = other.find(ts);
  if (it == other.end()) {
    mine[ts] = digest;
    // The two decoders drift apart only by their reordering delays.
    if (mine.size() > 64) StopProbe();
    return;
  }
  const bool same = it->second == digest;
  other.erase(it);
  if (!same) return StopProbe();
  if (saw_b_reference_) ++probe_matches_;
}

void VideoReader::StopProbe() {
  probe_.reset();
  main_digests_.clear();
  probe_digests_.clear();
}

}  // namespace uncut
