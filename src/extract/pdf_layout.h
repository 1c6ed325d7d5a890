// From the words poppler finds on PDF pages to text a person reads: words
// become lines, lines become paragraphs, a word hyphenated at a line end is
// joined again, and running headers and footers (the same line at the top
// or bottom of most pages, page numbers) are dropped so a passage that
// runs on to the next page stays one passage.
#ifndef UNCUT_EXTRACT_PDF_LAYOUT_H_
#define UNCUT_EXTRACT_PDF_LAYOUT_H_

#include <string>
#include <vector>

#include "extract/extractor.h"

namespace uncut {

struct PdfWord {
  std::string text;  // UTF-8
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // bounding box; y grows downwards
  bool space_after = true;
};

// One page's words in reading order (as poppler gives them).
struct PdfPage {
  std::vector<PdfWord> words;
  double height = 0;
};

struct PdfText {
  // Pages separated by line breaks, paragraphs by blank lines; an anchor of
  // kind "page" (value: the 1-based page number) where each page begins.
  ExtractedText text;
  std::vector<std::string> dropped_lines;  // running headers and footers, as found
  int hyphens_joined = 0;
};

// Lays out the pages. The OffsetMap is the identity: for PDF, offsets are
// offsets into this text.
PdfText LayOutPdf(const std::vector<PdfPage>& pages);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_PDF_LAYOUT_H_
