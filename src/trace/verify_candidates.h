// Verification of voted media candidates against each source's stored
// fingerprint (frame hashes, spectral peaks), shared by the picture and
// sound matchers.
#ifndef UNCUT_TRACE_VERIFY_CANDIDATES_H_
#define UNCUT_TRACE_VERIFY_CANDIDATES_H_

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "align/media_align.h"
#include "base/status_macros.h"
#include "storage/catalog_reader.h"
#include "trace/video_match.h"

namespace uncut {

// What a modality's frame-by-frame check of one candidate concluded.
struct Verified {
  bool ok = false;
  MatchedSegment m;
};

// For each candidate, loads its item's blob `blob_name` once (parsed by
// Fingerprint::Parse) and checks the candidate with verify(candidate,
// fingerprint). Verified matches keep the candidate's voting evidence: its
// score, whether it is another occurrence, and the core the votes found.
// Items without the blob are passed over.
template <typename Fingerprint, typename VerifyFn>
absl::StatusOr<std::vector<MatchedSegment>> VerifyCandidates(
    CatalogReader* catalog, const std::vector<MediaSegment>& candidates,
    const std::string& blob_name, VerifyFn verify) {
  std::map<uint32_t, std::unique_ptr<Fingerprint>> loaded;
  std::vector<MatchedSegment> out;
  for (const MediaSegment& c : candidates) {
    std::unique_ptr<Fingerprint>& fp = loaded[c.item];
    if (!fp) {
      ASSIGN_OR_RETURN(std::optional<std::string> blob, catalog->LoadBlob(c.item, blob_name));
      if (!blob) continue;
      ASSIGN_OR_RETURN(Fingerprint parsed, Fingerprint::Parse(*blob));
      fp = std::make_unique<Fingerprint>(std::move(parsed));
    }
    Verified v = verify(c, *fp);
    if (!v.ok) continue;
    v.m.seg.alternate = c.alternate;
    v.m.seg.score = c.score;
    v.m.core_start = std::max(c.q_start, v.m.seg.q_start);
    v.m.core_end = std::min(c.q_end, v.m.seg.q_end);
    out.push_back(std::move(v.m));
  }
  return out;
}

}  // namespace uncut

#endif  // UNCUT_TRACE_VERIFY_CANDIDATES_H_
