// PDF (.pdf): the text layer, read with poppler, laid out by pdf_layout.h.
//
// A PDF has no byte offsets a person could use, so for PDF items
// info["offsets"] is "text": spans (start/end, line, column) are offsets
// into the extracted text (`uncut show ID --text`), and the anchor of kind
// "page" gives the page. Encrypted PDFs, damaged ones and PDFs without a
// text layer (scans) are refused with a message that says which.
#ifndef UNCUT_EXTRACT_PDF_H_
#define UNCUT_EXTRACT_PDF_H_

#include "extract/extractor.h"

namespace uncut {

class PdfExtractor : public Extractor {
 public:
  std::string_view format() const override { return "pdf"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

}  // namespace uncut

#endif  // UNCUT_EXTRACT_PDF_H_
