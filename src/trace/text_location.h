// Human locations and context for spans of an item's extracted text.
#ifndef UNCUT_TRACE_TEXT_LOCATION_H_
#define UNCUT_TRACE_TEXT_LOCATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "extract/extractor.h"
#include "report/trace_report.h"

namespace uncut {

// Locates extracted-text range [t_begin, t_end) in the original bytes.
// `original` is the item's bytes (for line and column).
TextLocation LocateText(const ExtractedText& text, std::string_view original, uint64_t t_begin,
                        uint64_t t_end);

// Context of a span: up to `sentences` sentences of text just before `t`
// (ending at t), and just after `t` (starting at t). The sentence a span
// starts or ends inside counts as the first. Sentences are ICU's, read on
// the text with the line breaks inside a paragraph joined (see
// JoinWrappedLines), so a sentence runs on across hard-wrapped lines, PDF
// lines, columns and pages. Spaces at the outer edge are left out. A
// context longer than `max_bytes` is cut at a word boundary and `*clipped`
// (if given) set. Returns extracted-text offsets.
inline constexpr uint64_t kMaxContextBytes = 600;
uint64_t ContextBefore(std::string_view text, uint64_t t, int sentences,
                       uint64_t max_bytes = kMaxContextBytes, bool* clipped = nullptr);
uint64_t ContextAfter(std::string_view text, uint64_t t, int sentences,
                      uint64_t max_bytes = kMaxContextBytes, bool* clipped = nullptr);

// `text` with each run of line breaks inside a paragraph turned into
// spaces, byte for byte (same length, same offsets): a single line break
// always, and a blank line or page break (form feed) when the text before
// it does not end a sentence and the text after it goes on in lower case
// (a sentence split by a page or column). Other blank lines stay, as
// paragraph ends.
std::string JoinWrappedLines(std::string_view text);

// Collapses whitespace runs to single spaces, for display.
std::string CollapseSpace(std::string_view s);

}  // namespace uncut

#endif  // UNCUT_TRACE_TEXT_LOCATION_H_
