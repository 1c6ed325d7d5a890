// Text read by OCR (ocr/ocr.h) as an item's extracted text: words joined by
// spaces, lines by line breaks, paragraphs and pages by blank lines.
//
// Anchors: "ocr" at the start of each page ({"engine": "tesseract",
// "languages", "box_unit"}), "page" (1-based) when the text has pages, and
// "box" for every word: its bounding box [x, y, w, h] in `box_unit`s ("px"
// of a picture, "pt" of a PDF page). A trace turns the boxes of a quote's
// words into the region it covers (trace/text_location.h). Offsets are
// offsets into this text (item info "offsets": "text"), as for PDF.
#ifndef UNCUT_EXTRACT_OCR_TEXT_H_
#define UNCUT_EXTRACT_OCR_TEXT_H_

#include <string>
#include <vector>

#include "extract/extractor.h"
#include "ocr/ocr.h"

namespace uncut {

struct OcrPageText {
  OcrResult ocr;
  double box_scale = 1;  // box units per pixel of the OCR'd picture
};

// `paged`: whether to add "page" anchors (a PDF) or not (one picture).
ExtractedText OcrToText(const std::vector<OcrPageText>& pages, bool paged,
                        const std::string& box_unit);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_OCR_TEXT_H_
