// Synthetic English-like text for benchmarks at scale: documents whose word
// statistics follow a stated model, made the same for the same seed on any
// machine (only std::mt19937_64's output is used, never the library's
// distributions, whose results differ between standard libraries).
//
// The model:
//  - Words are drawn independently from a vocabulary of `vocabulary` words
//    whose frequencies follow the Zipf-Mandelbrot law p(r) ~ 1 / (r + q)^s
//    (rank r from 1; s = 1.1, q = 2.7 by default). The first 150 ranks are
//    English function and common words in roughly their English order of
//    frequency ("the", "of", "and", ...); the rest are pronounceable
//    made-up words, longer the rarer (one or two syllables up to rank
//    2,000, two or three beyond). With the defaults a million words hold
//    "the" 7.1% of the time, "of" 4.0%, about 69,000 distinct words and
//    5.0 letters a word, near a million words of edited English (the
//    Brown corpus: "the" about 7%, "of" 3.6%, about 50,000 distinct words,
//    4.7 letters a word).
//  - With probability `phrase_p` a draw is instead one of 40 common
//    English multi-word phrases ("of the", "one of the", "at the end of"),
//    picked by the same law over their own ranks, so that the index sees
//    frequent word sequences and not only frequent words.
//  - Sentences are 6 to 30 words (uniform, mean 18), start with a capital,
//    end with a full stop (one in ten with a question mark), carry a comma
//    after a word with probability 0.06; paragraphs are 2 to 6 sentences.
// Nothing of this text is a real sentence, so a quote taken from one
// generated document occurs in no other (30 words drawn independently have
// a chance of repeating far below one in 10^30), while common words and
// phrases are shared by all of them as in real text.
#ifndef UNCUT_BENCH_TEXT_SYNTHETIC_TEXT_H_
#define UNCUT_BENCH_TEXT_SYNTHETIC_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace uncut {

struct SyntheticTextParams {
  size_t vocabulary = 100000;
  double zipf_s = 1.1;
  double zipf_q = 2.7;
  double phrase_p = 0.05;
};

class SyntheticText {
 public:
  explicit SyntheticText(const SyntheticTextParams& params = {});

  // A document of exactly `words` words (counting every word of a phrase),
  // in paragraphs separated by blank lines.
  std::string Document(std::mt19937_64& rng, size_t words) const;

  // The vocabulary, most frequent first (rank r is word(r - 1)).
  const std::vector<std::string>& vocabulary() const { return words_; }
  // The model's probability of the word of rank r (1-based) at a draw that
  // is not a phrase.
  double Probability(size_t rank) const;

 private:
  size_t DrawRank(std::mt19937_64& rng, const std::vector<double>& cumulative) const;

  SyntheticTextParams params_;
  std::vector<std::string> words_;
  std::vector<double> cumulative_;         // of the word law
  std::vector<double> phrase_cumulative_;  // of the phrase law
};

// A uniform double in [0, 1) from 53 bits of the generator.
double UnitDouble(std::mt19937_64& rng);

// The text of one synthetic programme hour, as a desk would archive it.
struct HourTextParams {
  size_t transcript_words = 9000;  // spoken programmes: about 9,000 words an hour
  size_t document_words = 6000;    // the mean of the hour's documents in all
  int documents = 8;
};

struct SyntheticFile {
  std::string name, text;
};

// Hour h's documents "synthetic-HHHH.doc-N.txt" (params.documents of them,
// each 0.4 to 1.6 times the mean length document_words / documents, drawn
// uniformly) and, last, its transcript "synthetic-HHHH.transcript.txt".
// The same for the same seed and hour, whatever other hours are made.
std::vector<SyntheticFile> SyntheticHourTexts(const SyntheticText& gen, uint64_t seed, int hour,
                                              const HourTextParams& params);

// The hour whose transcript is named `name` (0 for any other name).
int SyntheticTranscriptHour(const std::string& name);

}  // namespace uncut

#endif  // UNCUT_BENCH_TEXT_SYNTHETIC_TEXT_H_
