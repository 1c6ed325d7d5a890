// Shared by the copy tests: a posting source that counts how often each
// modality's postings are read whole (ForEachPosting).
#ifndef UNCUT_STORE_COUNTING_READS_TESTING_H_
#define UNCUT_STORE_COUNTING_READS_TESTING_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "index/posting_source.h"

namespace uncut {

class CountingReads : public PostingSource {
 public:
  explicit CountingReads(PostingSource* base) : base_(base) {}
  absl::Status Lookup(Modality m, const std::vector<uint64_t>& keys, size_t max_per_key,
                      std::vector<Posting>* out) override {
    return base_->Lookup(m, keys, max_per_key, out);
  }
  absl::StatusOr<uint64_t> PostingCount(Modality m) override { return base_->PostingCount(m); }
  absl::Status ForEachPosting(Modality m, const std::function<bool(const Posting&)>& fn) override {
    ++reads[m];
    return base_->ForEachPosting(m, fn);
  }
  std::string IndexName() const override { return base_->IndexName(); }

  int total() const {
    int n = 0;
    for (const auto& [m, count] : reads) n += count;
    return n;
  }
  std::map<Modality, int> reads;

 private:
  PostingSource* base_;
};

}  // namespace uncut

#endif  // UNCUT_STORE_COUNTING_READS_TESTING_H_
