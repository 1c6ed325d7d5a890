#include "extract/extractor.h"

#include "extract/html.h"
#include "extract/plain_text.h"

namespace uncut {

const Extractor* FindExtractor(std::string_view path, std::string_view head) {
  static const PlainTextExtractor kPlainText;
  static const HtmlExtractor kHtml;
  static const Extractor* const kAll[] = {&kPlainText, &kHtml};
  const Extractor* best = nullptr;
  int best_score = 0;
  for (const Extractor* e : kAll) {
    int s = e->Sniff(path, head);
    if (s > best_score) {
      best = e;
      best_score = s;
    }
  }
  return best;
}

}  // namespace uncut
