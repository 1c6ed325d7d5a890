// Media scale benchmark: query latency, memory, index size and accuracy as
// the archive grows to 1,000 hours of video and of audio.
//
//   uncut_media_scale build --archive DIR --set SET --hours H [--seed N]
//                           [--batch-hours N] [--video-flip P] [--video-runs R]
//                           [--audio-shift B]
//   uncut_media_scale query --archive DIR --set SET --out RESULTS.jsonl
//                           [--reps N] [--ids q001,q002,...] [--subset SUBSET.jsonl]
//                           [--no-collisions]
//   uncut_media_scale hours --archive DIR      (prints the synthetic hours held)
//   uncut_media_scale quotes --archive DIR [--count N] [--absent N] [--words N]
//                            [--seed N]
//
// `build` also archives each synthetic hour's text (unless
// --transcript-words 0): a transcript of --transcript-words words (default
// 9,000, what an hour of speech carries) and --documents documents
// (default 8) of --document-words words in all on average (default 6,000:
// the wire copy, scripts and papers a desk keeps beside its programmes),
// generated English-like text (bench/text/synthetic_text.h), each written
// to a .txt file and added with AddFile, the normal text path, in
// transactions of --text-batch-hours hours (default 100), compacted after
// each. The transcripts are items of their own, not linked to the hours'
// recordings. `quotes` prints --count quotes (default 10) of --words words
// (default 30) cut from archived synthetic texts at random places, each
// line the item's name, a tab and the quote, then --absent (default 3)
// generated quotes that no archived text holds, named "-".
//
// SET is what the media benchmark's gen.py writes (archive/, queries/,
// queries.jsonl). `build` creates the archive with the real files of
// SET/archive (added the normal way, AddFile), then adds synthetic
// one-hour programmes until H synthetic hours are archived; run it again
// with a larger H to grow the same archive. `query` traces a fixed subset of
// SET's query clips and prints, per clip and per class, the time spent on
// the clip's own decoding and analysis, on the search, and in all; peak
// memory; the index's bytes per hour; and whether the true segments are
// still found.
//
// How the synthetic hours are made (at the index level; nothing is
// decoded). Each synthetic item is a one-hour programme with picture and
// sound, written through WriteBatch like any item (video.sig and
// audio.peaks blobs, postings in segments, compacted after every commit),
// so its fingerprints go through the real serialisation, posting and
// segment code:
//  - Picture: 3 frames a second, in blocks of 2-20 s. In each block the
//    sixteen 16-bit chunks of the main and zoom PDQ hashes come from R
//    runs of real frame signatures (default 4 runs, 4 neighbouring chunks
//    each), every run a stretch of one of the real programmes, drawn at
//    random, played backwards; each chunk of a run is XORed with a 16-bit
//    mask drawn once per block (every bit set with probability P, default
//    0.05); the frame's PDQ qualities are those of the first run, so flat
//    frames are left out of the index as often as in the real videos.
//    Chunk values thus keep the real chunk-value skew and change from frame
//    to frame as in real footage (shot structure, temporal correlation),
//    and a synthetic frame is far in Hamming distance from every real frame
//    (its chunks come from four unrelated frames), and no block lines up in
//    time with real material: a clip's frames find chance collisions in
//    synthetic hours, never a consistent line. P and R were chosen so that
//    the clips' probe keys collide with synthetic postings as often as
//    with the postings of unrelated real programmes (the `query` output
//    prints both, and how often frame pairs share 2 and 4 chunks).
//  - Sound: a sequence of blocks of 1-8 s of real spectral peaks, drawn at
//    random from the real recordings, each played backwards and moved by a
//    random shift of up to B frequency bins (default 6, i.e. 94 Hz); the
//    landmarks are then made from these peaks by the real landmark code, so
//    peak density and the statistics of landmark frequencies and time steps
//    are those of real speech and music.
// The `query` output checks this: for each modality it compares how often
// a clip's probe keys collide by chance with postings of unrelated real
// items and with postings of synthetic items (per probe key per million
// indexed hashes), so the synthetic hours are shown to be neither easier
// nor much harder to search than real ones.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <stdlib.h>
#include <unistd.h>

#include <cctype>

#include "audio/landmarks.h"
#include "bench/text/synthetic_text.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"
#include "ingest/ingest.h"
#include "nlohmann/json.hpp"
#include "store/archive.h"
#include "trace/audio_match.h"
#include "trace/media_trace.h"
#include "trace/video_match.h"
#include "video/query_video.h"
#include "video/video_signature.h"

namespace uncut {
namespace {

using Clock = std::chrono::steady_clock;
double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

constexpr char kSyntheticFormat[] = "synthetic";

// CPU time of the whole process (all threads), in seconds: unlike wall
// time, it does not grow when other processes compete for the cores.
double CpuSecs() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// A field of /proc/self/status, in kB.
long ProcStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// Starts a new peak-memory measurement (Linux: resets VmHWM).
void ResetPeakMemory() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
}

// The process's address-space limit (RLIMIT_AS), for messages.
std::string AddressSpaceLimitText() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return "unlimited";
  return StrCat(rl.rlim_cur >> 20, " MB");
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  if (!PathExists(dir)) return 0;
  WalkFiles(dir, [&](const std::string& p) {
    auto f = File::OpenForRead(p);
    if (f.ok()) total += f->Size().value_or(0);
  }, [](const std::string&, const absl::Status&) {});
  return total;
}

struct Flags {
  std::string command, archive, set, out, ids, subset;
  double hours = 0;
  uint64_t seed = 1;
  int batch_hours = 10;
  int reps = 3;
  bool collisions = true;
  double video_flip = 0.05;
  int video_runs = 4;
  int audio_shift = 6;
  // Text an hour (see BuildTextHours); quotes (see PrintQuotes).
  size_t transcript_words = 9000, document_words = 6000;
  int documents = 8;
  size_t text_batch_hours = 100;
  int count = 10, absent = 3;
  size_t words = 30;
};

bool IsSynthetic(const Item& it) { return it.format == kSyntheticFormat; }

double ItemDuration(const Item& it) {
  return it.info.contains("media") ? it.info["media"].value("duration_s", 0.0) : 0.0;
}

// ---------------------------------------------------------------------------
// Building.

struct RealPool {
  std::vector<VideoSignature> video;
  std::vector<AudioPeaks> audio;
  size_t video_frames = 0;
  double audio_frames = 0;
};

absl::StatusOr<RealPool> LoadRealPool(Archive* archive) {
  RealPool pool;
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  for (const Item& it : items) {
    if (IsSynthetic(it)) continue;
    ASSIGN_OR_RETURN(auto vblob, archive->LoadBlob(it.id, kVideoSignatureBlob));
    if (vblob) {
      ASSIGN_OR_RETURN(VideoSignature sig, VideoSignature::Parse(*vblob));
      if (sig.frames.size() >= 60) {
        pool.video_frames += sig.frames.size();
        pool.video.push_back(std::move(sig));
      }
    }
    ASSIGN_OR_RETURN(auto ablob, archive->LoadBlob(it.id, kAudioPeaksBlob));
    if (ablob) {
      ASSIGN_OR_RETURN(AudioPeaks peaks, AudioPeaks::Parse(*ablob));
      if (peaks.duration_s >= 10 && !peaks.peaks.empty()) {
        pool.audio_frames += peaks.duration_s / kAudioFrameS;
        pool.audio.push_back(std::move(peaks));
      }
    }
  }
  if (pool.video.empty() || pool.audio.empty()) {
    return absl::FailedPreconditionError("the archive holds no real video or audio to draw from");
  }
  return pool;
}

// A 16-bit mask, every bit set with probability p.
uint16_t RandomChunkMask(std::mt19937_64& rng, double p) {
  std::bernoulli_distribution bit(p);
  uint16_t m = 0;
  for (int i = 0; i < 16; ++i) m |= static_cast<uint16_t>(bit(rng)) << i;
  return m;
}

void SetChunk(PdqHash* h, int c, uint16_t v) {
  uint64_t& w = h->words[c / 4];
  const int shift = 16 * (c % 4);
  w = (w & ~(uint64_t{0xffff} << shift)) | (static_cast<uint64_t>(v) << shift);
}

// One synthetic hour of frame signatures (see the file comment).
VideoSignature SynthVideoHour(const RealPool& pool, std::mt19937_64& rng, double flip_p, int tracks_n) {
  VideoSignature out;
  out.sample_fps = pool.video.front().sample_fps;
  out.duration_s = 3600;
  out.width = 640;
  out.height = 360;
  const int min_quality = VideoSignOptions().min_quality;
  const uint32_t cells = static_cast<uint32_t>(std::lround(3600 * out.sample_fps));
  std::vector<double> weights;
  for (const VideoSignature& s : pool.video) weights.push_back(static_cast<double>(s.frames.size()));
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  const int min_len = static_cast<int>(std::lround(2 * out.sample_fps));
  const int max_len = static_cast<int>(std::lround(20 * out.sample_fps));
  std::uniform_int_distribution<int> block_len(min_len, max_len);
  struct Track {
    const VideoSignature* src;
    size_t start;
    uint16_t main_mask, zoom_mask;
    uint16_t main_value = 0, zoom_value = 0;  // held over flat source frames
  };
  uint32_t cell = 0;
  while (cell < cells) {
    int len = std::min<int>(block_len(rng), static_cast<int>(cells - cell));
    // Sixteen chunk tracks, each a run of one real video at its own place;
    // with fewer than 16 distinct runs, neighbouring chunks share a run.
    Track tracks[16];
    const int per_run = 16 / tracks_n;
    for (int c = 0; c < 16; c += per_run) {
      tracks[c].src = &pool.video[pick(rng)];
      len = std::min<int>(len, static_cast<int>(tracks[c].src->frames.size()));
    }
    for (int c = 0; c < 16; ++c) {
      Track& t = tracks[c];
      if (c % per_run == 0) {
        std::uniform_int_distribution<size_t> start_at(0, t.src->frames.size() - len);
        t.start = start_at(rng);
      } else {
        t.src = tracks[c - 1].src;
        t.start = tracks[c - 1].start;
      }
      t.main_mask = RandomChunkMask(rng, flip_p);
      t.zoom_mask = RandomChunkMask(rng, flip_p);
      // Start from the run's first usable values, for flat frames to hold.
      for (int k = len - 1; k >= 0; --k) {
        const FrameSig& f = t.src->frames[t.start + k];
        t.main_value = f.main.Chunk(c);
        t.zoom_value = f.zoom.Chunk(c);
        if (f.main_quality >= min_quality) break;
      }
    }
    for (int k = len - 1; k >= 0; --k) {  // played backwards
      FrameSig s;
      s.cell = cell;
      s.time_s = static_cast<float>(cell / out.sample_fps);
      for (int c = 0; c < 16; ++c) {
        Track& t = tracks[c];
        const FrameSig& f = t.src->frames[t.start + k];
        if (f.main_quality >= min_quality) t.main_value = f.main.Chunk(c);
        if (f.zoom_quality >= min_quality) t.zoom_value = f.zoom.Chunk(c);
        SetChunk(&s.main, c, t.main_value ^ t.main_mask);
        SetChunk(&s.zoom, c, t.zoom_value ^ t.zoom_mask);
      }
      // Flat frames (left out of the index) as often as in the real videos.
      const FrameSig& f0 = tracks[0].src->frames[tracks[0].start + k];
      s.main_quality = f0.main_quality;
      s.zoom_quality = f0.zoom_quality;
      out.frames.push_back(s);
      ++cell;
    }
  }
  return out;
}

// One synthetic hour of spectral peaks (see the file comment).
AudioPeaks SynthAudioHour(const RealPool& pool, std::mt19937_64& rng, int max_shift) {
  AudioPeaks out;
  out.duration_s = 3600;
  out.start_s = 0;
  const uint32_t frames = static_cast<uint32_t>(std::lround(3600 / kAudioFrameS));
  std::vector<double> weights;
  for (const AudioPeaks& a : pool.audio) weights.push_back(a.duration_s);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  const int min_len = static_cast<int>(1.0 / kAudioFrameS), max_len = static_cast<int>(8.0 / kAudioFrameS);
  std::uniform_int_distribution<int> block_len(min_len, max_len);
  std::uniform_int_distribution<int> shift(-max_shift, max_shift);
  constexpr int kLowBin = 20, kHighBin = 220;  // the band landmarks.cc keeps
  uint32_t at = 0;
  std::vector<Peak> block;
  while (at < frames) {
    const AudioPeaks& src = pool.audio[pick(rng)];
    uint32_t src_frames = static_cast<uint32_t>(src.duration_s / kAudioFrameS);
    uint32_t len = std::min<uint32_t>({static_cast<uint32_t>(block_len(rng)), src_frames, frames - at});
    std::uniform_int_distribution<uint32_t> start_at(0, src_frames - len);
    uint32_t start = start_at(rng);
    int k = shift(rng);
    auto lo = std::lower_bound(src.peaks.begin(), src.peaks.end(), start,
                               [](const Peak& p, uint32_t f) { return p.frame < f; });
    block.clear();
    for (auto it = lo; it != src.peaks.end() && it->frame < start + len; ++it) {
      int bin = it->bin + k;
      if (bin < kLowBin || bin >= kHighBin) continue;
      // Played backwards, a peak's place between hops mirrors too.
      block.push_back({at + (start + len - 1 - it->frame), static_cast<uint16_t>(bin), it->level,
                       static_cast<int8_t>(std::min(7, -it->sub))});
    }
    std::sort(block.begin(), block.end(), [](const Peak& a, const Peak& b) {
      return a.frame != b.frame ? a.frame < b.frame : a.bin < b.bin;
    });
    out.peaks.insert(out.peaks.end(), block.begin(), block.end());
    at += len;
  }
  return out;
}

absl::Status AddRealSet(Archive* archive, const std::string& set_dir) {
  std::vector<std::string> files;
  WalkFiles(JoinPath(set_dir, "archive"), [&](const std::string& p) { files.push_back(p); },
            [](const std::string&, const absl::Status&) {});
  if (files.empty()) return absl::NotFoundError(StrCat(set_dir, "/archive holds no files"));
  auto t = Clock::now();
  for (const std::string& f : files) {
    ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
    auto out = AddFile(batch.get(), f, {});
    if (!out.ok()) {
      std::fprintf(stderr, "not added: %s\n", std::string(out.status().message()).c_str());
      continue;
    }
    RETURN_IF_ERROR(batch->Commit());
  }
  ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
  RETURN_IF_ERROR(batch->Compact());
  std::printf("added the %zu real files of %s/archive in %.1f s\n", files.size(), set_dir.c_str(),
              Secs(Clock::now() - t));
  return absl::OkStatus();
}

// Prints how many synthetic hours the archive holds (0 without an archive).
absl::Status PrintHours(const Flags& f) {
  int have = 0;
  if (PathExists(JoinPath(f.archive, "catalog.sqlite"))) {
    ASSIGN_OR_RETURN(auto archive, Archive::Open(f.archive, Archive::Mode::kReadOnly));
    ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
    for (const Item& it : items) have += IsSynthetic(it);
  }
  std::printf("%d\n", have);
  return absl::OkStatus();
}

absl::Status BuildMediaHours(Archive* archive, const Flags& f) {
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  int have = 0;
  for (const Item& it : items) have += IsSynthetic(it);
  int want = static_cast<int>(std::lround(f.hours));
  if (have >= want) {
    std::printf("the archive already holds %d synthetic hours\n", have);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(RealPool pool, LoadRealPool(archive));
  std::printf("synthesising hours %d..%d from %zu real frame signatures (%zu videos) and %.0f s of "
              "real spectral peaks (%zu recordings); mask bit probability %.2f, bin shift <= %d\n",
              have + 1, want, pool.video_frames, pool.video.size(), pool.audio_frames * kAudioFrameS,
              pool.audio.size(), f.video_flip, f.audio_shift);
  ResetPeakMemory();
  auto t0 = Clock::now();
  double synth_s = 0, commit_s = 0, compact_s = 0;
  uint64_t vpost = 0, apost = 0;
  for (int h = have + 1; h <= want;) {
    ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
    int end = std::min(want, h + f.batch_hours - 1);
    auto ts = Clock::now();
    for (; h <= end; ++h) {
      // Each hour has its own generator, so an hour is the same whichever
      // batch makes it.
      std::seed_seq seq{f.seed, static_cast<uint64_t>(h)};
      std::mt19937_64 rng(seq);
      VideoSignature sig = SynthVideoHour(pool, rng, f.video_flip, f.video_runs);
      AudioPeaks peaks = SynthAudioHour(pool, rng, f.audio_shift);
      ASSIGN_OR_RETURN(StagedObject obj,
                       batch->StageBytes(StrCat("uncut media scale benchmark: synthetic hour ", h,
                                                ", seed ", f.seed, ", mask p ", f.video_flip,
                                                ", shift ", f.audio_shift, "\n")));
      NewItem n;
      Item& it = n.item;
      it.sha256 = obj.sha256;
      it.kind = "video";
      it.format = kSyntheticFormat;
      it.size = obj.size;
      char name[64];
      std::snprintf(name, sizeof(name), "synthetic-%04d", h);
      it.name = name;
      it.added_from = StrCat("synthetic/", name);
      it.added_at = NowRfc3339();
      it.object = obj.object;
      it.object_offset = obj.offset;
      n.postings[kVideoModality] = VideoPostings(sig, VideoSignOptions().min_quality);
      n.postings[kAudioModality] = AudioPostings(peaks);
      vpost += n.postings[kVideoModality].size();
      apost += n.postings[kAudioModality].size();
      it.info["media"] = {{"container", kSyntheticFormat}, {"duration_s", 3600.0}, {"start_s", 0.0}};
      it.info["video"] = {{"sample_fps", sig.sample_fps}, {"frames", sig.frames.size()},
                          {"width", sig.width}, {"height", sig.height}};
      it.info["audio"] = {{"start_s", 0.0}, {"peaks", peaks.peaks.size()},
                          {"sample_rate", kAudioSampleRate}};
      it.info["synthetic"] = {{"hour", h}, {"seed", f.seed}, {"mask_p", f.video_flip},
                              {"bin_shift", f.audio_shift},
                              {"video_postings", n.postings[kVideoModality].size()},
                              {"audio_postings", n.postings[kAudioModality].size()}};
      n.blobs[kVideoSignatureBlob] = sig.Serialize();
      n.blobs[kAudioPeaksBlob] = peaks.Serialize();
      RETURN_IF_ERROR(batch->AddItem(std::move(n)).status());
    }
    synth_s += Secs(Clock::now() - ts);
    auto tc = Clock::now();
    RETURN_IF_ERROR(batch->Commit());
    commit_s += Secs(Clock::now() - tc);
    auto tk = Clock::now();
    RETURN_IF_ERROR(batch->Compact());
    compact_s += Secs(Clock::now() - tk);
    std::printf("  %d synthetic hours (%.0f s)\n", end, Secs(Clock::now() - t0));
    std::fflush(stdout);
  }
  int added = want - have;
  std::printf("built %d synthetic hours in %.1f s (synthesis %.1f s, commit %.1f s, compaction %.1f s); "
              "%.0f video and %.0f audio postings per hour; peak memory of the build %.0f MB\n",
              added, Secs(Clock::now() - t0), synth_s, commit_s, compact_s,
              static_cast<double>(vpost) / added, static_cast<double>(apost) / added,
              ProcStatusKb("VmHWM") / 1024.0);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Synthetic text: each synthetic hour's transcript and the documents of the
// same hour, added the normal way (AddFile of a .txt file), so the text
// index and the stored texts are those of real documents.

bool IsSyntheticText(const Item& it) {
  return it.kind == "text" && it.name.rfind("synthetic-", 0) == 0;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t b = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > b) out.emplace_back(text.substr(b, i - b));
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& words, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) StrAppend(&out, i > begin ? " " : "", words[i]);
  return out;
}

// The synthetic hours up to f.hours whose text the archive lacks.
absl::StatusOr<std::vector<int>> HoursWithoutText(Archive* archive, const Flags& f) {
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  std::set<int> held;
  for (const Item& it : items) {
    if (int h = SyntheticTranscriptHour(it.name)) held.insert(h);
  }
  std::vector<int> missing;
  for (int h = 1; h <= static_cast<int>(std::lround(f.hours)); ++h) {
    if (!held.count(h)) missing.push_back(h);
  }
  return missing;
}

struct TextBuildCost {
  double generate_s = 0, add_s = 0, commit_s = 0, compact_s = 0;
  uint64_t bytes = 0, words = 0, items = 0;
};

// Writes hour h's files into `dir`, adds each with AddFile and removes it.
absl::Status AddTextHour(WriteBatch* batch, const SyntheticText& gen, const Flags& f, int h,
                         const std::string& dir, TextBuildCost* cost) {
  auto t = Clock::now();
  HourTextParams params;
  params.transcript_words = f.transcript_words;
  params.document_words = f.document_words;
  params.documents = f.documents;
  std::vector<SyntheticFile> files = SyntheticHourTexts(gen, f.seed, h, params);
  cost->generate_s += Secs(Clock::now() - t);
  AddOptions options;
  options.meta.note = StrCat("uncut media scale benchmark: synthetic text of hour ", h, ", seed ", f.seed);
  for (const SyntheticFile& file : files) {
    const std::string path = JoinPath(dir, file.name);
    {
      std::ofstream out(path, std::ios::binary);
      out << file.text;
      if (!out.flush()) return absl::InternalError(StrCat(path, ": cannot write"));
    }
    t = Clock::now();
    absl::StatusOr<AddOutcome> added = AddFile(batch, path, options);
    cost->add_s += Secs(Clock::now() - t);
    RETURN_IF_ERROR(RemoveFile(path));
    if (!added.ok()) return added.status();
    cost->bytes += file.text.size();
    cost->items += 1;
  }
  cost->words += f.transcript_words + f.document_words;
  return absl::OkStatus();
}

absl::Status BuildTextHours(Archive* archive, const Flags& f) {
  if (f.transcript_words == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<int> missing, HoursWithoutText(archive, f));
  if (missing.empty()) {
    std::printf("the archive already holds the text of %.0f synthetic hours\n", f.hours);
    return absl::OkStatus();
  }
  std::string dir = JoinPath(f.archive, "../synthetic-text-XXXXXX");
  if (::mkdtemp(dir.data()) == nullptr) return absl::InternalError(StrCat(dir, ": cannot make"));
  std::printf("adding the text of %zu synthetic hours: a %zu-word transcript and %d documents of %zu "
              "words in all an hour\n", missing.size(), f.transcript_words, f.documents, f.document_words);
  const SyntheticText gen;
  TextBuildCost cost;
  auto t0 = Clock::now();
  for (size_t i = 0; i < missing.size();) {
    ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
    const size_t end = std::min(missing.size(), i + f.text_batch_hours);
    for (; i < end; ++i) RETURN_IF_ERROR(AddTextHour(batch.get(), gen, f, missing[i], dir, &cost));
    auto t = Clock::now();
    RETURN_IF_ERROR(batch->Commit());
    cost.commit_s += Secs(Clock::now() - t);
    t = Clock::now();
    RETURN_IF_ERROR(batch->Compact());
    cost.compact_s += Secs(Clock::now() - t);
    std::printf("  text of %zu hours (%.0f s)\n", i, Secs(Clock::now() - t0));
    std::fflush(stdout);
  }
  ::rmdir(dir.c_str());
  std::printf("added the text of %zu hours in %.1f s: %llu items, %.1f million words, %.1f MB "
              "(generation %.1f s, add %.1f s, commit %.1f s, compaction %.1f s)\n",
              missing.size(), Secs(Clock::now() - t0), static_cast<unsigned long long>(cost.items),
              cost.words / 1e6, cost.bytes / 1e6, cost.generate_s, cost.add_s, cost.commit_s,
              cost.compact_s);
  return absl::OkStatus();
}

// Prints `f.count` quotes of `f.words` words taken from archived synthetic
// texts (each line: the item's name, a tab, the quote) and `f.absent`
// generated quotes of the same words that no archived text holds (name "-").
absl::Status PrintQuotes(const Flags& f) {
  ASSIGN_OR_RETURN(auto archive, Archive::Open(f.archive, Archive::Mode::kReadOnly));
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  std::vector<Item> texts;
  for (Item& it : items) {
    if (IsSyntheticText(it)) texts.push_back(std::move(it));
  }
  if (texts.empty() && f.count > 0) return absl::NotFoundError(StrCat(f.archive, ": holds no synthetic text"));
  std::seed_seq seq{f.seed, uint64_t{0x71756f7465}};
  std::mt19937_64 rng(seq);
  for (int q = 0; q < f.count;) {
    const Item& it = texts[rng() % texts.size()];
    ASSIGN_OR_RETURN(StoredText stored, archive->LoadText(it.id));
    std::vector<std::string> words = SplitWords(stored.text.text);
    if (words.size() < f.words) continue;
    const size_t at = rng() % (words.size() - f.words + 1);
    std::printf("%s\t%s\n", it.name.c_str(), JoinWords(words, at, at + f.words).c_str());
    ++q;
  }
  const SyntheticText gen;
  for (int q = 0; q < f.absent; ++q) {
    std::vector<std::string> words = SplitWords(gen.Document(rng, f.words));
    std::printf("-\t%s\n", JoinWords(words, 0, words.size()).c_str());
  }
  return absl::OkStatus();
}

absl::Status Build(const Flags& f) {
  bool fresh = !PathExists(JoinPath(f.archive, "catalog.sqlite"));
  ASSIGN_OR_RETURN(auto archive, Archive::Open(f.archive, Archive::Mode::kCreate));
  if (fresh) RETURN_IF_ERROR(AddRealSet(archive.get(), f.set));
  RETURN_IF_ERROR(BuildMediaHours(archive.get(), f));
  return BuildTextHours(archive.get(), f);
}

// ---------------------------------------------------------------------------
// Querying.

struct TruthBox {
  std::string source;  // file name
  double q0, q1, s0, s1;
};

struct Query {
  std::string id, file, kind, cls;
  double duration = 0;
  std::vector<TruthBox> truth;
  nlohmann::json line;  // as in queries.jsonl
};

// The subset: for each kind, the four positive clips closest to 30 s, the
// four closest to 10 s, and the two negatives closest to 10 s.
std::vector<Query> SelectQueries(const std::vector<Query>& all, const std::string& ids) {
  std::vector<Query> out;
  if (!ids.empty()) {
    std::set<std::string> want;
    for (size_t a = 0; a <= ids.size();) {
      size_t b = ids.find(',', a);
      if (b == std::string::npos) b = ids.size();
      want.insert(ids.substr(a, b - a));
      a = b + 1;
    }
    for (const Query& q : all) {
      if (!want.count(q.id)) continue;
      out.push_back(q);
      out.back().cls = q.truth.empty() ? StrCat(q.kind, " negative") : q.kind;
    }
    return out;
  }
  std::set<std::string> taken;
  auto take = [&](const std::string& kind, bool negative, double target, int n, const std::string& cls) {
    std::vector<const Query*> c;
    for (const Query& q : all) {
      if (q.kind == kind && q.truth.empty() == negative && !taken.count(q.id)) c.push_back(&q);
    }
    std::sort(c.begin(), c.end(), [&](const Query* a, const Query* b) {
      return std::abs(a->duration - target) < std::abs(b->duration - target);
    });
    for (int i = 0; i < n && i < static_cast<int>(c.size()); ++i) {
      Query q = *c[i];
      q.cls = cls;
      taken.insert(q.id);
      out.push_back(q);
    }
  };
  for (const char* kind : {"video", "audio"}) {
    take(kind, false, 30, 4, StrCat(kind, " ~30 s"));
    take(kind, false, 10, 4, StrCat(kind, " ~10 s"));
    take(kind, true, 10, 2, StrCat(kind, " negative"));
  }
  return out;
}

absl::StatusOr<std::vector<Query>> LoadQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(StrCat(path, ": cannot read"));
  std::vector<Query> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    Query q;
    q.id = j.value("id", "");
    q.file = j.value("file", "");
    q.kind = j.value("kind", "");
    q.duration = j.value("duration", 0.0);
    for (const auto& t : j["truth"]) {
      q.truth.push_back({BaseName(t.value("source", "")), t.value("query_start", 0.0),
                         t.value("query_end", 0.0), t.value("source_start", 0.0),
                         t.value("source_end", 0.0)});
    }
    q.line = j;
    out.push_back(std::move(q));
  }
  return out;
}

double Overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

double UnionWithin(std::vector<std::pair<double, double>> iv, double a, double b) {
  std::sort(iv.begin(), iv.end());
  double total = 0, cur0 = 0, cur1 = -1e18;
  for (auto [x, y] : iv) {
    x = std::max(x, a);
    y = std::min(y, b);
    if (y <= x) continue;
    if (x > cur1) {
      if (cur1 > cur0) total += cur1 - cur0;
      cur0 = x;
      cur1 = y;
    } else {
      cur1 = std::max(cur1, y);
    }
  }
  if (cur1 > cur0) total += cur1 - cur0;
  return total;
}

struct Outcome {
  int truth = 0, found = 0;       // truth boxes; those recovered (score >= 0.5, as score.py)
  int wrong_real = 0, wrong_synthetic = 0;  // matched sources not in the truth
};

Outcome Judge(const Query& q, const TraceReport& r) {
  struct Box {
    std::string source;
    double q0, q1, s0, s1;
    bool synthetic;
  };
  std::vector<Box> pred;
  std::set<std::string> truth_sources;
  for (const TruthBox& t : q.truth) truth_sources.insert(t.source);
  Outcome o;
  for (const SourceMatch& sm : r.sources) {
    bool synthetic = IsSynthetic(sm.item);
    if (!truth_sources.count(sm.item.name)) (synthetic ? o.wrong_synthetic : o.wrong_real)++;
    for (const Segment& s : sm.segments) {
      pred.push_back({sm.item.name, s.query_start, s.query_end, s.source_start, s.source_end, synthetic});
    }
  }
  for (const TruthBox& t : q.truth) {
    ++o.truth;
    std::vector<std::pair<double, double>> qs, ss;
    for (const Box& p : pred) {
      if (p.source != t.source || Overlap(p.q0, p.q1, t.q0, t.q1) <= 0 ||
          Overlap(p.s0, p.s1, t.s0, t.s1) <= 0) {
        continue;
      }
      qs.push_back({p.q0, p.q1});
      ss.push_back({p.s0, p.s1});
    }
    double rq = UnionWithin(qs, t.q0, t.q1) / std::max(1e-9, t.q1 - t.q0);
    double rs = UnionWithin(ss, t.s0, t.s1) / std::max(1e-9, t.s1 - t.s0);
    o.found += rq * rs >= 0.5;
  }
  return o;
}

// Postings a clip's probe keys retrieve, by the kind of item they point at.
enum ItemClass { kTruth = 0, kRealOther = 1, kSynthetic = 2 };

struct ProbeStats {
  size_t keys = 0, frames = 0;     // probe keys; query frames (video) or landmarks (audio)
  uint64_t postings[3] = {0, 0, 0};  // by ItemClass
  // Video: (query frame, source frame) pairs sharing at least 2 / 4 chunks.
  uint64_t pairs2[3] = {0, 0, 0}, pairs4[3] = {0, 0, 0};
  uint64_t expansions = 0;  // (posting, probing query frame and variant) pairs
  bool pairs_counted = false;
};

// Above this many (posting, query frame) pairs the pair statistics are not
// computed (they would need more memory than the search itself).
constexpr uint64_t kMaxPairEntries = 200'000'000;

struct ItemClasses {
  std::unordered_map<uint32_t, const Item*> by_id;
  // Indexed hashes per real item: video hashes (16 postings each), landmarks.
  std::unordered_map<uint32_t, double> video_hashes, landmarks;
  double synthetic_video_hashes = 0, synthetic_landmarks = 0;

  ItemClass Of(uint32_t item, const std::set<uint32_t>& truth) const {
    if (truth.count(item)) return kTruth;
    auto it = by_id.find(item);
    return it != by_id.end() && IsSynthetic(*it->second) ? kSynthetic : kRealOther;
  }
};

absl::StatusOr<ProbeStats> ProbeVideo(Archive* archive, const QueryVideo& q,
                                      const std::set<uint32_t>& truth, const ItemClasses& classes) {
  VideoMatchOptions o;
  ProbeStats st;
  // key -> (query frame << 4 | variant), as MatchVideo probes.
  std::unordered_map<uint64_t, std::vector<uint32_t>> uses;
  for (uint32_t k = 0; k < q.frames.size(); ++k) {
    if (q.frames[k].quality < o.min_quality) continue;
    ++st.frames;
    for (uint32_t v = 0; v < q.frames[k].hashes.size() && v < 16; ++v) {
      for (int c = 0; c < 16; ++c) uses[ChunkKey(c, q.frames[k].hashes[v].Chunk(c))].push_back(k << 4 | v);
    }
  }
  std::vector<uint64_t> keys;
  for (const auto& [k, u] : uses) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  st.keys = keys.size();
  std::vector<Posting> postings;
  RETURN_IF_ERROR(archive->Lookup(kVideoModality, keys, o.max_postings_per_key, &postings));
  // One entry per shared chunk: frame(12) item(20) cell(23) kind(1) variant(4).
  uint64_t expansions = 0;
  for (const Posting& p : postings) {
    ++st.postings[classes.Of(p.item, truth)];
    expansions += uses[p.key].size();
  }
  st.expansions = expansions;
  if (expansions > kMaxPairEntries) return st;  // too many to count pairs here
  st.pairs_counted = true;
  std::vector<uint64_t> shared;
  shared.reserve(expansions);
  for (const Posting& p : postings) {
    for (uint32_t u : uses[p.key]) {
      shared.push_back((static_cast<uint64_t>(u >> 4) << 48) | (static_cast<uint64_t>(p.item & 0xfffff) << 28) |
                       (static_cast<uint64_t>((p.pos >> 1) & 0x7fffff) << 5) | ((p.pos & 1) << 4) | (u & 15));
    }
  }
  std::sort(shared.begin(), shared.end());
  // Runs of equal entries: chunks one variant shares with one source hash;
  // the best over variants and hash kinds for each (query frame, source cell).
  size_t i = 0;
  while (i < shared.size()) {
    const uint64_t cell_id = shared[i] >> 5;
    int best = 0;
    while (i < shared.size() && (shared[i] >> 5) == cell_id) {
      size_t j = i;
      while (j < shared.size() && shared[j] == shared[i]) ++j;
      best = std::max(best, static_cast<int>(j - i));
      i = j;
    }
    ItemClass c = classes.Of(static_cast<uint32_t>((cell_id >> 23) & 0xfffff), truth);
    st.pairs2[c] += best >= 2;
    st.pairs4[c] += best >= 4;
  }
  return st;
}

absl::StatusOr<ProbeStats> ProbeAudio(Archive* archive, const QueryAudio& q,
                                      const std::set<uint32_t>& truth, const ItemClasses& classes) {
  AudioMatchOptions o;
  ProbeStats st;
  std::set<uint64_t> keys;
  std::vector<LandmarkProbe> probes;
  for (const Landmark& l : q.landmarks) {
    probes.clear();
    ProbeKeys(l, o.speed_min, o.speed_max, o.speed_step, &probes);
    for (const LandmarkProbe& p : probes) keys.insert(p.key);
  }
  st.frames = q.landmarks.size();
  st.keys = keys.size();
  std::vector<Posting> postings;
  RETURN_IF_ERROR(archive->Lookup(kAudioModality, {keys.begin(), keys.end()},
                                  o.max_postings_per_key, &postings));
  for (const Posting& p : postings) ++st.postings[classes.Of(p.item, truth)];
  return st;
}

struct Sample {
  const Query* q;
  int rep;
  double analysis_s = 0, video_search_s = 0, audio_search_s = 0, total_s = 0;
  double analysis_cpu_s = 0, total_cpu_s = 0, video_search_cpu_s = 0, audio_search_cpu_s = 0;
  Outcome outcome;
};

std::string Fmt(double v, const char* f = "%.3f") {
  char buf[32];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

double PerMillion(uint64_t n, double pairs) { return pairs > 0 ? 1e6 * n / pairs : 0.0; }

absl::Status RunQueries(const Flags& f) {
  ASSIGN_OR_RETURN(auto archive, Archive::Open(f.archive, Archive::Mode::kReadOnly));
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  // What the archive holds.
  ItemClasses classes;
  double synth_hours = 0, real_video_h = 0, real_audio_h = 0;
  for (const Item& it : items) classes.by_id[static_cast<uint32_t>(it.id)] = &it;
  for (const Item& it : items) {
    if (IsSynthetic(it)) {
      synth_hours += ItemDuration(it) / 3600;
      classes.synthetic_video_hashes += it.info["synthetic"].value("video_postings", 0.0) / 16;
      classes.synthetic_landmarks += it.info["synthetic"].value("audio_postings", 0.0);
      continue;
    }
    ASSIGN_OR_RETURN(auto vblob, archive->LoadBlob(it.id, kVideoSignatureBlob));
    if (vblob) {
      ASSIGN_OR_RETURN(VideoSignature sig, VideoSignature::Parse(*vblob));
      classes.video_hashes[it.id] = VideoPostings(sig, VideoSignOptions().min_quality).size() / 16.0;
      real_video_h += ItemDuration(it) / 3600;
    }
    ASSIGN_OR_RETURN(auto ablob, archive->LoadBlob(it.id, kAudioPeaksBlob));
    if (ablob) {
      ASSIGN_OR_RETURN(AudioPeaks peaks, AudioPeaks::Parse(*ablob));
      classes.landmarks[it.id] = static_cast<double>(AudioPostings(peaks).size());
      real_audio_h += ItemDuration(it) / 3600;
    }
  }
  const double video_h = synth_hours + real_video_h, audio_h = synth_hours + real_audio_h;
  // Index size, from the files and the catalog.
  uint64_t vseg = DirBytes(JoinPath(f.archive, "index/video"));
  uint64_t aseg = DirBytes(JoinPath(f.archive, StrCat("index/", kAudioModality)));
  std::map<std::string, uint64_t> blob_bytes;
  {
    ASSIGN_OR_RETURN(SqliteStmt s, archive->db()->Prepare(
        "SELECT name, SUM(LENGTH(data)) FROM blobs GROUP BY name"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      blob_bytes[s.ColumnText(0)] = static_cast<uint64_t>(s.ColumnInt(1));
    }
  }
  uint64_t catalog = DirBytes(JoinPath(f.archive, "catalog.sqlite"));
  uint64_t wal = DirBytes(JoinPath(f.archive, "catalog.sqlite-wal"));
  std::printf("archive: %zu items; %.1f h of video (%.2f h real + %.0f h synthetic), %.1f h of audio "
              "(%.2f h real + %.0f h synthetic)\n",
              items.size(), video_h, real_video_h, synth_hours, audio_h, real_audio_h, synth_hours);
  std::printf("index: video postings %.1f MB + video.sig blobs %.1f MB = %.3f MB per hour of video\n",
              vseg / 1e6, blob_bytes[kVideoSignatureBlob] / 1e6,
              (vseg + blob_bytes[kVideoSignatureBlob]) / 1e6 / std::max(1e-9, video_h));
  std::printf("index: audio postings %.1f MB + audio.peaks blobs %.1f MB = %.3f MB per hour of audio\n",
              aseg / 1e6, blob_bytes[kAudioPeaksBlob] / 1e6,
              (aseg + blob_bytes[kAudioPeaksBlob]) / 1e6 / std::max(1e-9, audio_h));
  std::printf("catalog file %.1f MB + WAL %.1f MB (they hold the blobs above)\n", catalog / 1e6, wal / 1e6);

  // The clips.
  ASSIGN_OR_RETURN(std::vector<Query> all, LoadQueries(JoinPath(f.set, "queries.jsonl")));
  std::vector<Query> queries = SelectQueries(all, f.ids);
  if (queries.empty()) return absl::NotFoundError("no queries selected");
  if (!f.subset.empty()) {
    std::ofstream sub(f.subset);
    for (const Query& q : queries) sub << q.line.dump() << "\n";
  }
  std::map<std::string, uint32_t> item_by_name;
  for (const Item& it : items) item_by_name[it.name] = static_cast<uint32_t>(it.id);
  auto truth_items = [&](const Query& q) {
    std::set<uint32_t> out;
    for (const TruthBox& t : q.truth) {
      if (item_by_name.count(t.source)) out.insert(item_by_name[t.source]);
    }
    return out;
  };

  ResetPeakMemory();
  int failures = 0;
  std::vector<Sample> samples;
  std::ofstream results(f.out);
  std::printf("\n%-5s %-15s %5s %4s %9s %17s %17s %9s %10s %6s %6s\n", "id", "class", "dur", "rep",
              "analysis", "v.search (cpu)", "a.search (cpu)", "total", "search cpu", "found", "wrong");
  for (const Query& q : queries) {
    std::string path = JoinPath(f.set, q.file);
    for (int rep = 0; rep < f.reps; ++rep) {
      Sample s;
      s.q = &q;
      s.rep = rep;
      auto run = [&]() -> absl::Status {
        // The clip's own decoding and analysis, as TraceMedia does it.
        auto t = Clock::now();
        double c = CpuSecs();
        ASSIGN_OR_RETURN(MediaInfo info, ProbeMedia(path));
        std::optional<QueryVideo> qv;
        std::optional<QueryAudio> qa;
        if (info.has_video()) {
          ASSIGN_OR_RETURN(QueryVideo v, AnalyzeQueryVideo(path));
          qv = std::move(v);
        }
        if (info.has_audio()) {
          ASSIGN_OR_RETURN(QueryAudio a, AnalyzeQueryAudio(path));
          qa = std::move(a);
        }
        s.analysis_s = Secs(Clock::now() - t);
        s.analysis_cpu_s = CpuSecs() - c;
        // Each modality's search alone (first run only).
        if (qv && rep == 0) {
          t = Clock::now();
          c = CpuSecs();
          ASSIGN_OR_RETURN(auto v, MatchVideo(archive->storage(), *qv));
          s.video_search_s = Secs(Clock::now() - t);
          s.video_search_cpu_s = CpuSecs() - c;
        }
        if (qa && rep == 0) {
          t = Clock::now();
          c = CpuSecs();
          ASSIGN_OR_RETURN(auto a, MatchAudio(archive->storage(), *qa));
          s.audio_search_s = Secs(Clock::now() - t);
          s.audio_search_cpu_s = CpuSecs() - c;
        }
        // The whole trace, as `uncut trace` runs it.
        t = Clock::now();
        c = CpuSecs();
        ASSIGN_OR_RETURN(TraceReport report, TraceMedia(archive->storage(), path));
        s.total_s = Secs(Clock::now() - t);
        s.total_cpu_s = CpuSecs() - c;
        s.outcome = Judge(q, report);
        if (rep == 0) {
          nlohmann::json matches = nlohmann::json::array();
          for (const SourceMatch& sm : report.sources) {
            nlohmann::json segs = nlohmann::json::array();
            for (const Segment& sg : sm.segments) {
              segs.push_back({{"query_start", sg.query_start}, {"query_end", sg.query_end},
                              {"source_start", sg.source_start}, {"source_end", sg.source_end}});
            }
            std::string src =
                IsSynthetic(sm.item) ? sm.item.added_from : StrCat("archive/", sm.item.name);
            matches.push_back({{"source", src}, {"segments", segs}});
          }
          results << nlohmann::json({{"id", q.id}, {"matches", matches}}).dump() << "\n";
        }
        return absl::OkStatus();
      };
      absl::Status st;
      try {
        st = run();
      } catch (const std::bad_alloc&) {
        st = absl::ResourceExhaustedError(StrCat("out of memory (the process's address-space limit is ",
                                                 AddressSpaceLimitText(), ")"));
      }
      // A search that outgrows the memory limit it runs under is reported,
      // and the next clip is tried.
      if (!st.ok()) {
        std::printf("%-5s %-15s %5.1f %4d  failed: %s\n", q.id.c_str(), q.cls.c_str(), q.duration, rep,
                    std::string(st.message()).c_str());
        ++failures;
        break;
      }
      auto both = [&](double wall, double cpu) {
        return rep == 0 ? StrCat(Fmt(wall), " (", Fmt(cpu), ")") : std::string();
      };
      std::printf("%-5s %-15s %5.1f %4d %9.3f %17s %17s %9.3f %10.3f %3d/%-2d %6d\n", q.id.c_str(),
                  q.cls.c_str(), q.duration, rep, s.analysis_s,
                  both(s.video_search_s, s.video_search_cpu_s).c_str(),
                  both(s.audio_search_s, s.audio_search_cpu_s).c_str(),
                  s.total_s, std::max(0.0, s.total_cpu_s - s.analysis_cpu_s), s.outcome.found, s.outcome.truth,
                  s.outcome.wrong_real + s.outcome.wrong_synthetic);
      std::fflush(stdout);
      samples.push_back(s);
    }
  }
  long hwm = ProcStatusKb("VmHWM"), anon = ProcStatusKb("RssAnon"), file = ProcStatusKb("RssFile");

  // Per class.
  std::printf("\nper class (%d run(s) of each clip; seconds; search = total - analysis, in wall and in CPU time; video cpu, audio cpu: CPU time of each modality's search alone, first run; found = true "
              "segments recovered, as score.py's recall box score >= 0.5; wrong = sources matched "
              "outside the truth)\n", f.reps);
  std::printf("%-15s %3s %15s %15s %15s %15s %15s %15s %9s %6s\n", "class", "n", "analysis p50/p99",
              "search p50/p99", "search cpu", "video cpu", "audio cpu", "total p50/p99",
              "found", "wrong");
  std::vector<std::string> order;
  for (const Query& q : queries) {
    if (std::find(order.begin(), order.end(), q.cls) == order.end()) order.push_back(q.cls);
  }
  order.push_back("all");
  for (const std::string& cls : order) {
    std::vector<double> an, se, sc, vs, as, to;
    int truth = 0, found = 0, wrong = 0, n = 0;
    for (const Sample& s : samples) {
      if (cls != "all" && s.q->cls != cls) continue;
      an.push_back(s.analysis_s);
      se.push_back(std::max(0.0, s.total_s - s.analysis_s));
      sc.push_back(std::max(0.0, s.total_cpu_s - s.analysis_cpu_s));
      if (s.rep == 0) {
        vs.push_back(s.video_search_cpu_s);
        as.push_back(s.audio_search_cpu_s);
      }
      to.push_back(s.total_s);
      if (s.rep == 0) {
        ++n;
        truth += s.outcome.truth;
        found += s.outcome.found;
        wrong += s.outcome.wrong_real + s.outcome.wrong_synthetic;
      }
    }
    auto pp = [](const std::vector<double>& v) {
      return StrCat(Fmt(Percentile(v, 0.5)), "/", Fmt(Percentile(v, 0.99)));
    };
    std::printf("%-15s %3d %15s %15s %15s %15s %15s %15s %4d/%-4d %6d\n", cls.c_str(), n, pp(an).c_str(),
                pp(se).c_str(), pp(sc).c_str(), pp(vs).c_str(), pp(as).c_str(), pp(to).c_str(), found, truth, wrong);
  }
  if (failures > 0) std::printf("%d clip(s) failed; see above\n", failures);
  std::printf("\npeak memory while querying: %.0f MB (at the end: %.0f MB anonymous, %.0f MB of mapped "
              "index and other file pages)\n",
              hwm / 1024.0, anon / 1024.0, file / 1024.0);
  if (!f.collisions) return absl::OkStatus();

  // How hard the synthetic hours are: chance collisions of the clips' probe
  // keys with unrelated real items and with synthetic items.
  ProbeStats vsum, asum;
  bool pairs_missing = false;
  double v_real_pairs = 0, a_real_pairs = 0, v_frames_real = 0;
  for (const Query& q : queries) {
    std::string path = JoinPath(f.set, q.file);
    std::set<uint32_t> truth = truth_items(q);
    double v_other = 0, a_other = 0;
    for (const auto& [id, n] : classes.video_hashes) v_other += truth.count(id) ? 0 : n;
    for (const auto& [id, n] : classes.landmarks) a_other += truth.count(id) ? 0 : n;
    ASSIGN_OR_RETURN(MediaInfo info, ProbeMedia(path));
    if (info.has_video()) {
      ASSIGN_OR_RETURN(QueryVideo v, AnalyzeQueryVideo(path));
      ASSIGN_OR_RETURN(ProbeStats st, ProbeVideo(archive.get(), v, truth, classes));
      vsum.keys += st.keys;
      vsum.expansions += st.expansions;
      if (!st.pairs_counted) pairs_missing = true;
      vsum.frames += st.frames;
      for (int c = 0; c < 3; ++c) {
        vsum.postings[c] += st.postings[c];
        vsum.pairs2[c] += st.pairs2[c];
        vsum.pairs4[c] += st.pairs4[c];
      }
      v_real_pairs += st.keys * v_other;
      v_frames_real += st.frames * v_other;
    }
    if (info.has_audio()) {
      ASSIGN_OR_RETURN(QueryAudio a, AnalyzeQueryAudio(path));
      ASSIGN_OR_RETURN(ProbeStats st, ProbeAudio(archive.get(), a, truth, classes));
      asum.keys += st.keys;
      for (int c = 0; c < 3; ++c) asum.postings[c] += st.postings[c];
      a_real_pairs += st.keys * a_other;
    }
  }
  const double vs_pairs = vsum.keys * classes.synthetic_video_hashes;
  const double vs_frames = vsum.frames * classes.synthetic_video_hashes;
  std::printf("\nchance collisions of the clips' probe keys (per key per million indexed hashes; "
              "uniform hashes would give video %.1f, audio %.1f):\n", 1e6 / 65536, 1e6 / (100.0 * 65 * 39));
  std::printf("  video: unrelated real items %.1f, synthetic hours %.1f  (postings: truth %llu, other real "
              "%llu, synthetic %llu; %zu keys)\n",
              PerMillion(vsum.postings[kRealOther], v_real_pairs), PerMillion(vsum.postings[kSynthetic], vs_pairs),
              static_cast<unsigned long long>(vsum.postings[kTruth]),
              static_cast<unsigned long long>(vsum.postings[kRealOther]),
              static_cast<unsigned long long>(vsum.postings[kSynthetic]), vsum.keys);
  std::printf("  video: %llu (posting, probing query frame) pairs for the search to count\n",
              static_cast<unsigned long long>(vsum.expansions));
  if (pairs_missing) {
    std::printf("  video frame pairs sharing chunks: not counted (too many pairs for this check)\n");
  } else {
    std::printf("  video frame pairs sharing >= 2 / >= 4 chunks, per million (query frame, indexed hash): "
                "unrelated real %.2f / %.3f, synthetic %.2f / %.3f\n",
                PerMillion(vsum.pairs2[kRealOther], v_frames_real),
                PerMillion(vsum.pairs4[kRealOther], v_frames_real),
                PerMillion(vsum.pairs2[kSynthetic], vs_frames), PerMillion(vsum.pairs4[kSynthetic], vs_frames));
  }
  std::printf("  audio: unrelated real items %.1f, synthetic hours %.1f  (postings: truth %llu, other real "
              "%llu, synthetic %llu; %zu keys)\n",
              PerMillion(asum.postings[kRealOther], a_real_pairs),
              PerMillion(asum.postings[kSynthetic], asum.keys * classes.synthetic_landmarks),
              static_cast<unsigned long long>(asum.postings[kTruth]),
              static_cast<unsigned long long>(asum.postings[kRealOther]),
              static_cast<unsigned long long>(asum.postings[kSynthetic]), asum.keys);
  return absl::OkStatus();
}

int Usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s build --archive DIR --set SET --hours H [--seed N] [--batch-hours N] "
               "[--video-flip P] [--video-runs R] [--audio-shift B] [--transcript-words N] "
               "[--document-words N] [--documents N] [--text-batch-hours N]\n"
               "       %s query --archive DIR --set SET --out RESULTS.jsonl [--reps N] [--ids a,b] "
               "[--subset FILE] [--no-collisions]\n"
               "       %s hours --archive DIR\n"
               "       %s quotes --archive DIR [--count N] [--absent N] [--words N] [--seed N]\n",
               argv0, argv0, argv0, argv0);
  return 2;
}

}  // namespace
}  // namespace uncut

int main(int argc, char** argv) {
  using namespace uncut;
  if (argc < 2) return Usage(argv[0]);
  Flags f;
  f.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--archive") {
      f.archive = next();
    } else if (a == "--set") {
      f.set = AbsolutePath(next());
    } else if (a == "--out") {
      f.out = next();
    } else if (a == "--hours") {
      f.hours = std::atof(next().c_str());
    } else if (a == "--seed") {
      f.seed = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--batch-hours") {
      f.batch_hours = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--reps") {
      f.reps = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--ids") {
      f.ids = next();
    } else if (a == "--no-collisions") {
      f.collisions = false;
    } else if (a == "--subset") {
      f.subset = next();
    } else if (a == "--video-flip") {
      f.video_flip = std::atof(next().c_str());
    } else if (a == "--video-runs") {
      f.video_runs = std::atoi(next().c_str());
      if (f.video_runs < 1 || 16 % f.video_runs != 0) return Usage(argv[0]);
    } else if (a == "--audio-shift") {
      f.audio_shift = std::atoi(next().c_str());
    } else if (a == "--transcript-words") {
      f.transcript_words = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--document-words") {
      f.document_words = std::strtoull(next().c_str(), nullptr, 10);
    } else if (a == "--documents") {
      f.documents = std::max(0, std::atoi(next().c_str()));
    } else if (a == "--text-batch-hours") {
      f.text_batch_hours = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--count") {
      f.count = std::max(0, std::atoi(next().c_str()));
    } else if (a == "--absent") {
      f.absent = std::max(0, std::atoi(next().c_str()));
    } else if (a == "--words") {
      f.words = std::max(1, std::atoi(next().c_str()));
    } else {
      return Usage(argv[0]);
    }
  }
  if (f.command == "quotes" && !f.archive.empty()) {
    absl::Status s = PrintQuotes(f);
    if (!s.ok()) std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return s.ok() ? 0 : 1;
  }
  if (f.command == "hours" && !f.archive.empty()) {
    absl::Status s = PrintHours(f);
    if (!s.ok()) std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return s.ok() ? 0 : 1;
  }
  if (f.archive.empty() || f.set.empty()) return Usage(argv[0]);
  absl::Status s;
  if (f.command == "build") {
    s = Build(f);
  } else if (f.command == "query") {
    if (f.out.empty()) return Usage(argv[0]);
    s = RunQueries(f);
  } else {
    return Usage(argv[0]);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
