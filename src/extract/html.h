// HTML (.html, .htm, .xhtml): the visible text, with paragraph structure.
//
// Parsed with Gumbo (an HTML5-conformant parser). script, style, nav,
// header, footer, template, noscript and hidden elements (the hidden
// attribute, aria-hidden="true", inline display:none / visibility:hidden)
// are dropped; block elements become paragraphs; entities are decoded and
// each decoded character maps back to the bytes of its entity.
#ifndef UNCUT_EXTRACT_HTML_H_
#define UNCUT_EXTRACT_HTML_H_

#include "extract/extractor.h"

namespace uncut {

class HtmlExtractor : public Extractor {
 public:
  std::string_view format() const override { return "html"; }
  int Sniff(std::string_view path, std::string_view head) const override;
  absl::StatusOr<Extraction> Extract(std::string_view bytes,
                                     const ExtractOptions& options) const override;
};

// The charset an HTML document declares in a <meta> tag within its first
// 4 KiB, or "" when it declares none.
std::string DeclaredHtmlCharset(std::string_view bytes);

// Extracts HTML from bytes already decoded to UTF-8; `to_source` maps
// offsets of `utf8` to the original bytes. Shared by extractors whose
// payload is HTML (e-mail parts, web captures).
absl::StatusOr<Extraction> ExtractHtmlUtf8(std::string_view utf8, const OffsetMap& to_source);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_HTML_H_
