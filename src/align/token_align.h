// Word-level local alignment of an extract against a stretch of a source.
//
// Smith-Waterman local alignment with affine gaps (Gotoh 1982) over tokens,
// where two tokens are equal when their folded skeletons are equal, and one
// token may also match two adjacent tokens whose skeletons concatenate to it
// (so «بین‌المللی» matches «بین المللی», and "icehouse" matches "ice-house").
// Source words the extract skips are omissions (cheap where the extract
// marks them with "..."); extract words the source lacks are additions; a
// word facing a different word is a change.
//
// The dynamic programme is banded (Chao, Pearson & Miller 1992, "Aligning
// two sequences within a specified diagonal band"): it fills only the cells
// within kAlignBandRadius diagonals of a guide path through anchors, pairs
// of tokens known to correspond (the exact seeds a chain is made of). Between
// two anchors the band spans both their diagonals, so an omission or an
// addition between seeds lies inside it. Time and memory are therefore
// linear in the query's length: at most kAlignMaxRowCells cells per query
// token, one byte each for the traceback, and three rows of scores. Where
// the optimal alignment stays within the band (always, when the anchors are
// the seeds it passes through), the result is the full table's.
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
  size_t dp_bytes = 0;  // memory the dynamic programme held (traceback, rows, band)
};

// A query token and a source token known to correspond (absolute indices).
struct TokenAnchor {
  size_t q, s;
};

// Diagonals on either side of the guide path that the band covers.
inline constexpr size_t kAlignBandRadius = 32;
// Largest shift of diagonal between two anchors that the band bridges (a
// skipped stretch of the source, in tokens); anchors farther apart in
// diagonal are joined only by their own bands.
inline constexpr size_t kAlignMaxDrift = 512;
// The widest row of the band, in cells.
inline constexpr size_t kAlignMaxRowCells = 2 * kAlignBandRadius + 1 + kAlignMaxDrift;

struct AlignScores {
  double match = 2.0;
  double mismatch = -1.5;
  double omit_open = -3.0;
  double omit_open_marked = -0.5;  // where the query shows "..."
  double omit_extend = -0.1;
  double add_open = -3.0;
  double add_extend = -1.0;
};

// Aligns query tokens [qb, qe) against source tokens [sb, se) within the
// band around `anchors` (in any order; those outside the ranges are ignored).
TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const std::vector<TokenAnchor>& anchors,
                           const AlignScores& scores = AlignScores());

// As above, with anchors found in the tokens themselves: tokens that occur
// exactly once in each range, paired, and the longest run of such pairs in
// the same order on both sides (as patience diff does). Without any such
// pair the band follows the ranges' first diagonal.
TokenAlignment AlignTokens(const NormalizedText& query, size_t qb, size_t qe,
                           const NormalizedText& source, size_t sb, size_t se,
                           const AlignScores& scores = AlignScores());

// The anchors the overload above uses.
std::vector<TokenAnchor> UniqueTokenAnchors(const NormalizedText& query, size_t qb, size_t qe,
                                            const NormalizedText& source, size_t sb, size_t se);

}  // namespace uncut

#endif  // UNCUT_ALIGN_TOKEN_ALIGN_H_
