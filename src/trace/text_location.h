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

// Up to `sentences` sentences of text just before `t` (ending at t), and
// just after `t` (starting at t), using ICU's sentence boundaries.
// Returns extracted-text offsets.
uint64_t ContextBefore(std::string_view text, uint64_t t, int sentences);
uint64_t ContextAfter(std::string_view text, uint64_t t, int sentences);

// Collapses whitespace runs to single spaces, for display.
std::string CollapseSpace(std::string_view s);

}  // namespace uncut

#endif  // UNCUT_TRACE_TEXT_LOCATION_H_
