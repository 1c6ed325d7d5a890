#include "ingest/media_ingest.h"

#include <set>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "decode/media_info.h"
#include "ingest/media_links.h"
#include "audio/landmarks.h"
#include "decode/audio_reader.h"
#include "video/video_signature.h"

namespace uncut {

bool LooksLikeMedia(std::string_view path) {
  static const std::set<std::string> kExt = {
      "mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts",  "mts", "m2ts", "flv",
      "wmv", "3gp", "ogv", "mxf", "vob", "mp3", "wav", "flac", "ogg", "oga", "opus", "m4a",
      "aac", "wma", "aif", "aiff", "amr", "mka", "ac3", "dv", "y4m"};
  return kExt.count(Extension(path)) > 0;
}

// Decodes a file's sound at 8 kHz mono and finds its spectral peaks. The
// samples of a long recording are held once (about 115 MB per hour).
absl::StatusOr<AudioPeaks> SignAudio(const std::string& path) {
  AudioReadOptions o;
  o.sample_rate = kAudioSampleRate;
  ASSIGN_OR_RETURN(auto reader, AudioReader::Open(path, o));
  std::vector<float> samples;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Read(&samples));
    if (!more) break;
  }
  AudioPeaks p = ComputePeaks(samples);
  p.start_s = reader->start_s();
  return p;
}

absl::StatusOr<AddOutcome> AddMedia(WriteBatch* batch, const std::string& path,
                                    const AddOptions& options) {
  ASSIGN_OR_RETURN(StagedObject obj, batch->StageFile(path));
  AddOutcome out;
  ASSIGN_OR_RETURN(std::optional<Item> existing, batch->Existing(obj.sha256));
  if (existing) {
    out.existed = true;
    out.item = *existing;
    return out;
  }
  auto fail = [&](const absl::Status& s) {
    batch->Discard(obj);
    std::string msg(s.message());
    // Decoder errors name the stored object; name the user's file instead.
    size_t at = msg.find(obj.path);
    if (at != std::string::npos) msg.replace(at, obj.path.size(), path);
    if (msg.rfind(path, 0) != 0) msg = StrCat(path, ": ", msg);
    return absl::Status(s.code(), msg);
  };
  if (obj.size == 0) return fail(absl::InvalidArgumentError("empty file"));
  auto info = ProbeMedia(obj.path);
  if (!info.ok()) return fail(info.status());
  if (!info->has_video() && !info->has_audio()) {
    return fail(absl::InvalidArgumentError("holds neither video nor audio"));
  }
  NewItem n;
  Item& it = n.item;
  it.sha256 = obj.sha256;
  it.kind = info->has_video() ? "video" : "audio";
  it.format = Extension(path).empty() ? info->container : Extension(path);
  it.size = obj.size;
  it.name = BaseName(path);
  it.added_from = AbsolutePath(path);
  it.added_at = NowRfc3339();
  it.meta = options.meta;
  it.object = obj.sha256;
  it.info["media"] = info->ToJson();
  if (!it.meta.title && info->tags.count("title")) it.meta.title = info->tags.at("title");
  if (info->has_video()) {
    VideoSignOptions vo;
    auto sig = SignVideo(obj.path, vo);
    if (!sig.ok()) return fail(sig.status());
    it.info["video"] = {{"sample_fps", sig->sample_fps},
                        {"frames", sig->frames.size()},
                        {"width", sig->width},
                        {"height", sig->height}};
    n.postings[kVideoModality] = VideoPostings(*sig, vo.min_quality);
    n.blobs[kVideoSignatureBlob] = sig->Serialize();
  }
  if (info->has_audio()) {
    auto peaks = SignAudio(obj.path);
    if (!peaks.ok()) return fail(peaks.status());
    it.info["audio"] = {{"start_s", peaks->start_s}, {"peaks", peaks->peaks.size()},
                        {"sample_rate", kAudioSampleRate}};
    n.postings[kAudioModality] = AudioPostings(*peaks);
    n.blobs[kAudioPeaksBlob] = peaks->Serialize();
  }
  absl::Status linked = LinkMediaCompanions(batch, &it);
  if (!linked.ok()) return fail(linked);
  out.item = it;
  auto id = batch->AddItem(std::move(n));
  if (!id.ok()) return fail(id.status());
  out.item.id = *id;
  return out;
}

}  // namespace uncut
