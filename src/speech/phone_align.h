// Local alignment of a quote's phones to a transcript's phones (Smith and
// Waterman 1981, with Gotoh's 1982 affine gaps), tolerant of what speech
// recognisers get wrong: a misheard phone costs less when it is of the same
// class (a vowel for a vowel, a stop for a stop), and a long stretch of the
// transcript the quote leaves out (an omission) costs one gap opening plus
// a little per phone.
#ifndef UNCUT_SPEECH_PHONE_ALIGN_H_
#define UNCUT_SPEECH_PHONE_ALIGN_H_

#include <cstddef>
#include <span>

#include "speech/pronunciation.h"

namespace uncut {

struct PhoneScores {
  int match = 10;
  int same_class = 2;
  int mismatch = -6;
  int gap_open = -14;  // on either side, first phone
  int gap_extend = -3;  // each further phone skipped in the quote
  // Each further transcript phone skipped: an omission in the quote is
  // cheap once opened.
  int transcript_gap_extend = -1;
};

struct PhoneAlignment {
  int score = 0;
  // Aligned ranges, [begin, end) in phones.
  size_t query_begin = 0, query_end = 0;
  size_t transcript_begin = 0, transcript_end = 0;
  // score / (match * query length): 1 for a perfect hearing of all of it.
  double Similarity(size_t query_phones, const PhoneScores& s) const;
};

// The best local alignment; score 0 (empty ranges) when nothing aligns.
// Time O(|query| * |transcript|), memory O(|transcript|).
PhoneAlignment AlignPhones(std::span<const Phone> query, std::span<const Phone> transcript,
                           const PhoneScores& scores = PhoneScores());

}  // namespace uncut

#endif  // UNCUT_SPEECH_PHONE_ALIGN_H_
