#include "extract/plain_text.h"

#include "base/strings.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "extract/charset.h"

namespace uncut {

int PlainTextExtractor::Sniff(std::string_view path, std::string_view head) const {
  std::string ext = Extension(path);
  if (ext == "txt" || ext == "text" || ext == "md" || ext == "markdown") return 50;
  return 0;
}

absl::StatusOr<Extraction> PlainTextExtractor::Extract(std::string_view bytes,
                                                       const ExtractOptions& options) const {
  if (bytes.empty()) return absl::InvalidArgumentError("empty file");
  if (bytes.size() > options.max_text_bytes) {
    return absl::ResourceExhaustedError(
        StrCat("text file too large (", bytes.size(), " bytes)"));
  }
  ASSIGN_OR_RETURN(DecodedText decoded, DecodeText(bytes, options.charset, options.declared_charset));
  Extraction out;
  out.format = "txt";
  out.text.text = std::move(decoded.utf8);
  out.text.map = std::move(decoded.map);
  out.info["charset"] = decoded.charset;
  if (!decoded.warnings.empty()) out.info["warnings"] = decoded.warnings;
  bool blank = true;
  for (char c : out.text.text) {
    if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')) {
      blank = false;
      break;
    }
  }
  if (blank) return absl::InvalidArgumentError("no text (only whitespace)");
  return out;
}

}  // namespace uncut
