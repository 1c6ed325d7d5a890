#include "audio/peak_chunks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "audio/peak_stream.h"
#include "audio/spectrum.h"
#include "base/parallel.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/audio_reader.h"

namespace uncut {
namespace {

// Frames either side of a frame that its peak search reads (through the
// whitening of the frames around it).
constexpr uint32_t kMarginFrames = audio_internal::kWhitenHalf + audio_internal::kPeakTimeRadius;
// The samples either side of a chunk's edge that the chunks meeting there
// must agree on: every sample a frame within kMarginFrames of it reads.
constexpr uint64_t kCheckSamples = 2 * kMarginFrames * kAudioHop + audio_internal::kFrame;
// Decoded before a chunk's first needed sample, so that a decoder that
// needs the frames before a sample (lapped transforms, MP3's bit
// reservoir) has had them.
constexpr double kPreRollS = 1.0;

struct Chunk {
  uint32_t own_from = 0, own_to = 0;  // frames whose peaks it gives
  bool last = false;
};

struct ChunkResult {
  absl::Status status;
  PeakPart part;
  uint64_t end_sample = 0;         // one past the last sample fed (the sound's length, if last)
  std::vector<float> head, tail;   // the samples around its first and last edge
};

// Samples from sample index `first` on, fed to `stream` while below `end`,
// the ones in [head_at, head_at + kCheckSamples) and [tail_at, ...) copied.
class Feeder {
 public:
  Feeder(PeakStream* stream, ChunkResult* out, uint64_t from, uint64_t end, uint64_t head_at,
         uint64_t tail_at)
      : stream_(stream), out_(out), from_(from), end_(end), head_at_(head_at), tail_at_(tail_at) {}

  // Feeds `samples`, the first at sample index `at`. Returns whether more are wanted.
  bool Feed(const std::vector<float>& samples, uint64_t at) {
    uint64_t lo = std::max(at, from_), hi = std::min(at + samples.size(), end_);
    if (lo < hi) {
      std::span<const float> s(samples.data() + (lo - at), hi - lo);
      stream_->Add(s);
      Copy(s, lo, head_at_, &out_->head);
      Copy(s, lo, tail_at_, &out_->tail);
      fed_to_ = hi;
    }
    return at + samples.size() < end_;
  }
  uint64_t fed_to() const { return fed_to_; }

 private:
  static void Copy(std::span<const float> s, uint64_t at, uint64_t want, std::vector<float>* out) {
    const uint64_t lo = std::max(at, want), hi = std::min(at + s.size(), want + kCheckSamples);
    if (lo < hi) out->insert(out->end(), s.begin() + (lo - at), s.begin() + (hi - at));
  }

  PeakStream* stream_;
  ChunkResult* out_;
  const uint64_t from_, end_, head_at_, tail_at_;
  uint64_t fed_to_ = 0;
};

// Analyses `chunk` of the sound whose first sample is at `origin_s`; chunk
// 0 continues `reader`, which has returned `first` already, the others
// open their own.
ChunkResult AnalyseChunk(const std::string& path, const Chunk& chunk, double origin_s,
                         std::unique_ptr<AudioReader> reader, std::vector<float> first) {
  ChunkResult r;
  const uint32_t from_frame = chunk.own_from > kMarginFrames ? chunk.own_from - kMarginFrames : 0;
  const uint64_t from = uint64_t{from_frame} * kAudioHop;
  const uint64_t end = chunk.last ? std::numeric_limits<uint64_t>::max()
                                  : (uint64_t{chunk.own_to} + kMarginFrames + 1) * kAudioHop +
                                        audio_internal::kFrame;
  const uint64_t tail_at =
      chunk.last ? end : (uint64_t{chunk.own_to} - kMarginFrames) * kAudioHop;
  PeakStream stream(kIndexPeaksPerSecond, from_frame);
  Feeder feeder(&stream, &r, from, end, chunk.own_from == 0 ? end : from, tail_at);
  auto run = [&]() -> absl::Status {
    uint64_t at = 0;  // sample index of the next sample read
    if (reader == nullptr) {
      AudioReadOptions o;
      o.sample_rate = kAudioSampleRate;
      o.trust_header = true;
      ASSIGN_OR_RETURN(reader, AudioReader::Open(path, o));
      RETURN_IF_ERROR(reader->SeekAligned(
          std::max(0.0, origin_s + from / double(kAudioSampleRate) - kPreRollS), origin_s));
      first.clear();
      ASSIGN_OR_RETURN(bool more, reader->Read(&first));
      if (!more) return absl::OutOfRangeError("nothing decodes after the seek");
      const double start = (reader->start_s() - origin_s) * kAudioSampleRate;
      if (start > from + 0.5) return absl::OutOfRangeError("the seek landed late");
      at = static_cast<uint64_t>(std::llround(std::max(0.0, start)));
    }
    std::vector<float> samples = std::move(first);
    while (true) {
      if (!feeder.Feed(samples, at)) break;
      at += samples.size();
      samples.clear();
      ASSIGN_OR_RETURN(bool more, reader->Read(&samples));
      if (!more) {
        if (!chunk.last) return absl::OutOfRangeError("the sound ends before the chunk");
        break;
      }
    }
    return absl::OkStatus();
  };
  r.status = run();
  r.end_sample = feeder.fed_to();
  r.part = stream.FinishPart(chunk.own_from, chunk.last ? UINT32_MAX : chunk.own_to);
  return r;
}

// `n` samples of the sound from sample index `from` on, decoded from
// `pre_roll_s` before it.
absl::StatusOr<std::vector<float>> SamplesAt(const std::string& path, double origin_s,
                                             uint64_t from, size_t n, double pre_roll_s) {
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  o.trust_header = true;
  ASSIGN_OR_RETURN(auto reader, AudioReader::Open(path, o));
  RETURN_IF_ERROR(reader->SeekAligned(
      std::max(0.0, origin_s + from / double(kAudioSampleRate) - pre_roll_s), origin_s));
  std::vector<float> got;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Read(&got, 8192));
    const double start = (reader->start_s() - origin_s) * kAudioSampleRate;
    if (start > from + 0.5) return absl::OutOfRangeError("the seek landed late");
    const uint64_t at = static_cast<uint64_t>(std::llround(std::max(0.0, start)));
    if (at + got.size() >= from + n) {
      return std::vector<float>(got.begin() + (from - at), got.begin() + (from + n - at));
    }
    if (!more) return absl::OutOfRangeError("the sound ends early");
  }
}

// Whether decoding from a seek point a pre-roll before a sample in the
// middle gives the same samples as decoding from much further back: a
// cheap trial of one chunk edge before decoding the whole sound in chunks.
bool EdgesRejoin(const std::string& path, double origin_s, double duration_s) {
  const uint64_t from = static_cast<uint64_t>(duration_s / 2 * kAudioSampleRate);
  auto near = SamplesAt(path, origin_s, from, kCheckSamples, kPreRollS);
  auto far = SamplesAt(path, origin_s, from, kCheckSamples, 10 * kPreRollS);
  return near.ok() && far.ok() &&
         std::memcmp(near->data(), far->data(), kCheckSamples * sizeof(float)) == 0;
}

absl::StatusOr<ChunkedPeaks> ReadWhole(std::unique_ptr<AudioReader> reader,
                                       const std::vector<float>& first) {
  ChunkedPeaks out;
  PeakStream stream;
  stream.Add(first);
  std::vector<float> samples;
  while (true) {
    samples.clear();
    ASSIGN_OR_RETURN(bool more, reader->Read(&samples));
    stream.Add(samples);
    if (!more) break;
  }
  out.peaks = stream.Finish();
  out.peaks.start_s = reader->start_s();
  return out;
}

absl::StatusOr<ChunkedPeaks> ReadWhole(const std::string& path) {
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  ASSIGN_OR_RETURN(auto reader, AudioReader::Open(path, o));
  return ReadWhole(std::move(reader), {});
}

}  // namespace

absl::StatusOr<ChunkedPeaks> ReadPeaksInChunks(const std::string& path,
                                               const ChunkedPeakOptions& options) {
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  ASSIGN_OR_RETURN(auto reader, AudioReader::Open(path, o));
  // The first samples give the time of the sound's first sample, from
  // which every chunk counts.
  std::vector<float> first;
  ASSIGN_OR_RETURN(bool more, reader->Read(&first, 4096));
  const double duration_s = reader->duration_s();
  const double min_chunk_s = std::max(options.min_chunk_s, 2 * kMarginFrames * kAudioFrameS);
  int chunks = static_cast<int>(std::min<double>(duration_s / min_chunk_s,
                                                 double{options.jobs} * options.chunks_per_job));
  if (!more || options.jobs <= 1 || chunks < 2) return ReadWhole(std::move(reader), first);
  const double origin_s = reader->start_s();
  if (!EdgesRejoin(path, origin_s, duration_s)) return ReadWhole(std::move(reader), first);

  std::vector<Chunk> plan(chunks);
  const double frames = duration_s / kAudioFrameS;
  for (int i = 0; i < chunks; ++i) {
    plan[i].own_from = i == 0 ? 0 : plan[i - 1].own_to;
    plan[i].own_to = static_cast<uint32_t>(std::llround(frames * (i + 1) / chunks));
    plan[i].last = i + 1 == chunks;
  }
  std::vector<ChunkResult> results(chunks);
  RunTasksOnThreads(chunks, std::max(1, options.jobs), [&](size_t i) {
    // The first chunk goes on with the reader already open at the start.
    results[i] = i == 0 ? AnalyseChunk(path, plan[0], origin_s, std::move(reader), std::move(first))
                        : AnalyseChunk(path, plan[i], origin_s, nullptr, {});
  });

  // Each edge's samples, as the chunks on either side decoded them, must
  // be the same bits; otherwise the recording is read whole.
  for (int i = 0; i < chunks; ++i) {
    const ChunkResult& r = results[i];
    if (!r.status.ok()) return ReadWhole(path);
    if (i > 0) {
      const std::vector<float>& a = results[i - 1].tail;
      if (a.size() != kCheckSamples || a.size() != r.head.size() ||
          std::memcmp(a.data(), r.head.data(), a.size() * sizeof(float)) != 0) {
        return ReadWhole(path);
      }
    }
  }
  ChunkedPeaks out;
  out.chunks = chunks;
  const uint64_t samples = results.back().end_sample;
  std::vector<PeakPart> parts;
  for (ChunkResult& r : results) parts.push_back(std::move(r.part));
  out.peaks = MergePeakParts(std::move(parts), samples, kIndexPeaksPerSecond);
  out.peaks.start_s = origin_s;
  return out;
}

}  // namespace uncut
