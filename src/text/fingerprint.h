// Text fingerprints of an item, as stored in the "text" index: winnowed
// k-grams of the normalized skeleton, each with its skeleton position.
#ifndef UNCUT_TEXT_FINGERPRINT_H_
#define UNCUT_TEXT_FINGERPRINT_H_

#include <string>
#include <string_view>
#include <vector>

#include "index/posting.h"
#include "text/winnow.h"

namespace uncut {

inline constexpr char kTextModality[] = "text";

// The parameters every text index and every text query use.
WinnowParams DefaultTextWinnowParams();

std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params);

// TextPostings, and in the same pass over the text its search form when
// `search_form` is given: every token's folded characters in UTF-8, the
// tokens separated by one space (what storage/text_search.h SearchForm
// returns). Normalizing once serves both indexes.
std::vector<Posting> TextPostings(std::string_view text, const WinnowParams& params,
                                  std::string* search_form);

}  // namespace uncut

#endif  // UNCUT_TEXT_FINGERPRINT_H_
