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

// The same, for characters that arrive a piece at a time: after Add(a),
// Add(b), ..., Finish() returns what Winnow(a + b + ...) returns, holding
// only the last k characters and w hashes meanwhile.
class Winnower {
 public:
  explicit Winnower(const WinnowParams& params);
  // Room for the postings of about `chars` characters, so that the list is
  // not copied as it grows.
  void Reserve(size_t chars);
  void Add(std::u32string_view chars);
  std::vector<Posting> Finish();

 private:
  void Select(uint64_t hash);  // the next k-gram's hash

  size_t k_, w_;
  uint64_t pow_ = 1;
  uint64_t h_ = 0;
  size_t chars_ = 0;             // characters added
  size_t grams_ = 0;             // k-grams hashed
  std::vector<char32_t> last_;   // the last k characters, by index & (size - 1)
  std::vector<uint64_t> ring_;   // the last w hashes, by index & (size - 1)
  size_t min_at_ = 0;
  std::vector<Posting> out_;
};

}  // namespace uncut

#endif  // UNCUT_TEXT_WINNOW_H_
