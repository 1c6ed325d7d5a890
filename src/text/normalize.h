// Normalization for matching, which never changes what is shown.
//
// Text is split into tokens (runs of letters, digits and marks); each token
// is folded for comparison and the folded characters of all tokens are
// concatenated into a "skeleton". Matching works on the skeleton and the
// tokens; reports use each token's byte range in the original text, so a
// reported span is always a span of what the source really says.
//
// Folding: Unicode NFKC with case folding (ICU); Arabic-script folding for
// Persian and Arabic (ي U+064A and ى U+0649 -> ی U+06CC, ك U+0643 -> ک U+06A9,
// ة U+0629 -> ه U+0647, ۀ U+06C0 and ه+U+0654 -> ه, آ/أ/إ -> ا; harakat U+064B..U+0652,
// U+0670, U+0654/U+0655 and tatweel U+0640 removed); Arabic-Indic and
// Persian digits -> ASCII. Quotes, dashes, apostrophes, ellipses and all
// whitespace separate tokens, so their variants never matter; an apostrophe
// or ZWNJ/ZWJ/soft hyphen inside a word joins its parts («می‌روم» is one
// token). Because the skeleton drops separators, «می‌روم», «می روم» and
// «میروم» have the same skeleton; the aligner compares tokens by skeleton
// so that one token may match two.
#ifndef UNCUT_TEXT_NORMALIZE_H_
#define UNCUT_TEXT_NORMALIZE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"

namespace uncut {

struct Token {
  uint32_t start = 0;  // byte offset in the analysed text
  uint32_t end = 0;    // exclusive
  uint32_t skel = 0;   // index of the token's first character in the skeleton
  bool after_marker = false;  // an omission marker ("...", "…", "[…]") precedes it
};

struct NormalizedText {
  std::u32string skeleton;    // folded characters of all tokens, concatenated
  std::vector<Token> tokens;  // in text order

  uint32_t SkelEnd(size_t token) const {
    return token + 1 < tokens.size() ? tokens[token + 1].skel
                                     : static_cast<uint32_t>(skeleton.size());
  }
  std::u32string_view TokenSkeleton(size_t token) const {
    return std::u32string_view(skeleton).substr(tokens[token].skel,
                                                 SkelEnd(token) - tokens[token].skel);
  }
  // The token that holds skeleton character `i`.
  size_t TokenAt(uint32_t i) const;
};

// Normalizes UTF-8 `text`. Token offsets are relative to `text` plus `base`.
// Invalid UTF-8 bytes are treated as separators.
NormalizedText Normalize(std::string_view text, uint32_t base = 0);

// Calls `piece` with the skeleton of UTF-8 `text` a few thousand characters
// at a time, in order: together the pieces are Normalize(text).skeleton,
// without the memory of holding it whole or of its tokens.
void ForEachSkeletonPiece(std::string_view text,
                          absl::FunctionRef<void(std::u32string_view)> piece);

// Calls `token` with each token's folded characters, in order: what
// NormalizedText::TokenSkeleton gives for each token of Normalize(text).
void ForEachFoldedToken(std::string_view text,
                        absl::FunctionRef<void(std::u32string_view)> token);

// Folds one token's UTF-8 text into skeleton characters (appended to out).
void FoldToken(std::string_view token, std::u32string* out);

namespace normalize_internal {

// Normalize without its ASCII fast path, decoding every character as
// UTF-8: the reference that Normalize must equal byte for byte.
NormalizedText NormalizeDecodingEveryCharacter(std::string_view text, uint32_t base = 0);

}  // namespace normalize_internal

}  // namespace uncut

#endif  // UNCUT_TEXT_NORMALIZE_H_
