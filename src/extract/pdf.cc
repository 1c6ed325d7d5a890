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
#include <optional>
#include <set>

#include "base/file.h"
#include "base/status_macros.h"
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

// Reads pages through OCR within one budget for the whole PDF.
class PageOcr {
 public:
  PageOcr() {
    renderer_.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer_.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    renderer_.set_image_format(poppler::image::format_gray8);
  }
  // The page's words with boxes in points (box_scale); nullopt when the
  // page cannot be rendered or the budget is spent.
  absl::StatusOr<std::optional<OcrPageText>> Read(poppler::page* page, int number) {
    if (page == nullptr || spent_s_ >= kMaxOcrSecondsPerPdf) return std::nullopt;
    poppler::rectf box = page->page_rect();
    double area_in2 = std::max(1e-6, box.width() / 72.0 * box.height() / 72.0);
    double dpi = std::min(kOcrDpi, std::sqrt(kMaxOcrPixels / area_in2));
    poppler::image img = renderer_.render_page(page, dpi, dpi);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0) return std::nullopt;
    auto t0 = std::chrono::steady_clock::now();
    OcrOptions o;
    o.dpi = static_cast<int>(dpi);
    o.min_scaled_side = 0;  // rendered at a resolution OCR reads well
    o.max_seconds = std::min(60.0, kMaxOcrSecondsPerPdf - spent_s_);
    ASSIGN_OR_RETURN(OcrResult r,
                     RecognizeText(reinterpret_cast<const uint8_t*>(img.const_data()), img.width(),
                                   img.height(), img.bytes_per_row(), o));
    spent_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r.timed_out) {
      warnings_.push_back(StrCat("page ", number, ": OCR ran out of time; part of it is unread"));
    }
    languages_ = r.languages;
    OcrPageText out;
    out.ocr = std::move(r);
    out.box_scale = 72.0 / dpi;
    return out;
  }
  const std::string& languages() const { return languages_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  poppler::page_renderer renderer_;
  double spent_s_ = 0;
  std::string languages_;
  std::vector<std::string> warnings_;
};

// Reads a PDF without a text layer page by page through OCR. The text is
// laid out by ocr_text.h: pages, paragraphs, and each word's box in points.
absl::StatusOr<Extraction> ExtractByOcr(poppler::document* doc, int n) {
  PageOcr reader;
  std::vector<OcrPageText> pages(n);
  int unread = 0;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    ASSIGN_OR_RETURN(std::optional<OcrPageText> read, reader.Read(page.get(), i + 1));
    if (!read) {
      ++unread;
      continue;
    }
    pages[i] = std::move(*read);
  }
  std::vector<std::string> warnings = std::move(reader.warnings());
  const std::string& languages = reader.languages();
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

// A PDF whose text layer covers some pages only (scanned pages bound into
// a typed report): the pages without one are read through OCR, their words
// placed in points like poppler's so one layout covers every page.
void OcrPagesWithoutText(poppler::document* doc, std::vector<PdfPage>* pages,
                         std::set<int>* ocr_pages, std::string* languages,
                         std::vector<std::string>* warnings) {
  int with_text = 0;
  for (const PdfPage& p : *pages) with_text += !p.words.empty();
  if (with_text == 0 || with_text == static_cast<int>(pages->size())) return;
  PageOcr reader;
  for (size_t i = 0; i < pages->size(); ++i) {
    PdfPage& page = (*pages)[i];
    if (!page.words.empty()) continue;
    std::unique_ptr<poppler::page> p(doc->create_page(static_cast<int>(i)));
    auto read = reader.Read(p.get(), static_cast<int>(i + 1));
    if (!read.ok()) {
      // The typed pages still stand; say why the others are unread.
      warnings->push_back(StrCat("pages without a text layer were not read by OCR: ",
                                 read.status().message()));
      break;
    }
    if (!*read || (*read)->ocr.words.empty()) continue;
    const double s = (*read)->box_scale;
    for (const OcrWord& w : (*read)->ocr.words) {
      page.words.push_back({w.text, w.x * s, w.y * s, (w.x + w.w) * s, (w.y + w.h) * s, true});
    }
    ocr_pages->insert(static_cast<int>(i + 1));
  }
  *languages = reader.languages();
  for (std::string& w : reader.warnings()) warnings->push_back(std::move(w));
}

// Marks where text read by OCR begins and ends: an "ocr" anchor at the
// start of each page in `ocr_pages`, and a null "ocr" anchor (none in
// force) at the next page with a text layer of its own.
void MarkOcrPages(const std::set<int>& ocr_pages, const std::string& languages,
                  ExtractedText* text) {
  std::vector<Anchor> anchors;
  bool in_ocr = false;
  for (Anchor& a : text->anchors) {
    bool page = a.kind == "page" && a.value.is_number_integer();
    uint64_t at = a.text_offset;
    bool ocr = page && ocr_pages.count(a.value.get<int>()) > 0;
    anchors.push_back(std::move(a));
    if (!page || ocr == in_ocr) continue;
    nlohmann::json value = nullptr;
    if (ocr) value = {{"engine", "tesseract"}, {"languages", languages}, {"box_unit", "pt"}};
    anchors.push_back({at, "ocr", std::move(value)});
    in_ocr = ocr;
  }
  text->anchors = std::move(anchors);
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
  std::set<int> ocr_pages;  // 1-based
  std::string ocr_languages;
  std::vector<std::string> warnings;
  OcrPagesWithoutText(doc.get(), &pages, &ocr_pages, &ocr_languages, &warnings);
  PdfText laid = LayOutPdf(pages);
  if (!ocr_pages.empty()) MarkOcrPages(ocr_pages, ocr_languages, &laid.text);
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
  if (!ocr_pages.empty()) {
    out.info["ocr"] = {{"engine", "tesseract"},
                       {"languages", ocr_languages},
                       {"pages", ocr_pages.size()},
                       {"page_numbers", ocr_pages}};
  }
  if (unreadable > 0) warnings.push_back(StrCat(unreadable, " pages could not be read"));
  int empty_pages = 0;
  for (const PdfPage& p : pages) empty_pages += p.words.empty();
  if (empty_pages > 0 && empty_pages < n) {
    warnings.push_back(StrCat(empty_pages, " of ", n,
                              " pages have no text layer and OCR read nothing on them"));
  }
  if (!warnings.empty()) out.info["warnings"] = warnings;
  return out;
}

}  // namespace uncut
