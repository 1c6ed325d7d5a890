// The index's files: the open live segments of every modality, lookups in
// them, new segments and their compaction. In the manner of LevelDB's
// VersionSet and TableCache together.
//
// Which segments are live is the catalog's to say (its list is published in
// the same transaction as the items whose postings they hold); this class
// follows that list (Refresh), keeping the readers of segments that stay
// listed open, and writes the files a writer then publishes.
//
// Segment files live under ARCHIVE/index and are named relative to it,
// "<modality>/<name>.seg".
//
// Thread-safety: none; the archive serialises its callers.
#ifndef UNCUT_INDEX_INDEX_MANAGER_H_
#define UNCUT_INDEX_INDEX_MANAGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "index/posting.h"
#include "index/segment_file.h"

namespace uncut {

class IndexManager {
 public:
  explicit IndexManager(std::string index_dir) : dir_(std::move(index_dir)) {}

  // One entry of the catalog's list of live segments.
  struct Listed {
    std::string modality;
    std::string file;
  };
  using ListFn = std::function<absl::StatusOr<std::vector<Listed>>()>;

  // Brings the open segments of `modality` (of every modality when empty)
  // up to the catalog's list as of `version` (a number that changes
  // whenever the list does), read by list(); the list is read only when
  // its version changed, a segment opened only when it is first needed: a
  // lookup of one modality opens none of the others' segments (opening
  // one reads its block index, hundreds of megabytes across the picture
  // and sound segments of a thousand hours). Segments of other modalities
  // that the new list drops are closed. A segment listed but gone
  // (compacted away by another process after the list was read) makes it
  // read the list again, three times at most.
  absl::Status Refresh(int64_t version, const ListFn& list, const std::string& modality = "");
  // Makes the next Refresh read the list whatever its version.
  void Invalidate() {
    version_ = -1;
    opened_.clear();
  }

  // Appends the postings of `keys` (in the order given, each key's in
  // (item, pos) order) for which live(item) holds. Keys with more than
  // max_per_key postings in all segments together, dead items' included,
  // are skipped.
  void Lookup(const std::string& modality, const std::vector<uint64_t>& keys, size_t max_per_key,
              const std::function<bool(uint32_t)>& live, std::vector<Posting>* out) const;
  // Postings in a modality's open segments.
  uint64_t PostingCount(const std::string& modality) const;
  // A modality's open segments, in list order; they stay readable while
  // held, whatever Refresh does meanwhile.
  std::vector<std::shared_ptr<SegmentReader>> Segments(const std::string& modality) const;
  // Re-reads every open segment whole: (file, problem) for each that fails
  // (after a Refresh of every modality: every listed segment).
  std::vector<std::pair<std::string, std::string>> VerifyAll() const;

  // Called with the names of the files a write is about to create, and of
  // the inputs a merge will make removable, before anything is written (a
  // writer journals them, so an interrupted write can be swept); an error
  // stops the write.
  using BeforeWriteFn = std::function<absl::Status(const std::string& file)>;
  // Writes `postings` (sorted here) as a new segment of `modality` named
  // after `unique`, for the caller to publish; returns its file name.
  absl::StatusOr<std::string> WriteNew(const std::string& modality, const std::string& unique,
                                       std::vector<Posting>* postings,
                                       const BeforeWriteFn& before_write = nullptr) const;

  // A merge of a modality's newest segments into one.
  struct Merge {
    std::vector<std::string> inputs;
    std::string output;
    uint64_t postings = 0;
  };
  // Size-tiered compaction: given a modality's segments (file, postings),
  // oldest first, merges the newest while the newest together are at least
  // a quarter of the one before them, so the count stays logarithmic; keeps
  // the postings for which keep(item) holds. nullopt when fewer than two
  // would merge. The caller publishes the output in place of the inputs,
  // then removes the inputs (RemoveFiles). With `rewrite_older_formats`,
  // a modality with any segment of an older format (segment_file.h) has
  // all its segments merged into one of the current format, even a single
  // one.
  absl::StatusOr<std::optional<Merge>> MergeNewest(
      const std::string& modality, const std::vector<std::pair<std::string, int64_t>>& segments,
      const std::string& unique, const std::function<bool(uint32_t)>& keep,
      const BeforeWriteFn& before_write = nullptr, bool rewrite_older_formats = false) const;
  // Removes segment files no longer listed (errors ignored: a sweep finds
  // what is left).
  void RemoveFiles(const std::vector<std::string>& files) const;

  std::string PathOf(const std::string& file) const;

 private:
  // Opens the listed segments of `modalities` (reusing those open) for the
  // list of version_, and closes those of other modalities opened for an
  // older list.
  absl::Status OpenListed(const std::set<std::string>& modalities);

  std::string dir_;
  // The catalog's list as of version_.
  std::vector<Listed> listed_;
  int64_t version_ = -1;
  // Open segments by file name, and by modality in list order, each
  // modality's as of the list version opened_ gives.
  std::map<std::string, std::shared_ptr<SegmentReader>> open_;
  std::map<std::string, std::vector<std::shared_ptr<SegmentReader>>> by_modality_;
  std::map<std::string, int64_t> opened_;
};

}  // namespace uncut

#endif  // UNCUT_INDEX_INDEX_MANAGER_H_
