#include "text/fingerprint.h"

#include "text/normalize.h"

namespace uncut {

WinnowParams DefaultTextWinnowParams() { return WinnowParams{12, 8}; }

std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params) {
  NormalizedText n = Normalize(text);
  return Winnow(n.skeleton, params);
}

}  // namespace uncut
