// Grouping a clip's matched segments into the sources a report lists: one
// per place of an item the clip shows. Two segments in one group are read
// as one source cut apart (a "cut" between them, the source "spliced" or
// "reordered"), so they share a group only where nothing shows the clip
// running on unbroken between them.
#ifndef UNCUT_TRACE_PLACE_GROUPS_H_
#define UNCUT_TRACE_PLACE_GROUPS_H_

#include <vector>

#include "trace/video_match.h"

namespace uncut {

// The clip's segments grouped into the sources a report lists: one per
// item the clip's main explanation uses, and one more for each other
// occurrence, in another item or at another place of the same item (a
// report re-run later in the same broadcast). Main segments are placed
// first, each joining its item's first group; an alternate joins its
// item's first group none of whose segments shares a quarter of its clip
// stretch (another part of the same re-run), else starts a group of its
// own. Nor do two segments share a group when another source runs on one
// line through the clip from one to the other (RunsThrough): the clip
// shows that source unbroken there, so it was not cut between them; each
// is an occurrence of its own (footage a fixed camera or a title card
// repeats, a shot a programme re-uses). A segment whose place the picture
// cannot tell (MatchedSegment::indistinguishable) shares no group either:
// a cut measured against it would be measured from a guess. Groups come in the order the clip
// first uses them, each occurrence right after the main group it is
// another occurrence of, best (highest score) first.
std::vector<std::vector<const MatchedSegment*>> GroupByPlace(
    const std::vector<MatchedSegment>& segs);

// Whether a run of `segs` on one line of one item (consecutive segments
// meeting within a quarter second, their lines within 0.3 s of each other
// where they meet), none of it x or y, covers the clip from inside x to
// inside y (half a second into each, or half of it when shorter).
bool RunsThrough(const std::vector<MatchedSegment>& segs, const MatchedSegment& x,
                 const MatchedSegment& y);

}  // namespace uncut

#endif  // UNCUT_TRACE_PLACE_GROUPS_H_
