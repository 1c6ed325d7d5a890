// Seeds and chains: from k-gram hits to candidate pieces of a source.
//
// A hit says query skeleton position q and source position s start the
// same k-gram. Hits on one diagonal (s - q) that touch merge into exact
// seeds; seeds are chained colinearly (both positions increasing) by
// dynamic programming, allowing bounded gaps: source text skipped by the
// extract (an omission) or extract text the source lacks. Chains never
// cross an omission marker ("...") of the extract: pieces on either side are
// chained separately and joined later only if they sit close together.
#ifndef UNCUT_TRACE_TEXT_CHAIN_H_
#define UNCUT_TRACE_TEXT_CHAIN_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace uncut {

struct Hit {
  uint32_t q, s;
};

struct Seed {
  uint32_t q, s, len;
};

struct Chain {
  uint32_t item = 0;
  double score = 0;  // roughly, query characters covered
  uint32_t q_begin = 0, q_end = 0, s_begin = 0, s_end = 0;
  int alternate_of = -1;    // index of the chain this one duplicates in another item
  std::vector<Seed> seeds;  // in query order
};

struct ChainParams {
  uint32_t k = 12;          // k-gram length
  int max_omission = 400;   // largest source skip inside a chain
  int max_addition = 80;    // largest extract-only stretch inside a chain
  int max_query_gap = 100;  // largest query stretch without a seed
  size_t max_chains = 8;    // per item
};

// Merges hits into maximal exact seeds. Reorders `hits`.
std::vector<Seed> MakeSeeds(std::vector<Hit>& hits, uint32_t k);

// The best disjoint chains of one item's seeds. `region` gives, for each
// query skeleton position, the index of the marker-delimited region it
// lies in; chains stay inside one region.
std::vector<Chain> ChainSeeds(uint32_t item, std::vector<Seed> seeds,
                              const std::vector<uint16_t>& region, const ChainParams& params);

// Chooses chains greedily by score. A chain overlapping an accepted one in
// the query is either an alternate (the same text in another item, nearly
// as good) or loses its overlapping seeds and competes again with the rest.
std::vector<Chain> SelectChains(std::vector<Chain> chains, double min_score, size_t max_chains);

}  // namespace uncut

#endif  // UNCUT_TRACE_TEXT_CHAIN_H_
