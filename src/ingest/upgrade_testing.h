// Test helpers for the upgrade tests: what a picture-only trace of a clip
// found in one archived video, and fingerprints as older versions stored them.
#ifndef UNCUT_INGEST_UPGRADE_TESTING_H_
#define UNCUT_INGEST_UPGRADE_TESTING_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "trace/media_trace.h"

namespace uncut::testing {

// The seconds of the clip its picture traced to `name`, and the source's
// time at the clip's start along the first segment (-1 when not found).
struct PictureFound {
  double length_s = 0, offset_s = -1;
};

inline PictureFound TracedPicture(Storage storage, const std::string& clip,
                                  const std::string& name) {
  MediaTraceOptions picture_only;
  picture_only.use_audio = false;
  auto report = TraceMedia(storage, clip, picture_only);
  EXPECT_TRUE(report.ok()) << report.status();
  PictureFound f;
  if (!report.ok()) return f;
  for (const auto& src : report->sources) {
    if (src.item.name != name) continue;
    for (const Segment& seg : src.segments) {
      if (f.offset_s < 0) f.offset_s = seg.source_start - seg.query_start;
      f.length_s += seg.query_end - seg.query_start;
    }
  }
  return f;
}

// A sound fingerprint blob as versions before triplets stored it: pair-era
// peaks (header UAP1, no sub-hop byte), one peak.
inline std::string PairEraPeaks() {
  std::string old = "UAP1";
  const double duration = 1, start = 0;
  const uint64_t n = 1;
  old.append(reinterpret_cast<const char*>(&duration), 8);
  old.append(reinterpret_cast<const char*>(&start), 8);
  old.append(reinterpret_cast<const char*>(&n), 8);
  old += std::string("\x05\x10", 2);
  return old;
}

}  // namespace uncut::testing

#endif  // UNCUT_INGEST_UPGRADE_TESTING_H_
