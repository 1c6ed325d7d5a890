// The frames a media trace report shows side by side: at the start and the
// end of every segment, the clip's picture and the source's picture at the
// matching moment (SourceMatch::boundary_frames), as small JPEGs.
#ifndef UNCUT_TRACE_BOUNDARY_FRAMES_H_
#define UNCUT_TRACE_BOUNDARY_FRAMES_H_

#include <string>

#include "report/trace_report.h"
#include "storage/catalog_reader.h"

namespace uncut {

struct BoundaryFrameOptions {
  int max_side = 240;  // pixels, the longer side of each picture
  int quality = 6;     // MJPEG quantiser scale, 2 (best) to 31 (smallest)
  // How far inside a segment each picture is taken, so that a cut at the
  // boundary itself never shows the neighbouring material.
  double inset_s = 0.1;
};

// Fills boundary_frames of each video source in `report`, a trace of the
// video clip at `clip_path` (TraceMedia). Sources in time order of the clip;
// two frames per segment (start, end). Reports of audio clips and audio
// sources are left as they are. Frames that cannot be decoded are left
// empty and the report gains a warning saying why; the trace itself stays
// valid, so this never fails.
void AddBoundaryFrames(OriginalSource* originals, const std::string& clip_path,
                       TraceReport* report,
                       const BoundaryFrameOptions& options = BoundaryFrameOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_BOUNDARY_FRAMES_H_
