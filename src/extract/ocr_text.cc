#include "extract/ocr_text.h"

#include <cmath>

namespace uncut {
namespace {

double Round1(double v) { return std::round(v * 10) / 10; }

}  // namespace

ExtractedText OcrToText(const std::vector<OcrPageText>& pages, bool paged,
                        const std::string& box_unit) {
  ExtractedText out;
  for (size_t p = 0; p < pages.size(); ++p) {
    const OcrPageText& page = pages[p];
    if (!out.text.empty() && !page.ocr.words.empty()) out.text += "\n\n";
    if (paged) out.anchors.push_back({out.text.size(), "page", static_cast<int>(p + 1)});
    out.anchors.push_back({out.text.size(),
                           "ocr",
                           {{"engine", "tesseract"},
                            {"languages", page.ocr.languages},
                            {"box_unit", box_unit}}});
    bool first = true;
    for (const OcrWord& w : page.ocr.words) {
      if (!first) {
        out.text += w.starts_block || w.starts_paragraph ? "\n\n" : w.starts_line ? "\n" : " ";
      }
      first = false;
      const double s = page.box_scale;
      out.anchors.push_back({out.text.size(),
                             "box",
                             {Round1(w.x * s), Round1(w.y * s), Round1(w.w * s), Round1(w.h * s)}});
      out.text += w.text;
    }
  }
  out.map = OffsetMap::Identity(out.text.size());
  return out;
}

}  // namespace uncut
