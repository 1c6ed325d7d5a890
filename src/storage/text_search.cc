#include "storage/text_search.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/utf8.h"
#include "text/normalize.h"

namespace uncut {
namespace {

std::string TokenForm(const NormalizedText& n, size_t i) {
  std::string out;
  for (char32_t c : n.TokenSkeleton(i)) AppendUtf8(c, &out);
  return out;
}

// For each token of `n`, the index of the term it is, or -1.
std::vector<int> TermOfTokens(const NormalizedText& n, const std::vector<std::string>& terms) {
  std::map<std::string, int, std::less<>> index;
  for (size_t t = 0; t < terms.size(); ++t) index.emplace(terms[t], static_cast<int>(t));
  std::vector<int> out(n.tokens.size(), -1);
  for (size_t i = 0; i < n.tokens.size(); ++i) {
    auto it = index.find(TokenForm(n, i));
    if (it != index.end()) out[i] = it->second;
  }
  return out;
}

// Appends `s` with every run of whitespace and control characters as one
// space; `*space` says whether what came before (in any part) ended in one.
void AppendCollapsed(std::string_view s, std::string* out, bool* space) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == ' ' || c == 0x7F) {
      if (!*space) out->push_back(' ');
      *space = true;
    } else {
      out->push_back(ch);
      *space = false;
    }
  }
}

}  // namespace

std::vector<std::string> SearchTerms(std::string_view query) {
  NormalizedText n = Normalize(query);
  std::vector<std::string> out;
  for (size_t i = 0; i < n.tokens.size(); ++i) {
    std::string t = TokenForm(n, i);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  }
  return out;
}

std::string SearchForm(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ForEachFoldedToken(text, [&](std::u32string_view token) {
    if (!out.empty()) out.push_back(' ');
    for (char32_t c : token) AppendUtf8(c, &out);
  });
  return out;
}

std::vector<uint32_t> TermCounts(std::string_view text, const std::vector<std::string>& terms,
                                 size_t* words) {
  NormalizedText n = Normalize(text);
  if (words) *words = n.tokens.size();
  std::vector<uint32_t> counts(terms.size(), 0);
  for (int t : TermOfTokens(n, terms)) {
    if (t >= 0) ++counts[static_cast<size_t>(t)];
  }
  return counts;
}

std::vector<SnippetPart> MakeSnippet(std::string_view text, const std::vector<std::string>& terms,
                                     size_t width_words) {
  NormalizedText n = Normalize(text);
  std::vector<SnippetPart> parts;
  if (n.tokens.empty() || width_words == 0) return parts;
  std::vector<int> term_of = TermOfTokens(n, terms);
  // The window start where most distinct terms fall within half a width.
  size_t anchor = 0, best = 0;
  const size_t reach = std::max<size_t>(1, width_words / 2);
  for (size_t i = 0; i < n.tokens.size(); ++i) {
    if (term_of[i] < 0) continue;
    std::set<int> seen;
    for (size_t j = i; j < n.tokens.size() && j < i + reach; ++j) {
      if (term_of[j] >= 0) seen.insert(term_of[j]);
    }
    if (seen.size() > best) {
      best = seen.size();
      anchor = i;
      if (best == terms.size()) break;
    }
  }
  size_t first = anchor > width_words / 4 ? anchor - width_words / 4 : 0;
  size_t last = std::min(n.tokens.size(), first + width_words);  // exclusive
  bool space = true;  // no space at the very start
  auto add = [&](std::string_view s, bool hit) {
    if (s.empty()) return;
    if (parts.empty() || parts.back().hit != hit) parts.push_back({"", hit});
    AppendCollapsed(s, &parts.back().text, &space);
    if (parts.back().text.empty()) parts.pop_back();
  };
  auto trimmed = [](std::string_view s) {
    while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
    return s.size() <= 16 ? s : std::string_view();  // punctuation, not a stretch of symbols
  };
  if (first > 0) {
    add("… ", false);
  } else {
    add(trimmed(text.substr(0, n.tokens[0].start)), false);  // an opening quote
  }
  for (size_t i = first; i < last; ++i) {
    const Token& t = n.tokens[i];
    if (i > first) {
      add(text.substr(n.tokens[i - 1].end, t.start - n.tokens[i - 1].end), false);
    }
    add(text.substr(t.start, t.end - t.start), term_of[i] >= 0);
  }
  if (last < n.tokens.size()) {
    // Punctuation right after the last word stays with it.
    std::string_view tail = text.substr(n.tokens[last - 1].end,
                                        n.tokens[last].start - n.tokens[last - 1].end);
    size_t keep = tail.find_first_of(" \t\r\n");
    add(tail.substr(0, keep), false);
    add(" …", false);
  } else {
    add(trimmed(text.substr(n.tokens[last - 1].end)), false);  // the closing punctuation
  }
  return parts;
}

std::string SnippetLine(const std::vector<SnippetPart>& parts, std::string_view open,
                        std::string_view close) {
  std::string out;
  for (const SnippetPart& p : parts) {
    if (p.hit) out.append(open);
    out.append(p.text);
    if (p.hit) out.append(close);
  }
  return out;
}

}  // namespace uncut
