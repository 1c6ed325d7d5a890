// Finding items by the words of their extracted text.
//
// Words are compared as the matchers compare them (text/normalize.h: NFKC,
// case, Persian/Arabic letter variants, diacritics, digits), so "Soldiers"
// finds "soldiers" and «كتاب» finds «کتاب». An item matches when its text
// holds every word of the query. Snippets are cut from the item's own text
// (never the folded form), with the query's words marked.
#ifndef UNCUT_STORAGE_TEXT_SEARCH_H_
#define UNCUT_STORAGE_TEXT_SEARCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uncut {

// A piece of a snippet: text as it stands in the item, and whether it is
// one of the query's words.
struct SnippetPart {
  std::string text;
  bool hit = false;
  bool operator==(const SnippetPart&) const = default;
};

struct TextHit {
  int64_t item_id = 0;
  double score = 0;  // higher is better; comparable within one search only
  std::vector<SnippetPart> snippet;
};

// The query's words, folded (UTF-8), in query order, without repeats.
std::vector<std::string> SearchTerms(std::string_view query);

// `text` as a search index keeps it: its words folded, separated by spaces.
std::string SearchForm(std::string_view text);

// How often each of `terms` occurs in `text` (as whole words), in order;
// `words`, when given, gets the number of words in `text`.
std::vector<uint32_t> TermCounts(std::string_view text, const std::vector<std::string>& terms,
                                 size_t* words = nullptr);

// About `width_words` words of `text` around the place where most of
// `terms` occur close together, with those words marked; "…" where the
// snippet starts after the text's start or ends before its end. Newlines
// and runs of spaces read as one space.
std::vector<SnippetPart> MakeSnippet(std::string_view text, const std::vector<std::string>& terms,
                                     size_t width_words = 24);

// Snippet parts as one line, hits between the given marks.
std::string SnippetLine(const std::vector<SnippetPart>& parts, std::string_view open = "",
                        std::string_view close = "");

}  // namespace uncut

#endif  // UNCUT_STORAGE_TEXT_SEARCH_H_
