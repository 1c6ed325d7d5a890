// Pronunciations of English words, for matching a quote to what a speech
// recogniser heard: words are compared by their sounds, so "in crease" and
// "increase", or "their" and "there", align although they are spelled
// differently.
//
// Phones come from the recogniser's own dictionary (CMUdict, 39 ARPAbet
// phones without stress); a word it lacks gets a rough guess from its
// letters.
#ifndef UNCUT_SPEECH_PRONUNCIATION_H_
#define UNCUT_SPEECH_PRONUNCIATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace uncut {

using Phone = uint8_t;

// Phone classes for partial credit: vowels, stops, fricatives, affricates,
// nasals, liquids and glides.
int PhoneClass(Phone p);
// The phone's ARPAbet name ("AA" ... "ZH").
std::string_view PhoneName(Phone p);

class PronouncingDictionary {
 public:
  // Reads a CMUdict-format file ("word PH PH ...", variants as "word(2)";
  // the first pronunciation of each word is kept).
  static absl::StatusOr<PronouncingDictionary> Load(const std::string& path);
  // A dictionary from "word PH PH ..." lines (tests).
  static PronouncingDictionary FromLines(std::string_view lines);

  // The phones of a lower-case word: the dictionary's, else a guess from
  // its letters (digits are read one by one).
  std::vector<Phone> Phones(std::string_view word) const;
  bool Contains(std::string_view word) const { return words_.count(std::string(word)) > 0; }
  size_t size() const { return words_.size(); }

 private:
  void AddLine(std::string_view line);
  std::unordered_map<std::string, std::vector<Phone>> words_;
};

// A word of a quote and where it is, in bytes of the quote.
struct SpokenWord {
  std::string word;  // lower case, letters, digits and inner apostrophes
  size_t begin = 0, end = 0;
};

// The words of a text as a speaker would say them: ASCII lower case,
// typographic apostrophes made plain, punctuation dropped. Letters outside
// ASCII are kept as they are (they have no English pronunciation and are
// guessed from their ASCII neighbours only).
std::vector<SpokenWord> SpokenWords(std::string_view text);

}  // namespace uncut

#endif  // UNCUT_SPEECH_PRONUNCIATION_H_
