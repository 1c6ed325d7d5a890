#include "extract/pdf.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <chrono>
#include <climits>
#include <cmath>
#include <memory>
#include <mutex>

#include "base/file.h"
#include "base/strings.h"
#include "extract/ocr_text.h"
#include "extract/pdf_layout.h"
#include "ocr/ocr.h"

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

// Scanned pages are rendered at this resolution for OCR, unless the page
// is so large that it would exceed kMaxOcrPixels.
constexpr double kOcrDpi = 300;
constexpr double kMaxOcrPixels = 40e6;
// All pages of one PDF together get this much OCR time; later pages are
// left unread, with a warning.
constexpr double kMaxOcrSecondsPerPdf = 600;

// Reads a PDF without a text layer page by page through OCR. The text is
// laid out by ocr_text.h: pages, paragraphs, and each word's box in points.
absl::StatusOr<Extraction> ExtractByOcr(poppler::document* doc, int n) {
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_gray8);
  std::vector<OcrPageText> pages(n);
  std::vector<std::string> warnings;
  double spent_s = 0;
  int unread = 0;
  std::string languages;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page == nullptr || spent_s >= kMaxOcrSecondsPerPdf) {
      ++unread;
      continue;
    }
    poppler::rectf box = page->page_rect();
    double area_in2 = std::max(1e-6, box.width() / 72.0 * box.height() / 72.0);
    double dpi = std::min(kOcrDpi, std::sqrt(kMaxOcrPixels / area_in2));
    poppler::image img = renderer.render_page(page.get(), dpi, dpi);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0) {
      ++unread;
      continue;
    }
    auto t0 = std::chrono::steady_clock::now();
    OcrOptions o;
    o.dpi = static_cast<int>(dpi);
    o.min_scaled_side = 0;  // rendered at a resolution OCR reads well
    o.max_seconds = std::min(60.0, kMaxOcrSecondsPerPdf - spent_s);
    ASSIGN_OR_RETURN(OcrResult r,
                     RecognizeText(reinterpret_cast<const uint8_t*>(img.const_data()), img.width(),
                                   img.height(), img.bytes_per_row(), o));
    spent_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.timed_out) warnings.push_back(StrCat("page ", i + 1, ": OCR ran out of time; part of it is unread"));
    languages = r.languages;
    pages[i].ocr = std::move(r);
    pages[i].box_scale = 72.0 / dpi;
  }
  Extraction out;
  out.format = "pdf";
  out.text = OcrToText(pages, /*paged=*/true, "pt");
  if (out.text.text.find_first_not_of(" \n\t") == std::string::npos) {
    return absl::InvalidArgumentError(
        "no text layer, and OCR found no text on its pages (scanned pictures without text?)");
  }
  out.info["offsets"] = "text";
  out.info["pages"] = n;
  out.info["ocr"] = {{"engine", "tesseract"}, {"languages", languages}, {"pages", n - unread}};
  if (unread > 0) warnings.push_back(StrCat(unread, " of ", n, " pages could not be read by OCR"));
  if (!warnings.empty()) out.info["warnings"] = warnings;
  return out;
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
    if (unreadable == n) return absl::InvalidArgumentError("damaged PDF: no page could be read");
    // A scan: its pages are pictures, read by OCR.
    auto ocr = ExtractByOcr(doc.get(), n);
    if (!ocr.ok()) return ocr.status();
    std::string title = Utf8(doc->info_key("Title"));
    if (!title.empty()) ocr->info["title"] = title;
    return ocr;
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
