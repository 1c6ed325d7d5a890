#include "extract/extractor.h"

#include "base/strings.h"
#include "extract/email.h"
#include "extract/html.h"
#include "extract/pdf.h"
#include "extract/plain_text.h"
#include "extract/subtitles.h"
#include "extract/warc.h"

namespace uncut {

const Extractor* FindExtractor(std::string_view path, std::string_view head) {
  static const PlainTextExtractor kPlainText;
  static const HtmlExtractor kHtml;
  static const EmlExtractor kEml;
  static const MboxExtractor kMbox;
  static const PdfExtractor kPdf;
  static const SubtitleExtractor kSubtitles;
  static const WarcExtractor kWarc;
  static const WaczExtractor kWacz;
  static const Extractor* const kAll[] = {&kPlainText, &kHtml, &kEml,       &kMbox,
                                          &kPdf,       &kWarc, &kSubtitles, &kWacz};
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

absl::StatusOr<Extraction> ExtractDocument(std::string_view name, std::string_view bytes,
                                           const ExtractOptions& options) {
  if (options.depth > kMaxContainerDepth) {
    return absl::ResourceExhaustedError(
        StrCat("nested more than ", kMaxContainerDepth, " containers deep"));
  }
  const Extractor* e = FindExtractor(name, bytes.substr(0, 4096));
  if (e == nullptr) return absl::UnimplementedError("not a document uncut reads");
  return e->Extract(bytes, options);
}

}  // namespace uncut
