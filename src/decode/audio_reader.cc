#include "decode/audio_reader.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/status_macros.h"
#include "base/strings.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace uncut {

absl::StatusOr<std::unique_ptr<AudioReader>> AudioReader::Open(const std::string& path,
                                                               const AudioReadOptions& options) {
  return Open(MediaSource::File(path), options);
}

absl::StatusOr<std::unique_ptr<AudioReader>> AudioReader::Open(const MediaSource& source,
                                                               const AudioReadOptions& options) {
  const std::string& path = source.name;
  std::unique_ptr<AudioReader> r(new AudioReader());
  r->path_ = path;
  r->options_ = options;
  ASSIGN_OR_RETURN(Demuxer demuxer, OpenInput(source, options.trust_header));
  r->io_ = std::move(demuxer.io);
  r->fmt_ = std::move(demuxer.fmt);
  int best = av_find_best_stream(r->fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (best < 0) return absl::FailedPreconditionError(StrCat(path, ": has no audio stream"));
  r->stream_ = best;
  int rate = r->fmt_->streams[best]->codecpar->sample_rate;
  if (rate > kMaxSampleRate) {
    return absl::InvalidArgumentError(
        StrCat(path, ": audio sample rate ", rate, " Hz is implausible"));
  }
  ASSIGN_OR_RETURN(r->codec_, OpenDecoder(path, r->fmt_.get(), best));
  if (r->fmt_->duration > 0) r->duration_s_ = r->fmt_->duration / double(AV_TIME_BASE);
  r->frame_.reset(av_frame_alloc());
  r->packet_.reset(av_packet_alloc());
  if (!r->frame_ || !r->packet_) return absl::ResourceExhaustedError(StrCat(path, ": out of memory"));
  double limit = options.max_decode_seconds > 0 ? options.max_decode_seconds
                                                : DecodeBudgetSeconds(r->fmt_.get(), 5.0);
  r->deadline_ = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<int64_t>(limit * 1000));
  return r;
}

void AudioReader::FlushResampler(std::vector<float>* out) {
  if (!swr_) return;
  // Samples still inside the resampler.
  std::vector<float> tail(4096);
  uint8_t* o[1] = {reinterpret_cast<uint8_t*>(tail.data())};
  int n = swr_convert(swr_.get(), o, static_cast<int>(tail.size()), nullptr, 0);
  if (n > 0) out->insert(out->end(), tail.begin(), tail.begin() + n);
}

absl::Status AudioReader::ConfigureResampler(const AVFrame* frame) {
  // A resampler for an absurd rate takes seconds and hundreds of MB to set up.
  if (frame->sample_rate > kMaxSampleRate) {
    return absl::InvalidArgumentError(
        StrCat(path_, ": audio sample rate ", frame->sample_rate, " Hz is implausible"));
  }
  SwrContext* raw = nullptr;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  AVChannelLayout in_layout{};
  int rc = av_channel_layout_copy(&in_layout, &frame->ch_layout);
  if (rc >= 0) {
    rc = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, options_.sample_rate, &in_layout,
                             static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0,
                             nullptr);
  }
  av_channel_layout_uninit(&in_layout);
  swr_.reset(raw);
  // A shorter resampling filter: fingerprints keep only 300-3400 Hz, far
  // from the 4 kHz edge where a longer filter would matter.
  if (swr_) av_opt_set_int(swr_.get(), "filter_size", 8, 0);
  if (rc < 0 || !swr_ || swr_init(swr_.get()) < 0) {
    swr_.reset();
    return absl::InvalidArgumentError(StrCat(path_, ": cannot resample this audio"));
  }
  swr_channels_ = frame->ch_layout.nb_channels;
  swr_format_ = frame->format;
  swr_rate_ = frame->sample_rate;
  return absl::OkStatus();
}

absl::Status AudioReader::Drain(std::vector<float>* out, bool flush) {
  while (true) {
    int rc = flush ? AVERROR_EOF : avcodec_receive_frame(codec_.get(), frame_.get());
    if (rc == AVERROR(EAGAIN)) return absl::OkStatus();
    if (rc == AVERROR_EOF) {
      FlushResampler(out);
      done_ = true;
      return absl::OkStatus();
    }
    // A damaged frame is skipped (decoders resynchronise), unless nothing
    // but damage follows.
    if (rc == AVERROR_INVALIDDATA && ++bad_frames_ <= kMaxBadFramesInARow) continue;
    if (rc < 0) return AvStatus(path_, "audio decoding failed", rc);
    bad_frames_ = 0;
    const AVFrame* f = frame_.get();
    if (f->nb_samples <= 0 || f->ch_layout.nb_channels <= 0 || f->sample_rate <= 0 ||
        !f->extended_data) {
      av_frame_unref(frame_.get());  // nothing usable in it
      continue;
    }
    // Streams may change their channels, sample format or rate midway (and
    // damaged ones do): the resampler must describe each frame's data.
    if (!swr_ || f->ch_layout.nb_channels != swr_channels_ || f->format != swr_format_ ||
        f->sample_rate != swr_rate_) {
      FlushResampler(out);
      absl::Status s = ConfigureResampler(f);
      if (!s.ok()) {
        av_frame_unref(frame_.get());
        return s;
      }
    }
    int skip = 0;  // leading samples of the frame not converted
    if (aligning_) {
      absl::StatusOr<int> d = AlignmentSkip(*f);
      if (!d.ok()) {
        av_frame_unref(frame_.get());
        return d.status();
      }
      if (*d >= f->nb_samples) {
        av_frame_unref(frame_.get());
        continue;
      }
      skip = *d;
      aligning_ = false;
    }
    if (!started_) {
      int64_t pts = f->best_effort_timestamp;
      if (pts != AV_NOPTS_VALUE) {
        start_s_ = pts * av_q2d(fmt_->streams[stream_]->time_base) +
                   skip / static_cast<double>(f->sample_rate);
      }
      started_ = true;
    }
    const int in_samples = f->nb_samples - skip;
    const int bytes = av_get_bytes_per_sample(static_cast<AVSampleFormat>(f->format));
    const bool planar = av_sample_fmt_is_planar(static_cast<AVSampleFormat>(f->format));
    std::vector<const uint8_t*> planes;
    const uint8_t** in_data = const_cast<const uint8_t**>(f->extended_data);
    if (skip > 0) {
      const int channels = f->ch_layout.nb_channels;
      planes.resize(planar ? channels : 1);
      for (size_t c = 0; c < planes.size(); ++c) {
        planes[c] = f->extended_data[c] + static_cast<size_t>(skip) * bytes * (planar ? 1 : channels);
      }
      in_data = planes.data();
    }
    int max_out = swr_get_out_samples(swr_.get(), in_samples);
    if (max_out < 0) {
      av_frame_unref(frame_.get());
      return absl::InvalidArgumentError(StrCat(path_, ": resampling failed"));
    }
    size_t at = out->size();
    out->resize(at + max_out);
    uint8_t* o[1] = {reinterpret_cast<uint8_t*>(out->data() + at)};
    int n = swr_convert(swr_.get(), o, max_out, in_data, in_samples);
    av_frame_unref(frame_.get());
    if (n < 0) return absl::InvalidArgumentError(StrCat(path_, ": resampling failed"));
    out->resize(at + n);
  }
}

absl::StatusOr<bool> AudioReader::Read(std::vector<float>* out, size_t chunk) {
  if (done_) return false;
  size_t before = out->size();
  while (!done_ && out->size() - before < chunk) {
    if (std::chrono::steady_clock::now() > deadline_) {
      return absl::DeadlineExceededError(StrCat(path_, ": decoding took too long; giving up"));
    }
    if (flushing_) {
      RETURN_IF_ERROR(Drain(out, false));
      if (!done_) RETURN_IF_ERROR(Drain(out, true));
      break;
    }
    int rc = av_read_frame(fmt_.get(), packet_.get());
    if (rc == AVERROR_EOF || rc == AVERROR(EIO)) {
      flushing_ = true;
      avcodec_send_packet(codec_.get(), nullptr);
      continue;
    }
    if (rc < 0) return AvStatus(path_, "reading failed", rc);
    if (packet_->stream_index != stream_) {
      av_packet_unref(packet_.get());
      continue;
    }
    rc = avcodec_send_packet(codec_.get(), packet_.get());
    av_packet_unref(packet_.get());
    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
      return AvStatus(path_, "audio decoding failed", rc);
    }
    RETURN_IF_ERROR(Drain(out, false));
  }
  return out->size() > before || !done_;
}

absl::Status AudioReader::Seek(double t) {
  const AVRational tb = fmt_->streams[stream_]->time_base;
  const int64_t ts = static_cast<int64_t>(std::floor(t / av_q2d(tb)));
  int rc = av_seek_frame(fmt_.get(), stream_, ts, AVSEEK_FLAG_BACKWARD);
  if (rc < 0) return AvStatus(path_, "seeking failed", rc);
  avcodec_flush_buffers(codec_.get());
  swr_.reset();
  swr_channels_ = 0;
  swr_format_ = -1;
  swr_rate_ = 0;
  bad_frames_ = 0;
  start_s_ = 0;
  started_ = flushing_ = done_ = aligning_ = false;
  return absl::OkStatus();
}

absl::Status AudioReader::SeekAligned(double t, double origin_s) {
  RETURN_IF_ERROR(Seek(t));
  aligning_ = true;
  align_origin_s_ = origin_s;
  return absl::OkStatus();
}

int AudioReader::input_sample_rate() const {
  return fmt_->streams[stream_]->codecpar->sample_rate;
}

absl::StatusOr<int> AudioReader::AlignmentSkip(const AVFrame& f) const {
  const AVRational tb = fmt_->streams[stream_]->time_base;
  const int64_t pts = f.best_effort_timestamp;
  // A tick of the time base must not exceed a sample: tb <= 1 / rate.
  if (pts == AV_NOPTS_VALUE || tb.num <= 0 || tb.den <= 0 ||
      int64_t{tb.num} * f.sample_rate > tb.den) {
    return absl::FailedPreconditionError(
        StrCat(path_, ": sound timestamps are coarser than a sample"));
  }
  const double index = (pts * av_q2d(tb) - align_origin_s_) * f.sample_rate;
  const int64_t k = std::llround(index);
  if (std::abs(index - k) > 0.01) {
    return absl::FailedPreconditionError(
        StrCat(path_, ": sound timestamps fall between samples"));
  }
  const int64_t period = f.sample_rate / std::gcd(f.sample_rate, options_.sample_rate);
  const int64_t skip = ((-k) % period + period) % period;
  return static_cast<int>(std::min<int64_t>(skip, INT32_MAX));
}

absl::StatusOr<std::vector<float>> DecodeAudio(const std::string& path, int sample_rate) {
  AudioReadOptions o;
  o.sample_rate = sample_rate;
  ASSIGN_OR_RETURN(auto r, AudioReader::Open(path, o));
  std::vector<float> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, r->Read(&out));
    if (!more) break;
  }
  return out;
}

absl::StatusOr<std::vector<float>> ResampleMono(const std::vector<float>& samples, int in_rate,
                                                int out_rate) {
  if (in_rate <= 0 || out_rate <= 0 || in_rate > kMaxSampleRate || out_rate > kMaxSampleRate) {
    return absl::InvalidArgumentError(StrCat("cannot resample ", in_rate, " Hz to ", out_rate, " Hz"));
  }
  SwrContext* raw = nullptr;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  int rc = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, out_rate, &mono, AV_SAMPLE_FMT_FLT,
                               in_rate, 0, nullptr);
  SwrPtr swr(raw);
  if (rc < 0 || !swr || swr_init(swr.get()) < 0) {
    return absl::InternalError(StrCat("cannot resample ", in_rate, " Hz to ", out_rate, " Hz"));
  }
  const int64_t n_out =
      static_cast<int64_t>(samples.size()) * out_rate / in_rate + 4096;
  if (samples.size() > static_cast<size_t>(INT32_MAX / 4) || n_out > INT32_MAX / 4) {
    return absl::InvalidArgumentError("sound too long to resample in one piece");
  }
  std::vector<float> out(static_cast<size_t>(n_out));
  uint8_t* o[1] = {reinterpret_cast<uint8_t*>(out.data())};
  const uint8_t* in[1] = {reinterpret_cast<const uint8_t*>(samples.data())};
  int n = swr_convert(swr.get(), o, static_cast<int>(out.size()), in,
                      static_cast<int>(samples.size()));
  if (n < 0) return absl::InternalError("resampling failed");
  size_t got = static_cast<size_t>(n);
  o[0] = reinterpret_cast<uint8_t*>(out.data() + got);
  int tail = swr_convert(swr.get(), o, static_cast<int>(out.size() - got), nullptr, 0);
  if (tail > 0) got += static_cast<size_t>(tail);
  out.resize(got);
  return out;
}

namespace {

// Samples read from `r` until t1, the first at r->start_s().
absl::StatusOr<std::vector<float>> ReadUntil(AudioReader* r, double t1) {
  const double rate = r->sample_rate();
  std::vector<float> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, r->Read(&out, 2048));
    if (!more || r->start_s() + out.size() / rate >= t1) break;
  }
  return out;
}

// Cuts `samples`, starting at *start, to [t0, t1].
void CutToRange(int sample_rate, double t0, double t1, double* start, std::vector<float>* samples) {
  const double skip = std::floor((t0 - *start) * sample_rate);
  if (skip > 0) {
    const size_t n = std::min(samples->size(), static_cast<size_t>(skip));
    samples->erase(samples->begin(), samples->begin() + n);
    *start += n / static_cast<double>(sample_rate);
  }
  const double keep = std::ceil((t1 - *start) * sample_rate);
  if (keep >= 0 && samples->size() > static_cast<size_t>(keep)) {
    samples->resize(static_cast<size_t>(keep));
  }
}

}  // namespace

absl::StatusOr<std::vector<float>> DecodeAudioRange(AudioReader* r, double t0, double t1,
                                                    double* start) {
  // Lapped codecs (AAC, Vorbis, Opus) need the frame before a sample to
  // decode it exactly: start a little early.
  constexpr double kPreRoll = 0.1;
  std::vector<float> out;
  // Containers without an index (MPEG-TS, some Ogg) seek by estimate and
  // may land after t0: then once more, well before it. From the very
  // beginning, what comes is the file's first sample, wherever it lies.
  double target = 0;
  for (const double back : {kPreRoll, 5.0}) {
    target = std::max(0.0, t0 - back);
    RETURN_IF_ERROR(r->Seek(target));
    ASSIGN_OR_RETURN(out, ReadUntil(r, t1));
    if (out.empty() || r->start_s() <= t0 + 0.001 || target == 0) break;
  }
  if (!out.empty() && r->start_s() > t0 + 0.001 && target > 0) {
    return absl::FailedPreconditionError(StrCat(r->path(), ": seeking landed after ", t0, " s"));
  }
  *start = r->start_s();
  CutToRange(r->sample_rate(), t0, t1, start, &out);
  return out;
}

}  // namespace uncut
