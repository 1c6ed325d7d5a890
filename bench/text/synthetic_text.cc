#include "bench/text/synthetic_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace uncut {
namespace {

// English function and common words, roughly in their order of frequency
// in running text.
constexpr const char* kCommonWords[] = {
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "was", "on", "with", "as", "he",
    "be", "by", "at", "have", "are", "this", "not", "but", "from", "had", "his", "they", "i", "or",
    "which", "you", "she", "an", "were", "her", "all", "their", "we", "there", "been", "one", "has",
    "will", "would", "more", "if", "no", "when", "what", "so", "who", "can", "said", "them", "about",
    "out", "up", "some", "into", "than", "its", "only", "other", "time", "new", "could", "these",
    "two", "may", "then", "do", "first", "any", "my", "now", "like", "our", "over", "man", "me",
    "even", "most", "made", "also", "after", "did", "many", "before", "must", "through", "back",
    "years", "where", "much", "your", "way", "well", "down", "should", "because", "each", "just",
    "those", "people", "how", "too", "little", "state", "good", "very", "make", "world", "still",
    "own", "see", "men", "work", "long", "get", "here", "between", "both", "life", "being", "under",
    "never", "day", "same", "another", "know", "while", "last", "might", "us", "great", "old",
    "year", "off", "come", "since", "against", "go", "came", "right", "used", "take", "three"};

// Frequent English word sequences, most frequent first.
constexpr const char* kPhrases[] = {
    "of the", "in the", "to the", "on the", "and the", "for the", "to be", "at the", "with the",
    "from the", "it is", "by the", "one of the", "as well as", "there is", "it was", "that the",
    "in order to", "at the end of", "a lot of", "the end of the", "as a result", "in terms of",
    "on the other hand", "the rest of the", "at the same time", "for the first time",
    "in the middle of", "part of the", "some of the", "the fact that", "according to the",
    "in front of", "there was a", "i think that", "we have to", "it would be", "the number of",
    "as far as", "at least"};

constexpr const char* kOnsets[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r",
                                   "s", "t", "v", "w", "z", "bl", "br", "ch", "cl", "cr", "dr",
                                   "fl", "fr", "gr", "pl", "pr", "sh", "sl", "st", "str", "th",
                                   "tr", "wh"};
constexpr const char* kVowels[] = {"a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee",
                                   "ie", "oo", "ou", "y"};
constexpr const char* kCodas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st",
                                  "ng", "ck", "rd", "ss", "x"};

template <size_t N>
const char* Pick(std::mt19937_64& rng, const char* const (&list)[N]) {
  return list[rng() % N];
}

// A made-up word for rank r: more syllables the rarer.
std::string MadeUpWord(std::mt19937_64& rng, size_t rank) {
  const size_t syllables = (rank <= 2000 ? 1 : 2) + rng() % 2;
  std::string w;
  for (size_t i = 0; i < syllables; ++i) {
    w += Pick(rng, kOnsets);
    w += Pick(rng, kVowels);
    if (i + 1 == syllables || rng() % 4 == 0) w += Pick(rng, kCodas);
  }
  return w;
}

std::vector<double> ZipfCumulative(size_t n, double s, double q) {
  std::vector<double> c(n);
  double sum = 0;
  for (size_t r = 1; r <= n; ++r) {
    sum += 1.0 / std::pow(static_cast<double>(r) + q, s);
    c[r - 1] = sum;
  }
  for (double& v : c) v /= sum;
  return c;
}

size_t CountWords(const char* phrase) {
  size_t n = 1;
  for (const char* p = phrase; *p; ++p) n += *p == ' ';
  return n;
}

}  // namespace

double UnitDouble(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

SyntheticText::SyntheticText(const SyntheticTextParams& params) : params_(params) {
  std::unordered_set<std::string> taken;
  for (const char* w : kCommonWords) {
    if (words_.size() == params_.vocabulary) break;
    words_.push_back(w);
    taken.insert(w);
  }
  std::mt19937_64 rng(0x5eed'7e47);  // the vocabulary is fixed; documents vary with their seed
  while (words_.size() < params_.vocabulary) {
    std::string w = MadeUpWord(rng, words_.size() + 1);
    if (taken.insert(w).second) words_.push_back(std::move(w));
  }
  cumulative_ = ZipfCumulative(words_.size(), params_.zipf_s, params_.zipf_q);
  phrase_cumulative_ = ZipfCumulative(std::size(kPhrases), params_.zipf_s, params_.zipf_q);
}

double SyntheticText::Probability(size_t rank) const {
  return cumulative_[rank - 1] - (rank > 1 ? cumulative_[rank - 2] : 0.0);
}

size_t SyntheticText::DrawRank(std::mt19937_64& rng, const std::vector<double>& cumulative) const {
  const double u = UnitDouble(rng);
  size_t i = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
  return std::min(i, cumulative.size() - 1);
}

std::string SyntheticText::Document(std::mt19937_64& rng, size_t words) const {
  std::string out;
  size_t done = 0;
  size_t sentence_left = 0, sentences_left = 2 + rng() % 5;
  bool start = true;
  while (done < words) {
    if (sentence_left == 0) sentence_left = 6 + rng() % 25;
    std::string next;
    if (UnitDouble(rng) < params_.phrase_p) {
      const char* p = kPhrases[DrawRank(rng, phrase_cumulative_)];
      if (CountWords(p) > std::min(sentence_left, words - done)) continue;
      next = p;
      done += CountWords(p);
      sentence_left -= CountWords(p);
    } else {
      next = words_[DrawRank(rng, cumulative_)];
      ++done;
      --sentence_left;
    }
    if (start) {
      next[0] = static_cast<char>(next[0] - 'a' + 'A');
      start = false;
    }
    out += next;
    if (sentence_left == 0 || done == words) {
      out += rng() % 10 == 0 ? "?" : ".";
      start = true;
      if (--sentences_left == 0 && done < words) {
        out += "\n\n";
        sentences_left = 2 + rng() % 5;
        continue;
      }
    } else if (UnitDouble(rng) < 0.06) {
      out += ",";
    }
    if (done < words) out += " ";
  }
  out += "\n";
  return out;
}

namespace {
constexpr char kTranscriptSuffix[] = ".transcript.txt";
}  // namespace

std::vector<SyntheticFile> SyntheticHourTexts(const SyntheticText& gen, uint64_t seed, int hour,
                                              const HourTextParams& params) {
  std::seed_seq seq{seed, static_cast<uint64_t>(hour), uint64_t{0x74657874}};
  std::mt19937_64 rng(seq);
  char base[32];
  std::snprintf(base, sizeof(base), "synthetic-%04d", hour);
  std::vector<SyntheticFile> out;
  const size_t mean = params.documents > 0 ? params.document_words / params.documents : 0;
  for (int d = 1; d <= params.documents && mean > 0; ++d) {
    const size_t words = mean * 2 / 5 + rng() % (mean * 6 / 5 + 1);
    out.push_back({std::string(base) + ".doc-" + std::to_string(d) + ".txt",
                   gen.Document(rng, std::max<size_t>(words, 1))});
  }
  out.push_back({std::string(base) + kTranscriptSuffix, gen.Document(rng, params.transcript_words)});
  return out;
}

int SyntheticTranscriptHour(const std::string& name) {
  const std::string prefix = "synthetic-";
  const size_t suffix = sizeof(kTranscriptSuffix) - 1;
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + suffix ||
      name.compare(name.size() - suffix, suffix, kTranscriptSuffix) != 0) {
    return 0;
  }
  return std::atoi(name.c_str() + prefix.size());
}

}  // namespace uncut
