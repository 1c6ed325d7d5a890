#include "ingest/media_ingest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "base/file.h"
#include "base/named_message.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "decode/media_info.h"
#include "ingest/caption_ingest.h"
#include "ingest/media_links.h"
#include "ingest/stored_item.h"
#include "audio/landmarks.h"
#include "audio/peak_chunks.h"
#include "audio/peak_stream.h"
#include "decode/audio_reader.h"
#include "decode/frame_grabber.h"
#include "video/video_chunks.h"
#include "video/video_signature.h"

namespace uncut {

bool LooksLikeMedia(std::string_view path) {
  static const std::set<std::string> kExt = {
      "mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts",  "mts", "m2ts", "flv",
      "wmv", "3gp", "ogv", "mxf", "vob", "mp3", "wav", "flac", "ogg", "oga", "opus", "m4a",
      "aac", "wma", "aif", "aiff", "amr", "mka", "ac3", "dv", "y4m"};
  return kExt.count(Extension(path)) > 0;
}

// Decodes a file's sound at 8 kHz mono and finds its spectral peaks, a
// piece at a time: memory does not grow with the sound's length beyond a
// few MB an hour (see audio/peak_stream.h).
// On `jobs` threads, a long recording is read in time chunks, to the same
// peaks.
absl::StatusOr<AudioPeaks> SignAudio(const std::string& path, int jobs = 1) {
  ChunkedPeakOptions o;
  o.jobs = jobs;
  ASSIGN_OR_RETURN(ChunkedPeaks chunked, ReadPeaksInChunks(path, o));
  return std::move(chunked.peaks);
}

namespace {

// A short name for a container, from FFmpeg's demuxer name
// ("mov,mp4,m4a,3gp,3g2,mj2" gives "mp4"), for files whose extension does
// not say what they are.
std::string ContainerFormat(const std::string& container) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"mov,mp4", "mp4"}, {"matroska", "mkv"}, {"mpegts", "ts"}, {"mpeg", "mpg"},
      {"asf", "wmv"},     {"yuv4mpegpipe", "y4m"}, {"ogg", "ogg"}, {"wav", "wav"}};
  for (const auto& [prefix, name] : kNames) {
    if (container.rfind(prefix, 0) == 0) return name;
  }
  return container.substr(0, container.find(','));
}

std::string Clock(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d:%04.1f", static_cast<int>(s) / 60, std::fmod(s, 60.0));
  return buf;
}

// A warning when decoding stopped well short of the declared duration:
// the file is probably truncated or damaged, and only part of it can be
// traced.
std::optional<std::string> ShortfallWarning(const char* what, double decoded_s,
                                            double declared_s) {
  if (declared_s <= 0 || decoded_s >= 0.9 * declared_s - 1.0) return std::nullopt;
  return StrCat("its ", what, " decodes only to ", Clock(decoded_s), " of the ",
                Clock(declared_s), " it declares: the file may be truncated or damaged");
}

// A small picture from about 10% into the video (past titles and fades);
// nothing when no frame decodes there.
std::optional<std::string> Thumbnail(const std::string& path, const MediaInfo& info) {
  FrameGrabOptions o;
  o.max_side = 320;
  o.quality = 5;
  auto jpeg = GrabFrames(MediaSource::File(path), {info.start_s + 0.1 * info.duration_s}, o);
  if (!jpeg.ok() || jpeg->empty() || (*jpeg)[0].empty()) return std::nullopt;
  return (*jpeg)[0];
}

}  // namespace

FileAnalysis AnalyseMedia(const std::string& read_path, const std::string& path,
                          const AddOptions& options) {
  FileAnalysis a;
  NewItem& n = a.item;
  Item& it = n.item;
  // Decoder errors name the file they read; name the user's file instead.
  auto named = [&](const absl::Status& s) {
    std::string msg(s.message());
    size_t at = msg.find(read_path);
    if (at != std::string::npos) msg.replace(at, read_path.size(), path);
    return NamedMessage(path, msg);
  };
  auto fail = [&](const absl::Status& s) {
    a.status = absl::Status(s.code(), named(s));
    return std::move(a);
  };
  auto info = ProbeMedia(read_path);
  if (!info.ok()) return fail(info.status());
  if (!info->has_video() && !info->has_audio()) {
    return fail(absl::InvalidArgumentError("holds neither video nor audio"));
  }
  it.kind = info->has_video() ? "video" : "audio";
  it.format = LooksLikeMedia(path) ? Extension(path) : ContainerFormat(info->container);
  if (!LooksLikeMedia(path)) {
    a.warnings.push_back(StrCat(Extension(path).empty() ? "has no extension"
                                                        : StrCat("is named .", Extension(path)),
                                " but holds ", it.format, " ", it.kind, "; added as ", it.kind));
  }
  it.info["media"] = info->ToJson();
  if (info->tags.count("title")) it.meta.title = info->tags.at("title");
  if (info->has_video()) {
    VideoSignOptions vo;
    CaptionOptions co;
    std::optional<CaptionWatcher> watcher;
    if (options.captions) {
      // Finding the installed languages loads the OCR engine: only when
      // captions are read.
      co.languages = CaptionLanguages(options.ocr_languages, it.info["media"]);
      watcher.emplace(co);
      vo.on_frame = [&](const VideoFrame& f) { watcher->Observe(f); };
    }
    // The picture, then the sound, each on all of media_jobs threads.
    ChunkedVideoOptions cv;
    cv.jobs = options.media_jobs;
    auto chunked = SignVideoInChunks(read_path, vo, cv);
    if (!chunked.ok()) return fail(chunked.status());
    const VideoSignature* sig = &chunked->signature;
    it.info["video"] = {{"sample_fps", sig->sample_fps},
                        {"frames", sig->frames.size()},
                        {"width", sig->width},
                        {"height", sig->height}};
    n.postings[kVideoModality] = VideoPostings(*sig, vo.min_quality);
    if (!sig->frames.empty()) {
      auto shortfall = ShortfallWarning("picture", sig->frames.back().time_s - info->start_s,
                                        info->duration_s);
      if (shortfall) a.warnings.push_back(*shortfall);
    }
    n.blobs[kVideoSignatureBlob] = sig->Serialize();
    if (watcher) {
      auto read = ReadCaptions(MediaSource::File(read_path), &*watcher,
                               info->start_s + info->duration_s, co);
      if (read.ok()) {
        a.captions = std::make_shared<CaptionReading>(std::move(*read));
      } else {
        a.warnings.push_back(StrCat("its captions cannot be read (", named(read.status()),
                                    "); `uncut captions` retries"));
      }
    }
    if (auto thumb = Thumbnail(read_path, *info)) n.blobs[kThumbnailBlob] = std::move(*thumb);
  }
  if (info->has_audio()) {
    auto peaks = SignAudio(read_path, options.media_jobs);
    if (!peaks.ok() && !info->has_video()) return fail(peaks.status());
    if (!peaks.ok()) {
      // A video whose sound is damaged beyond use is still its picture.
      std::string why = named(peaks.status()).substr(path.size() + 2);
      a.warnings.push_back(StrCat("its sound cannot be read (", why,
                                  "); added for its picture only"));
    } else {
      if (!info->has_video() && peaks->peaks.empty()) {
        return fail(absl::InvalidArgumentError(
            "the sound is silent throughout (or too faint): nothing to fingerprint"));
      }
      if (!info->has_video()) {
        auto shortfall = ShortfallWarning("sound", peaks->duration_s, info->duration_s);
        if (shortfall) a.warnings.push_back(*shortfall);
      }
      it.info["audio"] = {{"start_s", peaks->start_s}, {"peaks", peaks->peaks.size()},
                          {"sample_rate", kAudioSampleRate}};
      n.postings[kAudioModality] = AudioPostings(*peaks);
      n.blobs[kAudioPeaksBlob] = peaks->Serialize();
    }
  }
  return a;
}

absl::StatusOr<AddOutcome> AddMedia(WriteBatch* batch, const std::string& path,
                                    const AddOptions& options, const std::string& prepared_sha256,
                                    FileAnalysis* prepared) {
  AddOutcome out;
  ASSIGN_OR_RETURN(std::optional<StagedObject> staged, StageNewFile(batch, path, &out));
  if (!staged) return out;
  const StagedObject& obj = *staged;
  auto fail = [&](const absl::Status& s) {
    batch->Discard(obj);
    return s;
  };
  // The analysis of the user's file holds only if it has the stored bytes;
  // otherwise (the file changed meanwhile, or was not analysed) the stored
  // copy is analysed now.
  FileAnalysis analysed;
  if (prepared == nullptr || prepared_sha256 != obj.sha256) {
    analysed = AnalyseMedia(obj.path, path, options);
    prepared = &analysed;
  }
  if (!prepared->status.ok()) return fail(prepared->status);
  NewItem n = std::move(prepared->item);
  out.warnings = std::move(prepared->warnings);
  std::shared_ptr<CaptionReading> captions = std::move(prepared->captions);
  Item& it = n.item;
  FillStoredItem(obj, path, options, &it);
  absl::Status linked = LinkMediaCompanions(batch, &it);
  if (!linked.ok()) return fail(absl::Status(linked.code(), NamedMessage(path, linked.message())));
  // Tags are whatever the file's writer put there; the catalog's JSON must be UTF-8.
  MakeValidUtf8(&it.info);
  out.item = it;
  if (captions) {
    // The captions item names the video, whose id the batch gives when it
    // is queued: the video is queued first and completed afterwards.
    const size_t mark = batch->pending_items();
    auto undo = [&](const absl::Status& s) {
      batch->Truncate(mark);
      return fail(absl::Status(s.code(), NamedMessage(path, s.message())));
    };
    auto id = batch->AddItem(NewItem{.item = it});
    if (!id.ok()) return undo(id.status());
    it.id = *id;
    auto queued = QueueCaptions(batch, it, *captions, &it.info);
    if (!queued.ok()) return undo(queued.status());
    if (*queued) ++out.children;
    MakeValidUtf8(&it.info);
    out.item = it;
    absl::Status replaced = batch->ReplaceItem(std::move(n));
    if (!replaced.ok()) return undo(replaced);
    return out;
  }
  auto id = batch->AddItem(std::move(n));
  if (!id.ok()) return fail(absl::Status(id.status().code(), NamedMessage(path, id.status().message())));
  out.item.id = *id;
  return out;
}

absl::StatusOr<bool> NeedsSoundUpgrade(Archive* archive) {
  ASSIGN_OR_RETURN(uint64_t legacy, archive->PostingCount(kLegacyAudioModality));
  return legacy > 0;
}

bool SoundFingerprintOutdated(const Item& item, const std::optional<std::string>& peaks) {
  if (!item.info.contains("audio")) return false;
  // Peaks written by this version say so in their header.
  return !peaks || peaks->compare(0, 4, kAudioPeaksMagic) != 0;
}

absl::StatusOr<ItemReindex> ResignSound(const Item& item, const std::string& path, int jobs) {
  auto peaks = SignAudio(path, jobs);
  if (!peaks.ok()) {
    return absl::Status(peaks.status().code(), StrCat("item ", item.id, " (", item.name, "): ",
                                                      peaks.status().message()));
  }
  ItemReindex out;
  out.info = item.info;
  out.info["audio"]["peaks"] = peaks->peaks.size();
  out.postings[Modality::kAudio] = AudioPostings(*peaks);
  out.blobs[kAudioPeaksBlob] = peaks->Serialize();
  return out;
}

absl::StatusOr<std::optional<VideoSignature>> SignatureWithoutRegions(
    const Item& item, const std::optional<std::string>& blob) {
  if (!item.info.contains("video") || !blob) return std::optional<VideoSignature>();
  auto sig = VideoSignature::Parse(*blob);
  if (!sig.ok()) {
    return absl::Status(sig.status().code(),
                        StrCat("item ", item.id, " (", item.name, "): ", sig.status().message()));
  }
  // A signature written since the region hashes exist has them on every
  // kRegionCellStep-th frame.
  if (std::any_of(sig->frames.begin(), sig->frames.end(),
                  [](const FrameSig& f) { return f.has_regions; })) {
    return std::optional<VideoSignature>();
  }
  return std::optional<VideoSignature>(std::move(*sig));
}

absl::StatusOr<std::optional<ItemReindex>> AddRegionHashesFrom(const Item& item,
                                                               VideoSignature older,
                                                               const std::string& path,
                                                               const VideoSignOptions& sign,
                                                               const ChunkedVideoOptions& chunked) {
  VideoSignOptions vo = sign;
  vo.sample_fps = older.sample_fps;
  auto read = SignVideoInChunks(path, vo, chunked);
  if (!read.ok()) {
    return absl::Status(read.status().code(), StrCat("item ", item.id, " (", item.name, "): ",
                                                     read.status().message()));
  }
  if (AddRegionHashes(read->signature, &older) == 0) return std::optional<ItemReindex>();
  ItemReindex out;
  out.info = item.info;
  out.postings[Modality::kVideo] = VideoRegionPostings(older, vo.min_quality);
  out.blobs[kVideoSignatureBlob] = older.Serialize();
  out.chunks = read->chunks;
  return std::optional<ItemReindex>(std::move(out));
}

namespace {

absl::Status QueueReindex(WriteBatch* batch, int64_t id, ItemReindex r) {
  PostingsByModality postings;
  for (auto& [modality, list] : r.postings) {
    postings[std::string(ModalityName(modality))] = std::move(list);
  }
  return batch->Reindex(id, std::move(r.info), std::move(postings), std::move(r.blobs));
}

}  // namespace

absl::StatusOr<SoundUpgrade> UpgradeSoundIndex(
    Archive* archive, const std::function<void(size_t, size_t)>& progress, int jobs) {
  SoundUpgrade out;
  ASSIGN_OR_RETURN(bool needed, NeedsSoundUpgrade(archive));
  if (!needed) return out;
  ASSIGN_OR_RETURN(std::vector<Item> items, archive->ListItems());
  std::vector<Item> todo;
  for (const Item& it : items) {
    if (!it.info.contains("audio")) continue;
    ASSIGN_OR_RETURN(auto blob, archive->LoadBlob(it.id, kAudioPeaksBlob));
    if (SoundFingerprintOutdated(it, blob)) todo.push_back(it);
  }
  ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
  constexpr int kItemsPerCommit = 16;
  int queued = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    const Item& it = todo[i];
    if (progress) progress(i, todo.size());
    auto redone = ResignSound(it, archive->ObjectPath(it.object), jobs);
    if (!redone.ok()) {
      out.problems.push_back(std::string(redone.status().message()));
      continue;
    }
    RETURN_IF_ERROR(QueueReindex(batch.get(), it.id, std::move(*redone)));
    ++out.redone;
    if (++queued == kItemsPerCommit) {
      RETURN_IF_ERROR(batch->Commit());
      queued = 0;
    }
  }
  RETURN_IF_ERROR(batch->DropModality(kLegacyAudioModality));
  RETURN_IF_ERROR(batch->Commit());
  RETURN_IF_ERROR(batch->Compact());
  if (progress) progress(todo.size(), todo.size());
  return out;
}

absl::Status ForEachVideoWithoutRegions(
    CatalogReader* catalog, std::vector<std::string>* problems,
    const std::function<void(const Item&, VideoSignature)>& each) {
  ASSIGN_OR_RETURN(std::vector<Item> items, catalog->ListItems());
  for (const Item& it : items) {
    if (!it.info.contains("video")) continue;
    ASSIGN_OR_RETURN(auto blob, catalog->LoadBlob(it.id, kVideoSignatureBlob));
    auto sig = SignatureWithoutRegions(it, blob);
    if (!sig.ok()) {
      problems->push_back(std::string(sig.status().message()));
      continue;
    }
    if (*sig) each(it, std::move(**sig));
  }
  return absl::OkStatus();
}

absl::StatusOr<PictureUpgrade> UpgradePictureIndex(
    Archive* archive, const std::function<void(size_t, size_t)>& progress, int jobs) {
  PictureUpgrade out;
  std::vector<std::pair<Item, VideoSignature>> todo;
  RETURN_IF_ERROR(ForEachVideoWithoutRegions(
      archive, &out.problems,
      [&todo](const Item& it, VideoSignature sig) { todo.push_back({it, std::move(sig)}); }));
  if (todo.empty()) return out;
  ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
  constexpr int kItemsPerCommit = 16;
  int queued = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    auto& [it, sig] = todo[i];
    if (progress) progress(i, todo.size());
    ChunkedVideoOptions chunked;
    chunked.jobs = jobs;
    auto redone = AddRegionHashesFrom(it, std::move(sig), archive->ObjectPath(it.object),
                                      VideoSignOptions(), chunked);
    if (!redone.ok()) {
      out.problems.push_back(std::string(redone.status().message()));
      continue;
    }
    if (!*redone) continue;
    out.read_in_chunks += (*redone)->chunks > 1;
    RETURN_IF_ERROR(QueueReindex(batch.get(), it.id, std::move(**redone)));
    ++out.redone;
    if (++queued == kItemsPerCommit) {
      RETURN_IF_ERROR(batch->Commit());
      queued = 0;
    }
  }
  RETURN_IF_ERROR(batch->Commit());
  if (progress) progress(todo.size(), todo.size());
  return out;
}

}  // namespace uncut
