#include "text/fingerprint.h"

#include "text/normalize.h"

namespace uncut {

WinnowParams DefaultTextWinnowParams() { return WinnowParams{12, 8}; }

std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params) {
  // Streamed: the skeleton of a long text is never held whole.
  Winnower winnower(params);
  ForEachSkeletonPiece(text, [&](std::u32string_view piece) { winnower.Add(piece); });
  return winnower.Finish();
}

}  // namespace uncut
