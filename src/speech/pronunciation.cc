#include "speech/pronunciation.h"

#include <array>
#include <cctype>

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

// ARPAbet, in CMUdict's order; the class of each (0 vowel, 1 stop,
// 2 fricative, 3 affricate, 4 nasal, 5 liquid or glide).
struct PhoneInfo {
  const char* name;
  int cls;
};
constexpr std::array<PhoneInfo, 39> kPhones = {{
    {"AA", 0}, {"AE", 0}, {"AH", 0}, {"AO", 0}, {"AW", 0}, {"AY", 0}, {"B", 1},  {"CH", 3},
    {"D", 1},  {"DH", 2}, {"EH", 0}, {"ER", 0}, {"EY", 0}, {"F", 2},  {"G", 1},  {"HH", 2},
    {"IH", 0}, {"IY", 0}, {"JH", 3}, {"K", 1},  {"L", 5},  {"M", 4},  {"N", 4},  {"NG", 4},
    {"OW", 0}, {"OY", 0}, {"P", 1},  {"R", 5},  {"S", 2},  {"SH", 2}, {"T", 1},  {"TH", 2},
    {"UH", 0}, {"UW", 0}, {"V", 2},  {"W", 5},  {"Y", 5},  {"Z", 2},  {"ZH", 2},
}};

int PhoneIndex(std::string_view name) {
  // Stress marks ("AH0") are not part of the phone.
  while (!name.empty() && std::isdigit(static_cast<unsigned char>(name.back()))) {
    name.remove_suffix(1);
  }
  for (size_t i = 0; i < kPhones.size(); ++i) {
    if (name == kPhones[i].name) return static_cast<int>(i);
  }
  return -1;
}

Phone P(std::string_view name) { return static_cast<Phone>(PhoneIndex(name)); }

// Letter groups and single letters to phones, longest first: a rough
// reading of English spelling for words the dictionary lacks (names,
// coinages). It only has to sound alike enough to align.
struct Spelling {
  const char* letters;
  const char* phones;  // space-separated
};
constexpr Spelling kSpellings[] = {
    {"tion", "SH AH N"}, {"sion", "ZH AH N"}, {"ough", "AO"}, {"igh", "AY"}, {"eigh", "EY"},
    {"ch", "CH"},        {"sh", "SH"},        {"th", "TH"},   {"ph", "F"},   {"wh", "W"},
    {"ck", "K"},         {"ng", "NG"},        {"qu", "K W"},  {"ee", "IY"},  {"ea", "IY"},
    {"oo", "UW"},        {"ou", "AW"},        {"ow", "OW"},   {"ai", "EY"},  {"ay", "EY"},
    {"oi", "OY"},        {"oy", "OY"},        {"au", "AO"},   {"aw", "AO"},  {"ie", "IY"},
    {"ei", "EY"},        {"ew", "UW"},        {"er", "ER"},   {"ir", "ER"},  {"ur", "ER"},
    {"a", "AE"},         {"b", "B"},          {"c", "K"},     {"d", "D"},    {"e", "EH"},
    {"f", "F"},          {"g", "G"},          {"h", "HH"},    {"i", "IH"},   {"j", "JH"},
    {"k", "K"},          {"l", "L"},          {"m", "M"},     {"n", "N"},    {"o", "AA"},
    {"p", "P"},          {"q", "K"},          {"r", "R"},     {"s", "S"},    {"t", "T"},
    {"u", "AH"},         {"v", "V"},          {"w", "W"},     {"x", "K S"},  {"y", "IY"},
    {"z", "Z"},
};

constexpr const char* kDigits[] = {"zero", "one", "two",   "three", "four",
                                   "five", "six", "seven", "eight", "nine"};

void AppendPhones(std::string_view phones, std::vector<Phone>* out) {
  size_t i = 0;
  while (i < phones.size()) {
    size_t sp = phones.find(' ', i);
    if (sp == std::string_view::npos) sp = phones.size();
    int p = PhoneIndex(phones.substr(i, sp - i));
    if (p >= 0) out->push_back(static_cast<Phone>(p));
    i = sp + 1;
  }
}

}  // namespace

int PhoneClass(Phone p) { return p < kPhones.size() ? kPhones[p].cls : -1; }
std::string_view PhoneName(Phone p) { return p < kPhones.size() ? kPhones[p].name : "?"; }

void PronouncingDictionary::AddLine(std::string_view line) {
  size_t sp = line.find_first_of(" \t");
  if (sp == std::string_view::npos || sp == 0) return;
  std::string_view word = line.substr(0, sp);
  if (word.find('(') != std::string_view::npos) return;  // a variant
  std::vector<Phone> phones;
  AppendPhones(line.substr(sp + 1), &phones);
  if (phones.empty()) return;
  words_.emplace(std::string(word), std::move(phones));
}

absl::StatusOr<PronouncingDictionary> PronouncingDictionary::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return FromLines(bytes);
}

PronouncingDictionary PronouncingDictionary::FromLines(std::string_view lines) {
  PronouncingDictionary d;
  size_t i = 0;
  while (i < lines.size()) {
    size_t nl = lines.find('\n', i);
    if (nl == std::string_view::npos) nl = lines.size();
    std::string_view line = lines.substr(i, nl - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    d.AddLine(line);
    i = nl + 1;
  }
  return d;
}

std::vector<Phone> PronouncingDictionary::Phones(std::string_view word) const {
  auto it = words_.find(std::string(word));
  if (it != words_.end()) return it->second;
  // "world's" without its dictionary entry: the word, then "Z".
  if (word.size() > 2 && word.substr(word.size() - 2) == "'s") {
    auto base = words_.find(std::string(word.substr(0, word.size() - 2)));
    if (base != words_.end()) {
      std::vector<Phone> phones = base->second;
      phones.push_back(P("Z"));
      return phones;
    }
  }
  std::vector<Phone> phones;
  size_t i = 0;
  while (i < word.size()) {
    unsigned char c = static_cast<unsigned char>(word[i]);
    if (std::isdigit(c)) {
      std::vector<Phone> d = Phones(kDigits[c - '0']);
      phones.insert(phones.end(), d.begin(), d.end());
      ++i;
      continue;
    }
    bool matched = false;
    for (const Spelling& s : kSpellings) {
      std::string_view letters = s.letters;
      if (word.substr(i, letters.size()) == letters) {
        AppendPhones(s.phones, &phones);
        i += letters.size();
        matched = true;
        break;
      }
    }
    if (!matched) ++i;  // an apostrophe, a silent or foreign letter
  }
  // A final silent "e" ("made" read as "m ae d eh"): drop its vowel.
  if (word.size() > 2 && word.back() == 'e' && phones.size() > 1 && phones.back() == P("EH")) {
    phones.pop_back();
  }
  return phones;
}

std::vector<SpokenWord> SpokenWords(std::string_view text) {
  std::vector<SpokenWord> out;
  SpokenWord cur;
  bool in_word = false;
  auto flush = [&](size_t end) {
    if (!in_word) return;
    while (!cur.word.empty() && cur.word.back() == '\'') cur.word.pop_back();
    if (!cur.word.empty()) {
      cur.end = end;
      out.push_back(cur);
    }
    cur = SpokenWord();
    in_word = false;
  };
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // U+2019 and U+2018 (typographic apostrophes) inside a word.
    bool curly = c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                 (static_cast<unsigned char>(text[i + 2]) == 0x99 ||
                  static_cast<unsigned char>(text[i + 2]) == 0x98);
    if (std::isalnum(c)) {
      if (!in_word) {
        in_word = true;
        cur.begin = i;
      }
      cur.word.push_back(static_cast<char>(std::tolower(c)));
      ++i;
    } else if ((c == '\'' || curly) && in_word) {
      cur.word.push_back('\'');
      i += curly ? 3 : 1;
    } else if (c >= 0x80 && !curly) {
      // A letter outside ASCII: part of the word, not pronounceable here.
      if (!in_word) {
        in_word = true;
        cur.begin = i;
      }
      ++i;
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    } else {
      flush(i);
      i += curly ? 3 : 1;
    }
  }
  flush(text.size());
  return out;
}

}  // namespace uncut
