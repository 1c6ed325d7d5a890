#include "index/index_manager.h"

#include <algorithm>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

std::string IndexManager::PathOf(const std::string& file) const { return JoinPath(dir_, file); }

absl::Status IndexManager::Refresh(int64_t version, const ListFn& list,
                                   const std::string& modality) {
  for (int attempt = 0;; ++attempt) {
    if (version != version_) {
      ASSIGN_OR_RETURN(listed_, list());
      version_ = version;
    }
    std::set<std::string> wanted;
    if (!modality.empty()) {
      wanted.insert(modality);
    } else {
      for (const Listed& l : listed_) wanted.insert(l.modality);
      for (const auto& [m, readers] : by_modality_) wanted.insert(m);
    }
    absl::Status failure = OpenListed(wanted);
    if (failure.ok()) return absl::OkStatus();
    version_ = -1;  // read the list again
    if (attempt >= 3 || !absl::IsNotFound(failure)) return failure;
  }
}

absl::Status IndexManager::OpenListed(const std::set<std::string>& modalities) {
  std::map<std::string, std::vector<std::shared_ptr<SegmentReader>>> fresh;
  for (const std::string& m : modalities) {
    auto at = opened_.find(m);
    if (at != opened_.end() && at->second == version_) continue;
    fresh[m];  // opened for this list, even with no segment
  }
  if (fresh.empty()) return absl::OkStatus();
  std::map<std::string, std::shared_ptr<SegmentReader>> open;
  for (const Listed& l : listed_) {
    auto f = fresh.find(l.modality);
    if (f == fresh.end()) continue;
    auto it = open_.find(l.file);
    if (it != open_.end()) {
      open[l.file] = it->second;
    } else {
      ASSIGN_OR_RETURN(SegmentReader r, SegmentReader::Open(PathOf(l.file)));
      open[l.file] = std::make_shared<SegmentReader>(std::move(r));
    }
    f->second.push_back(open[l.file]);
  }
  for (auto& [m, readers] : fresh) {
    by_modality_[m] = std::move(readers);
    opened_[m] = version_;
  }
  // Modalities opened for an older list are closed (their files may be
  // compacted away); they open again when next needed.
  std::set<const SegmentReader*> kept;
  for (auto it = by_modality_.begin(); it != by_modality_.end();) {
    if (opened_[it->first] != version_) {
      opened_.erase(it->first);
      it = by_modality_.erase(it);
      continue;
    }
    if (!fresh.count(it->first)) {
      for (const auto& r : it->second) kept.insert(r.get());
    }
    ++it;
  }
  for (const auto& [file, reader] : open_) {
    if (kept.count(reader.get())) open[file] = reader;
  }
  open_ = std::move(open);
  return absl::OkStatus();
}

void IndexManager::Lookup(const std::string& modality, const std::vector<uint64_t>& keys,
                          size_t max_per_key, const std::function<bool(uint32_t)>& live,
                          std::vector<Posting>* out) const {
  auto it = by_modality_.find(modality);
  if (it == by_modality_.end()) return;
  const auto& segs = it->second;
  std::vector<SegmentReader::Location> at(segs.size());
  for (uint64_t key : keys) {
    // Each segment is searched once for the key: to count, then to read.
    size_t total = 0;
    for (size_t i = 0; i < segs.size() && total <= max_per_key; ++i) {
      at[i] = segs[i]->Locate(key);
      total += at[i].count;
    }
    if (total == 0 || total > max_per_key) continue;
    size_t before = out->size();
    for (size_t i = 0; i < segs.size(); ++i) segs[i]->Read(key, at[i], out);
    // Postings of removed items stay in segments until a compaction.
    out->erase(std::remove_if(out->begin() + before, out->end(),
                              [&](const Posting& p) { return !live(p.item); }),
               out->end());
  }
}

uint64_t IndexManager::PostingCount(const std::string& modality) const {
  auto it = by_modality_.find(modality);
  if (it == by_modality_.end()) return 0;
  uint64_t n = 0;
  for (const auto& seg : it->second) n += seg->size();
  return n;
}

std::vector<std::shared_ptr<SegmentReader>> IndexManager::Segments(
    const std::string& modality) const {
  auto it = by_modality_.find(modality);
  if (it == by_modality_.end()) return {};
  return it->second;
}

std::vector<std::pair<std::string, std::string>> IndexManager::VerifyAll() const {
  std::vector<std::pair<std::string, std::string>> problems;
  for (const auto& [file, reader] : open_) {
    absl::Status v = reader->Verify();
    if (!v.ok()) problems.push_back({file, std::string(v.message())});
  }
  return problems;
}

absl::StatusOr<std::string> IndexManager::WriteNew(const std::string& modality,
                                                   const std::string& unique,
                                                   std::vector<Posting>* postings,
                                                   const BeforeWriteFn& before_write) const {
  RETURN_IF_ERROR(MakeDirs(JoinPath(dir_, modality)));
  std::string name = StrCat(modality, "/", unique, ".seg");
  if (before_write) RETURN_IF_ERROR(before_write(name));
  RETURN_IF_ERROR(WriteSegment(PathOf(name), postings));
  return name;
}

absl::StatusOr<std::optional<IndexManager::Merge>> IndexManager::MergeNewest(
    const std::string& modality, const std::vector<std::pair<std::string, int64_t>>& segs,
    const std::string& unique, const std::function<bool(uint32_t)>& keep,
    const BeforeWriteFn& before_write, bool rewrite_older_formats) const {
  bool older = false;
  if (rewrite_older_formats) {
    for (const auto& [file, postings] : segs) {
      ASSIGN_OR_RETURN(SegmentReader r, SegmentReader::Open(PathOf(file)));
      older = older || r.version() != kSegmentVersion;
    }
  }
  if (segs.empty() || (segs.size() < 2 && !older)) return std::optional<Merge>();
  size_t take = 1;
  int64_t sum = segs.back().second;
  while (take < segs.size() && sum * 4 >= segs[segs.size() - take - 1].second) {
    sum += segs[segs.size() - take - 1].second;
    ++take;
  }
  if (older) take = segs.size();
  if (take < 2 && !older) return std::optional<Merge>();
  Merge merge;
  std::vector<SegmentReader> readers;
  for (size_t i = segs.size() - take; i < segs.size(); ++i) {
    ASSIGN_OR_RETURN(SegmentReader r, SegmentReader::Open(PathOf(segs[i].first)));
    readers.push_back(std::move(r));
    merge.inputs.push_back(segs[i].first);
  }
  std::vector<const SegmentReader*> inputs;
  for (const auto& r : readers) inputs.push_back(&r);
  merge.output = StrCat(modality, "/merged-", unique, ".seg");
  const std::string path = PathOf(merge.output);
  if (before_write) {
    RETURN_IF_ERROR(before_write(merge.output));
    for (const std::string& in : merge.inputs) RETURN_IF_ERROR(before_write(in));
  }
  RETURN_IF_ERROR(MergeSegments(inputs, keep, path));
  auto merged = SegmentReader::Open(path);
  if (!merged.ok()) {
    RemoveFile(path).IgnoreError();
    return merged.status();
  }
  merge.postings = merged->size();
  return std::optional<Merge>(std::move(merge));
}

void IndexManager::RemoveFiles(const std::vector<std::string>& files) const {
  for (const std::string& f : files) RemoveFile(PathOf(f)).IgnoreError();
}

}  // namespace uncut
