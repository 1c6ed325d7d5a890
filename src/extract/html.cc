#include "extract/html.h"

#include <gumbo.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/strings.h"
#include "absl/strings/strip.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "extract/charset.h"
#include "extract/text_sink.h"

namespace uncut {
namespace {

struct GumboDeleter {
  void operator()(GumboOutput* o) const { gumbo_destroy_output(&kGumboDefaultOptions, o); }
};

int Utf8Len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

// Length of a character reference starting at orig[i] == '&', or 0.
size_t EntityLength(std::string_view orig, size_t i) {
  size_t j = i + 1;
  if (j < orig.size() && orig[j] == '#') {
    ++j;
    if (j < orig.size() && (orig[j] == 'x' || orig[j] == 'X')) ++j;
  }
  size_t name_start = j;
  while (j < orig.size() && j - i < 40 && absl::ascii_isalnum(static_cast<unsigned char>(orig[j]))) {
    ++j;
  }
  if (j == name_start) return 0;
  if (j < orig.size() && orig[j] == ';') ++j;
  return j - i;
}

bool IsDropped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
      return true;
    default:
      return false;
  }
}

// 2 = paragraph-level block, 1 = line-level block, 0 = inline.
int BlockLevel(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_CENTER:
      return 2;
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_OPTION:
      return 1;
    default:
      return 0;
  }
}

bool IsHidden(const GumboElement& el) {
  if (gumbo_get_attribute(&el.attributes, "hidden")) return true;
  if (const GumboAttribute* a = gumbo_get_attribute(&el.attributes, "aria-hidden")) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(a->value), "true")) return true;
  }
  if (const GumboAttribute* a = gumbo_get_attribute(&el.attributes, "style")) {
    std::string style;
    for (const char* p = a->value; *p; ++p) {
      if (!absl::ascii_isspace(static_cast<unsigned char>(*p))) {
        style.push_back(absl::ascii_tolower(static_cast<unsigned char>(*p)));
      }
    }
    if (absl::StrContains(style, "display:none") || absl::StrContains(style, "visibility:hidden")) {
      return true;
    }
  }
  if (el.tag == GUMBO_TAG_INPUT) return true;
  return false;
}

class HtmlWalker {
 public:
  HtmlWalker(std::string_view utf8, const OffsetMap& to_source)
      : utf8_(utf8), to_source_(to_source) {}

  void Walk(const GumboNode* node, bool pre) {
    switch (node->type) {
      case GUMBO_NODE_DOCUMENT:
        for (unsigned i = 0; i < node->v.document.children.length; ++i) {
          Walk(static_cast<const GumboNode*>(node->v.document.children.data[i]), pre);
        }
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboElement& el = node->v.element;
        if (el.tag == GUMBO_TAG_TITLE && title_.empty()) title_ = CollectText(node);
        if (el.tag == GUMBO_TAG_HEAD) {
          // Not shown, but its <title> names the page.
          for (unsigned i = 0; i < el.children.length && title_.empty(); ++i) {
            const GumboNode* c = static_cast<const GumboNode*>(el.children.data[i]);
            if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_TITLE) {
              title_ = CollectText(c);
            }
          }
          return;
        }
        if (IsDropped(el.tag) || IsHidden(el) || node->type == GUMBO_NODE_TEMPLATE) return;
        if (el.tag == GUMBO_TAG_BR) {
          sink_.Break(1);
          return;
        }
        int level = BlockLevel(el.tag);
        if (level) sink_.Break(level);
        bool child_pre = pre || el.tag == GUMBO_TAG_PRE || el.tag == GUMBO_TAG_TEXTAREA;
        for (unsigned i = 0; i < el.children.length; ++i) {
          Walk(static_cast<const GumboNode*>(el.children.data[i]), child_pre);
        }
        if (level) sink_.Break(level);
        if (el.tag == GUMBO_TAG_TD || el.tag == GUMBO_TAG_TH) {
          sink_.Char(" ", SourceOf(el.end_pos.offset), 0);
        }
        break;
      }
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        EmitText(node->v.text, pre);
        break;
      default:
        break;
    }
  }

  std::string title() const { return title_; }
  ExtractedText Finish() && { return std::move(sink_).Finish(); }

 private:
  uint64_t SourceOf(uint64_t utf8_offset) const { return to_source_.SourceStart(utf8_offset); }

  void Emit(std::string_view cp, uint64_t off, uint64_t len, bool pre) {
    uint64_t s = to_source_.SourceStart(off);
    uint64_t e = len > 0 ? to_source_.SourceEnd(off + len) : s;
    sink_.Char(cp, s, e - s, pre);
  }

  // Walks the decoded text and its original markup side by side, so each
  // decoded code point is credited to the bytes it came from.
  void EmitText(const GumboText& t, bool pre) {
    std::string_view dec(t.text);
    std::string_view orig(t.original_text.data, t.original_text.length);
    uint64_t base = t.start_pos.offset;
    if (t.original_text.data >= utf8_.data() &&
        t.original_text.data <= utf8_.data() + utf8_.size()) {
      base = t.original_text.data - utf8_.data();
    }
    size_t i = 0, j = 0;
    while (j < dec.size()) {
      size_t n = Utf8Len(dec[j]);
      if (i >= orig.size()) {
        Emit(dec.substr(j, n), base + orig.size(), 0, pre);
        j += n;
        continue;
      }
      char o = orig[i];
      if (o == '&') {
        size_t len = EntityLength(orig, i);
        if (len > 1 && dec.compare(j, len, orig.substr(i, len)) != 0) {
          // One reference decodes to one code point, or two for a few named ones.
          size_t take = n;
          if (j + take < dec.size() && i + len < orig.size() && dec[j + take] != orig[i + len]) {
            size_t n2 = Utf8Len(dec[j + take]);
            if (j + take + n2 <= dec.size() &&
                (j + take + n2 == dec.size() ||
                 (i + len < orig.size() && dec[j + take + n2] == orig[i + len]))) {
              take += n2;
            }
          }
          Emit(dec.substr(j, take), base + i, len, pre);
          i += len;
          j += take;
          continue;
        }
      }
      if (o == '\r' && dec[j] == '\n') {
        size_t len = (i + 1 < orig.size() && orig[i + 1] == '\n') ? 2 : 1;
        Emit("\n", base + i, len, pre);
        i += len;
        j += 1;
        continue;
      }
      size_t on = Utf8Len(o);
      Emit(dec.substr(j, n), base + i, std::min(on, orig.size() - i), pre);
      i += on;
      j += n;
    }
  }

  std::string CollectText(const GumboNode* node) {
    std::string out;
    if (node->type == GUMBO_NODE_TEXT) return node->v.text.text;
    if (node->type != GUMBO_NODE_ELEMENT) return out;
    for (unsigned i = 0; i < node->v.element.children.length; ++i) {
      out += CollectText(static_cast<const GumboNode*>(node->v.element.children.data[i]));
    }
    return std::string(absl::StripAsciiWhitespace(out));
  }

  std::string_view utf8_;
  const OffsetMap& to_source_;
  TextSink sink_;
  std::string title_;
};

}  // namespace

std::string DeclaredHtmlCharset(std::string_view bytes) {
  std::string head = absl::AsciiStrToLower(std::string(bytes.substr(0, 4096)));
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    size_t end = head.find('>', pos);
    if (end == std::string::npos) break;
    std::string_view tag(head.data() + pos, end - pos);
    size_t cs = tag.find("charset=");
    if (cs != std::string_view::npos) {
      std::string_view v = tag.substr(cs + 8);
      while (!v.empty() && (v.front() == '"' || v.front() == '\'' || v.front() == ' ')) {
        v.remove_prefix(1);
      }
      size_t stop = 0;
      while (stop < v.size() && (absl::ascii_isalnum(static_cast<unsigned char>(v[stop])) ||
                                 v[stop] == '-' || v[stop] == '_' || v[stop] == ':')) {
        ++stop;
      }
      if (stop > 0) return std::string(v.substr(0, stop));
    }
    pos = end;
  }
  return "";
}

int HtmlExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string ext = Extension(path);
  if (ext == "html" || ext == "htm" || ext == "xhtml") return 60;
  std::string h = absl::AsciiStrToLower(std::string(head.substr(0, 512)));
  if (absl::StrContains(h, "<!doctype html") || absl::StrContains(h, "<html")) return 30;
  return 0;
}

absl::StatusOr<Extraction> ExtractHtmlUtf8(std::string_view utf8, const OffsetMap& to_source) {
  GumboOptions options = kGumboDefaultOptions;
  std::unique_ptr<GumboOutput, GumboDeleter> out(
      gumbo_parse_with_options(&options, utf8.data(), utf8.size()));
  if (!out) return absl::InvalidArgumentError("HTML could not be parsed");
  HtmlWalker walker(utf8, to_source);
  walker.Walk(out->document, false);
  Extraction result;
  result.format = "html";
  std::string title = walker.title();
  result.text = std::move(walker).Finish();
  if (!title.empty()) result.info["title"] = title;
  return result;
}

absl::StatusOr<Extraction> HtmlExtractor::Extract(std::string_view bytes,
                                                  const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  if (bytes.size() > options.max_text_bytes) {
    return absl::ResourceExhaustedError(StrCat("HTML file too large (", bytes.size(), " bytes)"));
  }
  ASSIGN_OR_RETURN(DecodedText decoded,
                   DecodeText(bytes, options.charset,
                              options.declared_charset.empty() ? DeclaredHtmlCharset(bytes)
                                                               : options.declared_charset));
  ASSIGN_OR_RETURN(Extraction result, ExtractHtmlUtf8(decoded.utf8, decoded.map));
  result.info["charset"] = decoded.charset;
  if (!decoded.warnings.empty()) result.info["warnings"] = decoded.warnings;
  if (result.text.text.empty()) return absl::InvalidArgumentError("no visible text in the HTML");
  return result;
}

}  // namespace uncut
