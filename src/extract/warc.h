#ifndef UNCUT_EXTRACT_WARC_H_
#define UNCUT_EXTRACT_WARC_H_
#include "extract/extractor.h"
namespace uncut {
class WarcExtractor : public Extractor {
 public:
  std::string_view format() const override { return "warc"; }
  int Sniff(std::string_view, std::string_view) const override { return 0; }
  absl::StatusOr<Extraction> Extract(std::string_view, const ExtractOptions&) const override { return absl::UnimplementedError("x"); }
};
using WaczExtractor = WarcExtractor;
}
#endif
