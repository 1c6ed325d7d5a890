// Text fingerprints: k-grams of skeleton characters, selected by winnowing.
//
// Schleimer, Wilkerson and Aiken, "Winnowing: Local Algorithms for Document
// Fingerprinting", SIGMOD 2003. Every window of w consecutive k-gram hashes
// contributes its minimum (the rightmost on ties), so any shared run of at
// least w + k - 1 skeleton characters shares at least one fingerprint, while
// only about 2/(w+1) of the positions are stored. Queries use all their
// k-grams, so the guarantee holds against the stored subset.
#ifndef UNCUT_TEXT_WINNOW_H_
#define UNCUT_TEXT_WINNOW_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "index/posting.h"

namespace uncut {

struct WinnowParams {
  int k = 12;  // characters per k-gram
  int w = 8;   // k-grams per window
};

// Hash of every k-gram: result[i] covers chars [i, i + k).
std::vector<uint64_t> KgramHashes(std::u32string_view chars, int k);

// Winnowed (hash, position) pairs as postings with item 0.
std::vector<Posting> Winnow(std::u32string_view chars, const WinnowParams& params);

}  // namespace uncut

#endif  // UNCUT_TEXT_WINNOW_H_
