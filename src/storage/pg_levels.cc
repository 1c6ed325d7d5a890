#include "storage/pg_levels.h"

#include <algorithm>
#include <map>

namespace uncut {

int RunLevel(uint64_t postings, const TierRules& rules) {
  const uint64_t fan_in = std::max<uint64_t>(2, rules.fan_in);
  int level = 0;
  for (uint64_t bound = std::max<uint64_t>(1, rules.unit); postings >= bound; ++level) {
    if (bound > UINT64_MAX / fan_in) return level + 1;
    bound *= fan_in;
  }
  return level;
}

MergePick PickMerge(const std::vector<uint64_t>& sizes, const TierRules& rules, uint64_t at_most) {
  std::map<int, std::vector<size_t>> by_level;
  for (size_t i = 0; i < sizes.size(); ++i) by_level[RunLevel(sizes[i], rules)].push_back(i);
  MergePick pick;
  for (const auto& [level, runs] : by_level) {
    if (runs.size() < std::max<uint64_t>(2, rules.fan_in)) continue;
    for (size_t i : runs) pick.postings += sizes[i];
    if (pick.postings > at_most) return {{}, pick.postings, true};
    pick.runs = runs;
    return pick;
  }
  return pick;
}

}  // namespace uncut
