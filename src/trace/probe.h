// Probing an index with a query's keys, shared by the picture and sound
// matchers: each query "use" is a key with what the query knows about it
// (which frame, which variant, which speeds), and postings come back from
// PostingSource::Lookup grouped by key.
#ifndef UNCUT_TRACE_PROBE_H_
#define UNCUT_TRACE_PROBE_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "base/status_macros.h"
#include "index/posting.h"

namespace uncut {

// Sorts the uses by key (Use has a uint64_t `key`) and returns the distinct
// keys in ascending order, ready for PostingSource::Lookup.
template <typename Use>
std::vector<uint64_t> SortUsesByKey(std::vector<Use>* uses) {
  std::sort(uses->begin(), uses->end(), [](const Use& a, const Use& b) { return a.key < b.key; });
  std::vector<uint64_t> keys;
  for (const Use& u : *uses) {
    if (keys.empty() || keys.back() != u.key) keys.push_back(u.key);
  }
  return keys;
}

// Calls fn(posting, first, end) for every posting, where [first, end) are
// the indexes of the uses with the posting's key. `postings` must come
// grouped by key in ascending key order (as Lookup returns them for sorted
// keys) and `uses` be sorted by key. Stops at the first error fn returns.
template <typename Use, typename Fn>
absl::Status ForEachPostingWithUses(const std::vector<Posting>& postings,
                                    const std::vector<Use>& uses, Fn fn) {
  size_t u = 0;
  for (size_t i = 0; i < postings.size();) {
    const uint64_t key = postings[i].key;
    while (u < uses.size() && uses[u].key < key) ++u;
    size_t end = u;
    while (end < uses.size() && uses[end].key == key) ++end;
    for (; i < postings.size() && postings[i].key == key; ++i) {
      RETURN_IF_ERROR(fn(postings[i], u, end));
    }
  }
  return absl::OkStatus();
}

}  // namespace uncut

#endif  // UNCUT_TRACE_PROBE_H_
