// Plain text and Markdown (.txt, .md): the text is the file's characters,
// decoded from its charset; nothing is dropped.
#ifndef UNCUT_EXTRACT_PLAIN_TEXT_H_
#define UNCUT_EXTRACT_PLAIN_TEXT_H_

#include "extract/extractor.h"

namespace uncut {

class PlainTextExtractor : public Extractor {
 public:
  std::string_view format() const override { return "txt"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_PLAIN_TEXT_H_
