// Word-level local alignment of an extract against a stretch of a source.
//
// Smith-Waterman local alignment with affine gaps (Gotoh 1982) over tokens,
// where two tokens are equal when their folded skeletons are equal, and one
// token may also match two adjacent tokens whose skeletons concatenate to it
// (so «بین‌المللی» matches «بین المللی», and "icehouse" matches "ice-house").
// Source words the extract skips are omissions (cheap where the extract
// marks them with "..."); extract words the source lacks are additions; a
// word facing a different word is a change.
#ifndef UNCUT_ALIGN_TOKEN_ALIGN_H_
#define UNCUT_ALIGN_TOKEN_ALIGN_H_

#include <cstddef>
#include <vector>

#include "text/normalize.h"

namespace uncut {

enum class EditKind {
  kSame,     // query tokens equal source tokens (after folding)
  kOmitted,  // source tokens the query skipped
  kChanged,  // query tokens replace source tokens
  kAdded,    // query tokens the source does not have
};

// One run of the alignment: half-open token ranges in the query and source.
// kOmitted has an empty query range, kAdded an empty source range.
struct EditRun {
  EditKind kind;
  size_t q_begin, q_end;
  size_t s_begin, s_end;
};

struct TokenAlignment {
  double score = 0;
  size_t q_begin = 0, q_end = 0;  // aligned query tokens
  size_t s_begin = 0, s_end = 0;  // aligned source tokens
  size_t matched_query_tokens = 0;
  size_t longest_run = 0;  // longest run of query tokens matched without an edit
  std::vector<EditRun> runs;  // consecutive runs of the same kind, in order
};

struct AlignScores {
  double match = 2.0;
  double mismatch = -1.5;
  double omit_open = -3.0;
  double omit_open_marked = -0.5;  // where the query shows "..."
  double omit_extend = -0.1;
  double add_open = -3.0;
  double add_extend = -1.0;
};

// Aligns query tokens [qb, qe) against source tokens [sb, se).
TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const AlignScores& scores = AlignScores());

}  // namespace uncut

#endif  // UNCUT_ALIGN_TOKEN_ALIGN_H_
