#include "text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "base/huge_pages.h"

namespace uncut {
namespace {

enum class CharClass { kSeparator, kWord, kJoiner, kApostrophe };

CharClass ClassifyAscii(UChar32 c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return CharClass::kWord;
  }
  return c == '\'' ? CharClass::kApostrophe : CharClass::kSeparator;
}

struct AsciiClasses {
  CharClass of[128];
  AsciiClasses() {
    for (int c = 0; c < 128; ++c) of[c] = ClassifyAscii(c);
  }
};
const AsciiClasses kAscii;

CharClass ClassifyOther(UChar32 c) {
  switch (c) {
    case 0x200C:  // ZWNJ
    case 0x200D:  // ZWJ
    case 0x00AD:  // soft hyphen
    case 0x0640:  // tatweel
    case 0x200B:  // zero-width space inside a word
    case 0x2060:  // word joiner
    case 0xFEFF:
      return CharClass::kJoiner;
    case 0x2019:  // right single quotation mark used as apostrophe
    case 0x02BC:  // modifier letter apostrophe
      return CharClass::kApostrophe;
    default:
      break;
  }
  switch (u_charType(c)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return CharClass::kWord;
    default:
      return CharClass::kSeparator;
  }
}

inline CharClass Classify(UChar32 c) { return c < 0x80 ? kAscii.of[c] : ClassifyOther(c); }

// Arabic-script and digit folding applied after NFKC case folding.
// Returns 0 for characters that are dropped.
UChar32 FoldArabic(UChar32 c) {
  if (c < 0x0600) return c;
  if (c >= 0x064B && c <= 0x0652) return 0;  // harakat
  if (c >= 0x0660 && c <= 0x0669) return '0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9) return '0' + (c - 0x06F0);
  switch (c) {
    case 0x0670:  // superscript alef
    case 0x0654:  // hamza above
    case 0x0655:  // hamza below
    case 0x0640:  // tatweel
      return 0;
    case 0x064A:
    case 0x0649:
      return 0x06CC;
    case 0x0643:
      return 0x06A9;
    case 0x0629:
    case 0x06C0:
      return 0x0647;
    case 0x0622:  // alef with madda, often typed as a plain alef
    case 0x0623:
    case 0x0625:
      return 0x0627;
    default:
      return c;
  }
}

bool IsAllAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool IsEllipsisAt(std::string_view text, size_t i) {
  if (text.compare(i, 3, "...") == 0) return true;
  return text.compare(i, 3, "\xE2\x80\xA6") == 0;  // U+2026
}

}  // namespace

size_t NormalizedText::TokenAt(uint32_t i) const {
  auto it = std::upper_bound(tokens.begin(), tokens.end(), i,
                             [](uint32_t v, const Token& t) { return v < t.skel; });
  return it == tokens.begin() ? 0 : static_cast<size_t>(it - tokens.begin() - 1);
}

namespace {

void FoldAsciiToken(std::string_view token, std::u32string* out) {
  size_t at = out->size();
  out->resize(at + token.size());
  char32_t* dst = out->data() + at;
  for (unsigned char c : token) {
    if (c == '\'') continue;
    *dst++ = static_cast<char32_t>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  out->resize(static_cast<size_t>(dst - out->data()));
}

}  // namespace

void FoldToken(std::string_view token, std::u32string* out) {
  if (IsAllAscii(token)) {
    FoldAsciiToken(token, out);
    return;
  }
  UErrorCode err = U_ZERO_ERROR;
  static const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(err);
  icu::UnicodeString src = icu::UnicodeString::fromUTF8(
      icu::StringPiece(token.data(), static_cast<int32_t>(token.size())));
  err = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc_cf ? nfkc_cf->normalize(src, err) : src;
  if (U_FAILURE(err)) folded = src;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    CharClass cls = Classify(c);
    if (cls == CharClass::kJoiner || cls == CharClass::kApostrophe) continue;
    UChar32 f = FoldArabic(c);
    if (f != 0) out->push_back(static_cast<char32_t>(f));
  }
}

namespace {

// Splits `text` into tokens and appends each token's folded characters to
// *skeleton; calls on_token(start, end, skel, after_marker) for each token
// that folds to something (`skel` is where its characters begin in
// *skeleton).
//
// With kAsciiRuns, runs of ASCII letters and digits, and ASCII separators,
// are taken a byte at a time from a table instead of through UTF-8
// decoding: the same tokens, offsets and skeleton (normalize_test.cc
// compares both on mixed-script text).
template <bool kAsciiRuns, typename OnToken>
void Scan(std::string_view text, std::u32string* skeleton, OnToken on_token) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  int32_t n = static_cast<int32_t>(text.size());
  int32_t i = 0;
  bool marker = false;
  while (i < n) {
    if (kAsciiRuns && p[i] < 0x80 && kAscii.of[p[i]] != CharClass::kWord) {
      // An ASCII separator; a full stop may begin an omission marker.
      if (p[i] == '.' && IsEllipsisAt(text, i)) marker = true;
      ++i;
      continue;
    }
    // Skip separators, noting omission markers.
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    CharClass cls = c < 0 ? CharClass::kSeparator : Classify(c);
    if (cls != CharClass::kWord) {
      if ((c == '.' || c == 0x2026) && IsEllipsisAt(text, start)) marker = true;
      continue;
    }
    bool ascii = c < 0x80;
    // A token runs over word characters, joined by joiners and by
    // apostrophes that have word characters on both sides.
    int32_t end = i;
    while (i < n) {
      if (kAsciiRuns && p[i] < 0x80) {
        const CharClass ac = kAscii.of[p[i]];
        if (ac == CharClass::kWord) {
          end = ++i;
          continue;
        }
        if (ac == CharClass::kSeparator) break;
        // An apostrophe: joins only when a word character follows.
      }
      int32_t save = i;
      UChar32 d;
      U8_NEXT(p, i, n, d);
      CharClass dc = d < 0 ? CharClass::kSeparator : Classify(d);
      if (dc == CharClass::kWord) {
        ascii = ascii && d < 0x80;
        end = i;
        continue;
      }
      if (dc == CharClass::kJoiner || dc == CharClass::kApostrophe) {
        int32_t peek = i;
        if (peek < n) {
          UChar32 e;
          U8_NEXT(p, peek, n, e);
          if (e >= 0 && Classify(e) == CharClass::kWord) {
            ascii = ascii && d < 0x80;
            continue;
          }
        }
      }
      i = save;
      break;
    }
    const size_t skel = skeleton->size();
    const bool after_marker = marker;
    marker = false;
    if (ascii) {
      FoldAsciiToken(text.substr(start, end - start), skeleton);
    } else {
      FoldToken(text.substr(start, end - start), skeleton);
    }
    if (skeleton->size() == skel) continue;  // folded to nothing (only marks)
    on_token(start, end, skel, after_marker);
  }
}

template <bool kAsciiRuns>
NormalizedText NormalizeText(std::string_view text, uint32_t base) {
  NormalizedText out;
  // At most one skeleton character per byte; about one token per five
  // bytes of prose (the vector grows past that if it must).
  ReserveHugePages(&out.skeleton, text.size());
  ReserveHugePages(&out.tokens, text.size() / 5 + 16);
  Scan<kAsciiRuns>(text, &out.skeleton,
                   [&](int32_t start, int32_t end, size_t skel, bool after_marker) {
                     Token t;
                     t.start = base + start;
                     t.end = base + end;
                     t.skel = static_cast<uint32_t>(skel);
                     t.after_marker = after_marker;
                     out.tokens.push_back(t);
                   });
  return out;
}

}  // namespace

NormalizedText Normalize(std::string_view text, uint32_t base) {
  return NormalizeText<true>(text, base);
}

namespace normalize_internal {

NormalizedText NormalizeDecodingEveryCharacter(std::string_view text, uint32_t base) {
  return NormalizeText<false>(text, base);
}

}  // namespace normalize_internal

void ForEachFoldedToken(std::string_view text,
                        absl::FunctionRef<void(std::u32string_view)> token) {
  std::u32string buffer;
  Scan<true>(text, &buffer, [&](int32_t, int32_t, size_t, bool) {
    token(buffer);
    buffer.clear();
  });
}

void ForEachSkeletonPiece(std::string_view text,
                          absl::FunctionRef<void(std::u32string_view)> piece) {
  constexpr size_t kPieceChars = 4096;
  std::u32string buffer;
  buffer.reserve(kPieceChars + 256);
  Scan<true>(text, &buffer, [&](int32_t, int32_t, size_t, bool) {
    if (buffer.size() < kPieceChars) return;
    piece(buffer);
    buffer.clear();
  });
  if (!buffer.empty()) piece(buffer);
}

}  // namespace uncut
