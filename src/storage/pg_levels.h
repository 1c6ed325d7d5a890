// Which runs of posting blocks a compaction of a PostgreSQL archive merges
// (PgArchive::Compact): size-tiered levels, as in Bigtable's merging
// compactions (Chang et al., "Bigtable", OSDI 2006) and Cassandra's
// size-tiered compaction, after the multi-component LSM-tree of O'Neil,
// Cheng, Gawlick & O'Neil (Acta Informatica 33, 1996).
//
// A run is a key-ordered set of blocks on one server for one modality:
// those one batch wrote there, or those one merge wrote. Its level comes
// from its postings: level 0 below `unit`, level L >= 1 from
// unit * fan_in^(L-1) up to unit * fan_in^L. Once a level holds fan_in
// runs or more, they are merged into one, which (from level 1 up) lands at
// least a level higher. So at rest a level holds fan_in - 1 runs at most,
// a key lies in at most (fan_in - 1) * (levels + 1) blocks per server, and
// a posting is rewritten once per level it climbs, not once per batch
// added after it; level 0 costs less than fan_in * unit postings per batch.
#ifndef UNCUT_STORAGE_PG_LEVELS_H_
#define UNCUT_STORAGE_PG_LEVELS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace uncut {

struct TierRules {
  uint64_t unit = 256u << 10;  // postings: level 0 holds runs below this
  uint64_t fan_in = 4;         // runs of a level merged at once (2 at least)
};

// The level of a run of `postings` postings.
int RunLevel(uint64_t postings, const TierRules& rules);

// The merge due next among runs of `sizes` postings (one server and
// modality): every run of the lowest level that holds fan_in runs or more.
// When their postings come to more than `at_most`, nothing is merged and
// `over` says a merge is due.
struct MergePick {
  std::vector<size_t> runs;  // indices into sizes, ascending
  uint64_t postings = 0;
  bool over = false;
};
MergePick PickMerge(const std::vector<uint64_t>& sizes, const TierRules& rules, uint64_t at_most);

}  // namespace uncut

#endif  // UNCUT_STORAGE_PG_LEVELS_H_
