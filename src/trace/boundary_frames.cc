#include "trace/boundary_frames.h"

#include <algorithm>
#include <optional>

#include "base/file.h"
#include "base/strings.h"
#include "base/status_macros.h"
#include "decode/frame_grabber.h"
#include "trace/item_media.h"

namespace uncut {
namespace {

// The moments to show: two per segment, a little inside each end.
std::vector<BoundaryFrame> Moments(const SourceMatch& m, double inset_s) {
  std::vector<BoundaryFrame> out;
  for (const Segment& s : m.segments) {
    double in = std::min(inset_s, std::max(0.0, (s.query_end - s.query_start) / 4));
    BoundaryFrame start, end;
    start.query_time_s = s.query_start + in;
    start.source_time_s = s.source_start + in * s.speed;
    end.query_time_s = s.query_end - in;
    end.source_time_s = s.source_end - in * s.speed;
    out.push_back(start);
    out.push_back(end);
  }
  return out;
}

// Replaces the stored bytes' path in a decoder's message by the item's name.
std::string Named(const absl::Status& s, const std::string& path, const std::string& name) {
  std::string msg(s.message());
  size_t at = msg.find(path);
  if (at != std::string::npos) msg.replace(at, path.size(), name);
  return msg;
}

// The source's pictures at `times`, read from the archive's copy (a file of
// its own, or a byte range of a container it was found in).
absl::StatusOr<std::vector<std::string>> SourceFrames(OriginalSource* originals,
                                                      const Item& item,
                                                      const std::vector<double>& times,
                                                      const FrameGrabOptions& options) {
  ASSIGN_OR_RETURN(ItemMedia media, ItemMedia::Open(originals, item));
  auto frames = GrabFrames(media.source(), times, options);
  if (!frames.ok()) {
    return absl::Status(frames.status().code(),
                        Named(frames.status(), media.source().name, item.name));
  }
  return frames;
}

}  // namespace

void AddBoundaryFrames(OriginalSource* originals, const std::string& clip_path,
                       TraceReport* report,
                       const BoundaryFrameOptions& options) {
  if (report->query_kind != "video") return;
  FrameGrabOptions grab;
  grab.max_side = options.max_side;
  grab.quality = options.quality;
  std::vector<double> clip_times;
  for (SourceMatch& m : report->sources) {
    if (m.item.kind != "video") continue;
    m.boundary_frames = Moments(m, options.inset_s);
    std::vector<double> times;
    for (const BoundaryFrame& f : m.boundary_frames) {
      times.push_back(f.source_time_s);
      clip_times.push_back(f.query_time_s);
    }
    auto frames = SourceFrames(originals, m.item, times, grab);
    if (!frames.ok()) {
      report->warnings.push_back(
          StrCat("no source frames for the report: ", frames.status().message()));
      continue;
    }
    for (size_t i = 0; i < frames->size(); ++i) m.boundary_frames[i].source_jpeg = (*frames)[i];
  }
  if (clip_times.empty()) return;
  grab.relative_time = true;  // clip times count from its first frame
  auto frames = GrabFrames(MediaSource::File(clip_path), clip_times, grab);
  if (!frames.ok()) {
    report->warnings.push_back(
        StrCat("no clip frames for the report: ", frames.status().message()));
    return;
  }
  size_t i = 0;
  for (SourceMatch& m : report->sources) {
    if (m.item.kind != "video") continue;
    for (BoundaryFrame& f : m.boundary_frames) f.query_jpeg = (*frames)[i++];
  }
}

}  // namespace uncut
