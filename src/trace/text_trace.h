// Tracing a quote: which archived sources it comes from, exactly where, and
// what it left out or changed.
//
// 1. Retrieval: every k-gram of the extract's skeleton is looked up in the
//    text index (winnowed k-grams of every source; see text/winnow.h).
// 2. Chaining: hits of one source are merged into exact seeds and chained
//    colinearly (query and source positions both increasing, with bounded
//    gaps), so each chain is one contiguous piece of the source; pieces of
//    a splice, or from several sources, are separate chains.
// 3. Selection: the best chains that do not cover the same part of the
//    extract become pieces, plus any other source holding the same piece
//    equally well (the same text archived twice).
// 4. Alignment: each piece is aligned word by word (align/token_align.h)
//    to get exact edges, omissions, changes and additions; pieces that do
//    not align convincingly are dropped, so a weak guess is never reported.
//
// A short extract (3 to 7 words, no omission marker) is first looked up as
// an exact normalized phrase: every k-gram of it is probed in the index,
// and each candidate source is confirmed by searching its normalized text;
// every source holding it is reported. Extracts under w + k - 1 letters,
// which winnowing cannot promise to find, are searched for in the archived
// texts (within a budget, with a warning). See docs/trace-schema.md.
#ifndef UNCUT_TRACE_TEXT_TRACE_H_
#define UNCUT_TRACE_TEXT_TRACE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "storage/storage.h"
#include "text/winnow.h"

namespace uncut {

struct TextTraceOptions {
  int context_sentences = 1;
  // Keys with more postings than this are too common to say anything.
  size_t max_postings_per_key = 5000;
  // Largest source stretch, in skeleton characters, that one piece may skip
  // (an omission); farther apart, the extract holds two pieces.
  int max_omission_chars = 400;
  // Give each piece's source and query text and edit list in the report.
  bool details = true;
};

// Fewest words an extract needs to be traced at all.
inline constexpr size_t kMinQueryWords = 3;

// Largest extract one trace takes, in bytes (about 40,000 English words).
// Tracing time and memory grow linearly with the extract (docs/cli.md gives
// the worst cases); the cap keeps one request's cost bounded, on the command
// line and in the server alike.
inline constexpr size_t kMaxExtractBytes = 256 << 10;

// OK when an extract of `bytes` is within kMaxExtractBytes; otherwise
// ResourceExhausted, saying both sizes.
absl::Status CheckExtractSize(uint64_t bytes);

// Fails with CheckExtractSize's error for an extract over kMaxExtractBytes.
absl::StatusOr<TraceReport> TraceText(const Storage& storage, std::string_view query,
                                      const TextTraceOptions& options = TextTraceOptions());

}  // namespace uncut

#endif  // UNCUT_TRACE_TEXT_TRACE_H_
