// Turns the records of one WARC stream into child documents (see warc.h):
// shared by .warc, .warc.gz and the WARCs inside a WACZ.
#ifndef UNCUT_EXTRACT_CAPTURE_READER_H_
#define UNCUT_EXTRACT_CAPTURE_READER_H_

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/byte_reader.h"
#include "extract/extractor.h"
#include "extract/gzip_reader.h"
#include "extract/warc_reader.h"

namespace uncut {

class CaptureReader {
 public:
  // `warc_name`: the WARC's path inside a WACZ, or "" for a WARC file.
  // `titles`: page titles by URL (from a WACZ's pages.jsonl), may be empty.
  CaptureReader(const ExtractOptions& options, std::string warc_name,
                const std::map<std::string, std::string>* titles = nullptr)
      : options_(options), warc_name_(std::move(warc_name)), titles_(titles) {}

  // Reads every record of `in` (gzip-compressed when `gzip`). Errors are
  // for input that is not WARC, damaged compression or a failing sink.
  absl::Status ReadAll(ByteReader* in, bool gzip);

  int records() const { return records_; }
  int children() const { return children_; }
  nlohmann::json Stats() const;
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Payload {
    std::shared_ptr<const std::string> bytes;
    std::string media_type;
    std::string charset;
    std::string uri;
    std::string date;
  };
  absl::Status Record(const WarcRecord& rec, uint64_t gzip_member);
  absl::Status Emit(const WarcRecord& rec, const Payload& p, uint64_t gzip_member,
                    nlohmann::json extra);
  void Remember(const WarcRecord& rec, const Payload& p);
  void Warn(std::string w);

  const ExtractOptions& options_;
  std::string warc_name_;
  const std::map<std::string, std::string>* titles_;
  int records_ = 0, children_ = 0, skipped_status_ = 0, skipped_type_ = 0, revisits_missed_ = 0;
  std::map<std::string, int> skipped_types_;
  // Recent payloads, for revisit records, by payload digest and record id.
  std::map<std::string, Payload> by_digest_;
  std::map<std::string, std::string> digest_of_record_;
  std::deque<std::string> cache_order_;
  uint64_t cache_bytes_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_CAPTURE_READER_H_
