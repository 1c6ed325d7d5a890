#include "extract/pdf.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>

#include "base/file.h"
#include "base/strings.h"
#include "extract/pdf_layout.h"

namespace uncut {
namespace {

void IgnorePopplerMessage(const std::string&, void*) {}

void QuietPoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(IgnorePopplerMessage, nullptr); });
}

std::string Utf8(const poppler::ustring& u) {
  poppler::byte_array b = u.to_utf8();
  return std::string(b.begin(), b.end());
}

}  // namespace

int PdfExtractor::Sniff(std::string_view path, std::string_view head) const {
  if (head.substr(0, 1024).find("%PDF-") != std::string_view::npos) return 90;
  return Extension(path) == "pdf" ? 50 : 0;
}

absl::StatusOr<Extraction> PdfExtractor::Extract(std::string_view bytes,
                                                 const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    return absl::InvalidArgumentError("not a PDF (no %PDF- header)");
  }
  if (bytes.size() > static_cast<uint64_t>(INT_MAX)) {
    return absl::ResourceExhaustedError(StrCat("PDF too large (", bytes.size(), " bytes)"));
  }
  QuietPoppler();
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc == nullptr) {
    return absl::InvalidArgumentError("damaged PDF: poppler cannot open it");
  }
  if (doc->is_locked()) {
    return absl::InvalidArgumentError("encrypted PDF: it needs a password to be read");
  }
  int n = doc->pages();
  if (n <= 0) return absl::InvalidArgumentError("damaged PDF: no pages");
  std::vector<PdfPage> pages(n);
  uint64_t text_bytes = 0;
  int unreadable = 0;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr) {
      ++unreadable;
      continue;
    }
    pages[i].height = page->page_rect().height();
    for (const poppler::text_box& box : page->text_list()) {
      PdfWord w;
      w.text = Utf8(box.text());
      poppler::rectf r = box.bbox();
      w.x0 = r.left();
      w.y0 = r.top();
      w.x1 = r.right();
      w.y1 = r.bottom();
      w.space_after = box.has_space_after();
      text_bytes += w.text.size() + 1;
      pages[i].words.push_back(std::move(w));
    }
    if (text_bytes > options.max_text_bytes) {
      return absl::ResourceExhaustedError("PDF text too large");
    }
  }
  PdfText laid = LayOutPdf(pages);
  bool blank = laid.text.text.find_first_not_of(" \n\t") == std::string::npos;
  if (blank) {
    return absl::InvalidArgumentError(
        unreadable == n ? "damaged PDF: no page could be read"
                        : "no text layer: the PDF holds only images (scanned pages need OCR)");
  }
  Extraction out;
  out.format = "pdf";
  out.text = std::move(laid.text);
  out.info["offsets"] = "text";
  out.info["pages"] = n;
  if (!laid.dropped_lines.empty()) out.info["running_lines_dropped"] = laid.dropped_lines;
  if (laid.hyphens_joined > 0) out.info["hyphens_joined"] = laid.hyphens_joined;
  std::string title = Utf8(doc->info_key("Title"));
  if (!title.empty()) out.info["title"] = title;
  std::string author = Utf8(doc->info_key("Author"));
  if (!author.empty()) out.info["author"] = author;
  if (doc->is_encrypted()) out.info["encrypted"] = "without a user password";
  std::vector<std::string> warnings;
  if (unreadable > 0) warnings.push_back(StrCat(unreadable, " pages could not be read"));
  int empty_pages = 0;
  for (const PdfPage& p : pages) empty_pages += p.words.empty();
  if (empty_pages > 0 && empty_pages < n) {
    warnings.push_back(StrCat(empty_pages, " of ", n, " pages have no text layer"));
  }
  if (!warnings.empty()) out.info["warnings"] = warnings;
  return out;
}

}  // namespace uncut
