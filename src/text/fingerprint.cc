#include "text/fingerprint.h"

#include "base/huge_pages.h"
#include "base/utf8.h"
#include "text/normalize.h"

namespace uncut {
namespace {

// Appends one token's folded characters, ASCII a run at a time.
void AppendToken(std::u32string_view token, std::string* out) {
  size_t at = out->size();
  out->resize(at + token.size());
  char* dst = out->data() + at;
  size_t i = 0;
  for (; i < token.size() && token[i] < 0x80; ++i) *dst++ = static_cast<char>(token[i]);
  out->resize(static_cast<size_t>(dst - out->data()));
  for (; i < token.size(); ++i) AppendUtf8(token[i], out);
}

}  // namespace

WinnowParams DefaultTextWinnowParams() { return WinnowParams{12, 8}; }

std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params) {
  return TextPostings(text, params, nullptr);
}

std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params,
                                  std::string* search_form) {
  // Streamed: the skeleton of a long text is never held whole.
  Winnower winnower(params);
  // A text has at most as many skeleton characters as bytes.
  winnower.Reserve(text.size());
  if (search_form == nullptr) {
    ForEachSkeletonPiece(text, [&](std::u32string_view piece) { winnower.Add(piece); });
    return winnower.Finish();
  }
  search_form->clear();
  ReserveHugePages(search_form, text.size());
  ForEachFoldedToken(text, [&](std::u32string_view token) {
    winnower.Add(token);
    if (!search_form->empty()) search_form->push_back(' ');
    AppendToken(token, search_form);
  });
  return winnower.Finish();
}

}  // namespace uncut
