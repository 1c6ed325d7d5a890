#include "bench/text/synthetic_text.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace uncut {
namespace {

// Lower-cased words (letters only), in order.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

TEST(SyntheticText, SameSeedSameDocument) {
  SyntheticText gen;
  std::mt19937_64 a(42), b(42), c(43);
  std::string da = gen.Document(a, 5000);
  EXPECT_EQ(da, gen.Document(b, 5000));
  EXPECT_NE(da, gen.Document(c, 5000));
  // A second generator makes the same vocabulary.
  SyntheticText again;
  EXPECT_EQ(gen.vocabulary(), again.vocabulary());
  std::mt19937_64 d(42);
  EXPECT_EQ(da, again.Document(d, 5000));
}

TEST(SyntheticText, KnownBytesForSeedOne) {
  // The generator must not change silently: archives built with it are
  // compared across runs and machines.
  SyntheticText gen;
  std::mt19937_64 rng(1);
  EXPECT_EQ(gen.Document(rng, 12),
            "The work whastrand pliendjaint be between whubrierd which of crezaingfliel than "
            "floovouhand.\n");
}

TEST(SyntheticText, ExactWordCountsInSentencesAndParagraphs) {
  SyntheticText gen;
  std::mt19937_64 rng(7);
  for (size_t n : {1, 2, 17, 900, 9000}) {
    std::string doc = gen.Document(rng, n);
    EXPECT_EQ(Words(doc).size(), n) << n;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(doc[0])));
    EXPECT_TRUE(doc.substr(doc.size() - 2) == ".\n" || doc.substr(doc.size() - 2) == "?\n");
  }
  std::string doc = gen.Document(rng, 9000);
  size_t sentences = 0, paragraphs = 1;
  for (size_t i = 0; i < doc.size(); ++i) {
    sentences += doc[i] == '.' || doc[i] == '?';
    paragraphs += doc.compare(i, 2, "\n\n") == 0;
  }
  EXPECT_NEAR(9000.0 / sentences, 18.0, 1.5);  // 6 to 30 words, mean 18
  EXPECT_NEAR(static_cast<double>(sentences) / paragraphs, 4.0, 0.5);  // 2 to 6
}

TEST(SyntheticText, WordFrequenciesFollowTheStatedLaw) {
  SyntheticText gen;
  std::mt19937_64 rng(3);
  std::vector<std::string> words = Words(gen.Document(rng, 1000000));
  std::map<std::string, double> count;
  double letters = 0;
  for (const std::string& w : words) {
    count[w] += 1;
    letters += w.size();
  }
  const double n = static_cast<double>(words.size());
  // The head, as in English running text (phrases add to it).
  EXPECT_NEAR(count["the"] / n, 0.071, 0.005);
  EXPECT_NEAR(count["of"] / n, 0.040, 0.004);
  EXPECT_NEAR(letters / n, 5.0, 0.2);
  EXPECT_NEAR(static_cast<double>(count.size()), 69000, 3000);
  // The made-up words (never in a phrase) have the model's frequencies,
  // and the log-log slope of frequency against rank + q is -s.
  const std::vector<std::string>& vocab = gen.vocabulary();
  for (size_t r : {151, 200, 500}) {
    const double expected = gen.Probability(r) * n * 0.95;  // 5% of draws are phrases
    EXPECT_NEAR(count[vocab[r - 1]], expected, 5 * std::sqrt(expected)) << vocab[r - 1];
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
  for (size_t lo = 151; lo < 20000; lo = lo * 5 / 4) {  // bins of ranks, equal in log
    const size_t hi = lo * 5 / 4;
    double c = 0;
    for (size_t r = lo; r < hi; ++r) c += count[vocab[r - 1]];
    const double x = std::log((lo + hi) / 2.0 + 2.7), y = std::log(c / (hi - lo));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    m += 1;
  }
  const double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  EXPECT_NEAR(slope, -1.1, 0.05);
}

TEST(SyntheticText, NoQuoteRepeatsAcrossDocuments) {
  // 30 consecutive words of one document occur in no other document.
  SyntheticText gen;
  std::mt19937_64 rng(11);
  std::string a = gen.Document(rng, 20000), b = gen.Document(rng, 20000);
  std::vector<std::string> wa = Words(a), wb = Words(b);
  std::string joined_b;
  for (const std::string& w : wb) joined_b += w + " ";
  for (size_t at = 0; at + 30 < wa.size(); at += 997) {
    std::string quote;
    for (size_t i = at; i < at + 30; ++i) quote += wa[i] + " ";
    EXPECT_EQ(joined_b.find(quote), std::string::npos) << quote;
  }
}

TEST(SyntheticHourTexts, DocumentsThenTheTranscriptOfTheStatedLengths) {
  SyntheticText gen;
  HourTextParams params;  // 9,000 words of transcript, 8 documents of 6,000 in all
  double document_words = 0, documents = 0;
  for (int hour = 1; hour <= 50; ++hour) {
    std::vector<SyntheticFile> files = SyntheticHourTexts(gen, 1, hour, params);
    ASSERT_EQ(files.size(), 9u);
    char name[64];
    for (int d = 1; d <= 8; ++d) {
      std::snprintf(name, sizeof(name), "synthetic-%04d.doc-%d.txt", hour, d);
      EXPECT_EQ(files[d - 1].name, name);
      const size_t n = Words(files[d - 1].text).size();
      EXPECT_GE(n, 300u);
      EXPECT_LE(n, 1200u);
      document_words += static_cast<double>(n);
      documents += 1;
    }
    std::snprintf(name, sizeof(name), "synthetic-%04d.transcript.txt", hour);
    EXPECT_EQ(files.back().name, name);
    EXPECT_EQ(Words(files.back().text).size(), 9000u);
    EXPECT_EQ(SyntheticTranscriptHour(files.back().name), hour);
    EXPECT_EQ(SyntheticTranscriptHour(files.front().name), 0);
  }
  EXPECT_NEAR(document_words / documents, 750, 40);
}

TEST(SyntheticHourTexts, AnHourIsTheSameWhateverIsMadeBeforeIt) {
  SyntheticText gen;
  HourTextParams params;
  params.transcript_words = 500;
  std::vector<SyntheticFile> alone = SyntheticHourTexts(gen, 5, 7, params);
  SyntheticHourTexts(gen, 5, 6, params);
  std::vector<SyntheticFile> again = SyntheticHourTexts(gen, 5, 7, params);
  ASSERT_EQ(alone.size(), again.size());
  for (size_t i = 0; i < alone.size(); ++i) EXPECT_EQ(alone[i].text, again[i].text);
  EXPECT_NE(SyntheticHourTexts(gen, 5, 8, params).back().text, alone.back().text);
  EXPECT_NE(SyntheticHourTexts(gen, 6, 7, params).back().text, alone.back().text);
}

TEST(SyntheticHourTexts, TranscriptNamesOnly) {
  EXPECT_EQ(SyntheticTranscriptHour("synthetic-0012.transcript.txt"), 12);
  EXPECT_EQ(SyntheticTranscriptHour("synthetic-1000.transcript.txt"), 1000);
  EXPECT_EQ(SyntheticTranscriptHour("synthetic-0012.doc-3.txt"), 0);
  EXPECT_EQ(SyntheticTranscriptHour("synthetic-0012"), 0);
  EXPECT_EQ(SyntheticTranscriptHour("radio.transcript.txt"), 0);
  EXPECT_EQ(SyntheticTranscriptHour("synthetic-.transcript.txt"), 0);
}

}  // namespace
}  // namespace uncut
