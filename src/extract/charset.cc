#include "extract/charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "base/strings.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace uncut {
namespace {

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
struct DetectorCloser {
  void operator()(UCharsetDetector* d) const { ucsdet_close(d); }
};

// Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid.
int Utf8SequenceLength(const unsigned char* p, size_t avail) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  int n;
  uint32_t min;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (avail < static_cast<size_t>(n)) return 0;
  uint32_t cp = c & (0x7f >> n);
  for (int i = 1; i < n; ++i) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

bool LooksBinary(std::string_view bytes, size_t* where) {
  size_t controls = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = bytes[i];
    if (c == 0) {
      *where = i;
      return true;
    }
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) {
      ++controls;
    }
  }
  *where = 0;
  return bytes.size() > 0 && controls * 100 > bytes.size();
}

// Whether bytes that are not valid UTF-8 are UTF-8 with some damage rather
// than a legacy charset: some valid multi-byte sequences and at most four
// invalid bytes for each. Legacy text also holds valid-looking pairs by
// chance (in windows-1256 an Arabic letter at 0xC1-0xDF followed by پ چ ژ گ ک
// or ZWNJ, all at 0x80-0x9F, is a two-byte UTF-8 sequence), but few of them
// among its many invalid bytes (4 against 188 in a Persian paragraph).
bool LooksLikeDamagedUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t valid = 0, invalid = 0;
  for (size_t i = 0; i < bytes.size();) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    int len = Utf8SequenceLength(p + i, bytes.size() - i);
    if (len > 1) {
      ++valid;
      i += len;
    } else {
      ++invalid;
      ++i;
    }
  }
  return valid > 0 && invalid <= 4 * valid;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0, n = bytes.size();
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    int len = Utf8SequenceLength(p + i, n - i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

absl::StatusOr<DecodedText> ConvertCharset(std::string_view bytes, std::string_view charset) {
  UErrorCode err = U_ZERO_ERROR;
  std::string name(charset);
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name.c_str(), &err));
  if (U_FAILURE(err)) {
    return absl::InvalidArgumentError(StrCat("unknown charset \"", charset, "\""));
  }
  DecodedText out;
  const char* internal = ucnv_getName(conv.get(), &err);
  // A name people know ("windows-1252"), not ICU's internal one.
  UErrorCode std_err = U_ZERO_ERROR;
  const char* standard = ucnv_getStandardName(internal, "MIME", &std_err);
  if (standard == nullptr || U_FAILURE(std_err)) {
    std_err = U_ZERO_ERROR;
    standard = ucnv_getStandardName(internal, "IANA", &std_err);
  }
  out.charset = standard != nullptr && U_SUCCESS(std_err) ? standard : internal;
  err = U_ZERO_ERROR;
  // Decode in chunks so memory stays proportional to the input.
  const char* src = bytes.data();
  const char* src_end = bytes.data() + bytes.size();
  constexpr size_t kChunk = 1 << 16;
  std::vector<UChar> u16(kChunk);
  std::vector<int32_t> offsets(kChunk);
  OffsetMapBuilder map;
  // A code point may straddle two chunks: keep a pending lead surrogate.
  UChar pending = 0;
  int64_t pending_off = -1;
  uint64_t consumed_base = 0;
  size_t bad = 0;
  while (true) {
    UChar* target = u16.data();
    const char* chunk_start = src;
    int32_t* off = offsets.data();
    err = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, u16.data() + u16.size(), &src, src_end, off, true, &err);
    if (U_FAILURE(err) && err != U_BUFFER_OVERFLOW_ERROR) {
      return absl::InvalidArgumentError(
          StrCat("cannot decode as ", charset, ": ", u_errorName(err)));
    }
    size_t produced = target - u16.data();
    uint64_t chunk_base = consumed_base;
    uint64_t chunk_end = consumed_base + (src - chunk_start);
    for (size_t i = 0; i < produced; ++i) {
      UChar c = u16[i];
      int64_t o = offsets[i] < 0 ? -1 : static_cast<int64_t>(chunk_base + offsets[i]);
      UChar32 cp;
      int64_t start;
      if (U16_IS_LEAD(c)) {
        pending = c;
        pending_off = o;
        continue;
      }
      if (U16_IS_TRAIL(c) && pending != 0) {
        cp = U16_GET_SUPPLEMENTARY(pending, c);
        start = pending_off;
        pending = 0;
      } else {
        cp = c;
        start = o;
        pending = 0;
      }
      if (cp == 0xfffd) ++bad;
      if (cp == 0xfeff && out.utf8.empty()) continue;  // byte order mark
      // The source end of this code point is the start of the next one.
      int64_t next = -1;
      for (size_t j = i + 1; j < produced; ++j) {
        if (offsets[j] >= 0 && chunk_base + offsets[j] != static_cast<uint64_t>(start)) {
          next = chunk_base + offsets[j];
          break;
        }
      }
      if (next < 0) next = static_cast<int64_t>(chunk_end);
      if (start < 0) start = next;
      char buf[4];
      int32_t len = 0;
      // cp is a scalar value from the converter and buf has room for it.
      [[maybe_unused]] UBool is_err = false;
      U8_APPEND(buf, len, 4, cp, is_err);
      size_t before = out.utf8.size();
      out.utf8.append(buf, len);
      map.Replace(out.utf8.size() - before, start, next - start);
    }
    consumed_base = chunk_end;
    if (err != U_BUFFER_OVERFLOW_ERROR) break;
  }
  out.map = std::move(map).Build();
  if (bad > 0) {
    out.warnings.push_back(StrCat(bad, " bytes could not be decoded as ", out.charset,
                                        " and were replaced by U+FFFD"));
  }
  return out;
}

namespace {

struct Guess {
  std::string name;
  int confidence = 0;
};

// How well `bytes` read as the single-byte charset `charset` make text of
// one script: among the decoded non-ASCII characters that belong to a script
// (letters and combining marks; punctuation, spaces and joiners such as ZWNJ
// are neutral), the fraction in the most frequent script. Controls, unmapped
// bytes (U+FFFD) and unassigned code points count against it. Reads the
// first 64 KiB. 1 when no non-ASCII character is scored; -1 when the
// charset cannot be opened.
double ScriptCoherence(std::string_view bytes, const std::string& charset) {
  constexpr size_t kSampleBytes = 64 << 10;
  bytes = bytes.substr(0, std::min(bytes.size(), kSampleBytes));
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(charset.c_str(), &err));
  if (U_FAILURE(err)) return -1;
  // A single-byte charset gives at most one UTF-16 unit per byte.
  std::vector<UChar> u16(bytes.size() + 1);
  int32_t n = ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()),
                            bytes.data(), static_cast<int32_t>(bytes.size()), &err);
  if (U_FAILURE(err)) return -1;
  std::map<int, size_t> per_script;
  size_t scored = 0;
  for (int32_t i = 0; i < n;) {
    UChar32 cp;
    U16_NEXT(u16.data(), i, n, cp);
    if (cp < 0x80) continue;
    int8_t type = u_charType(cp);
    bool bad = cp == 0xfffd || type == U_CONTROL_CHAR || type == U_UNASSIGNED ||
               type == U_SURROGATE;
    bool scripted = u_isalpha(cp) || type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK;
    if (bad) {
      ++scored;
      continue;
    }
    if (!scripted) continue;  // neutral
    UErrorCode script_err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(cp, &script_err);
    if (U_FAILURE(script_err) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED) continue;
    ++scored;
    ++per_script[script];
  }
  if (scored == 0) return 1;
  size_t best = 0;
  for (const auto& [script, count] : per_script) best = std::max(best, count);
  return static_cast<double>(best) / static_cast<double>(scored);
}

// ICU's guess for `bytes`, checked against the text it decodes to. ICU's
// detector scores byte n-grams of each language's commonest words (Arabic's
// model has no Persian), so Persian windows-1256 text comes out as
// ISO-8859-6 or even windows-1255 with low confidence. Each single-byte
// candidate ICU proposes (confidence >= 10) is therefore decoded, and one
// replaces ICU's first choice only when its decoding is clearly more
// coherent in script (ScriptCoherence at least 0.1 higher): ISO-8859-6 has
// no letters at windows-1256's پ چ ژ گ ک, and Hebrew charsets turn Arabic
// letters into points and Latin letters. windows-1256 is always a candidate
// when ICU proposes ISO-8859-6, of which it is the Windows counterpart.
Guess DetectCharset(std::string_view bytes) {
  Guess g;
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, DetectorCloser> det(ucsdet_open(&err));
  if (U_FAILURE(err)) return g;
  ucsdet_setText(det.get(), bytes.data(),
                 static_cast<int32_t>(std::min<size_t>(bytes.size(), 1 << 20)), &err);
  int32_t count = 0;
  const UCharsetMatch** all = ucsdet_detectAll(det.get(), &count, &err);
  if (U_FAILURE(err) || all == nullptr || count == 0) return g;
  std::vector<Guess> candidates;
  for (int32_t i = 0; i < count; ++i) {
    Guess c;
    c.name = ucsdet_getName(all[i], &err);
    c.confidence = ucsdet_getConfidence(all[i], &err);
    if (U_FAILURE(err)) return Guess();
    candidates.push_back(c);
  }
  g = candidates[0];
  auto single_byte = [](const Guess& c) {
    return c.confidence >= 10 && c.name.rfind("UTF-", 0) != 0 && c.name.rfind("ISO-2022", 0) != 0 &&
           c.name != "Shift_JIS" && c.name != "GB18030" && c.name != "Big5" &&
           c.name.rfind("EUC-", 0) != 0;
  };
  if (!single_byte(g)) return g;
  std::vector<Guess> alternatives;
  for (const Guess& c : candidates) {
    if (!single_byte(c)) continue;
    alternatives.push_back(c);
    if (c.name == "ISO-8859-6") alternatives.push_back({"windows-1256", c.confidence});
  }
  double first_score = ScriptCoherence(bytes, g.name);
  Guess best = g;
  double best_score = first_score;
  for (const Guess& c : alternatives) {
    if (c.name == g.name) continue;
    double score = ScriptCoherence(bytes, c.name);
    if (score > best_score) {
      best = c;
      best_score = score;
    }
  }
  return best_score >= first_score + 0.1 ? best : g;
}

}  // namespace

absl::StatusOr<DecodedText> DecodeText(std::string_view bytes, std::string_view forced,
                                       std::string_view declared) {
  if (!forced.empty()) return ConvertCharset(bytes, forced);
  auto starts = [&](std::string_view p) { return bytes.substr(0, p.size()) == p; };
  if (starts("\xEF\xBB\xBF")) {
    std::string_view rest = bytes.substr(3);
    size_t bad = FindInvalidUtf8(rest);
    if (bad != std::string_view::npos) {
      return absl::InvalidArgumentError(
          StrCat("invalid UTF-8 at byte ", bad + 3, " (the file starts with a UTF-8 BOM)"));
    }
    DecodedText out;
    out.utf8 = std::string(rest);
    OffsetMapBuilder b;
    b.Copy(rest.size(), 3);
    out.map = std::move(b).Build();
    out.charset = "UTF-8";
    return out;
  }
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    return ConvertCharset(bytes, starts("\xFF\xFE") ? "UTF-16LE" : "UTF-16BE");
  }
  size_t where;
  if (LooksBinary(bytes, &where)) {
    return absl::InvalidArgumentError(
        where > 0 || bytes[0] == 0 ? StrCat("binary data, not text (NUL byte at offset ",
                                                  where, ")")
                                   : "binary data, not text (many control bytes)");
  }
  size_t bad = FindInvalidUtf8(bytes);
  if (bad == std::string_view::npos) {
    DecodedText out;
    out.utf8 = std::string(bytes);
    out.map = OffsetMap::Identity(bytes.size());
    out.charset = "UTF-8";
    return out;
  }
  // Damaged UTF-8 (valid multi-byte sequences plus invalid bytes) is refused
  // rather than guessed: a legacy decoder would turn it into mojibake.
  bool has_multibyte = LooksLikeDamagedUtf8(bytes);
  if (has_multibyte) {
    return absl::InvalidArgumentError(StrCat(
        "invalid UTF-8 at byte ", bad, " (use --charset if the file is in a legacy encoding)"));
  }
  if (!declared.empty()) {
    auto d = ConvertCharset(bytes, declared);
    if (d.ok()) return d;
  }
  Guess g = DetectCharset(bytes);
  if (g.name.empty()) {
    return absl::InvalidArgumentError(
        StrCat("invalid UTF-8 at byte ", bad, " and the charset could not be detected"));
  }
  const std::string& name = g.name;
  int32_t confidence = g.confidence;
  if (name == "UTF-8" || confidence < 10) {
    return absl::InvalidArgumentError(StrCat(
        "invalid UTF-8 at byte ", bad, " (use --charset if the file is in a legacy encoding)"));
  }
  ASSIGN_OR_RETURN(DecodedText out, ConvertCharset(bytes, name));
  out.warnings.push_back(absl::StrFormat(
      "not UTF-8; read as %s (detected with %d%% confidence; use --charset to override)", name,
      confidence));
  return out;
}

namespace {

// A coarse family of charsets that detection cannot tell apart reliably.
std::string CharsetFamily(std::string_view icu_name) {
  std::string n = absl::AsciiStrToLower(std::string(icu_name));
  if (n == "iso-8859-1" || n == "windows-1252" || n == "iso-8859-15" || n == "us-ascii" ||
      n == "ibm-5348_p100-1997" || n == "ibm-1252") {
    return "latin";
  }
  if (n.find("8859-6") != std::string::npos || n.find("1256") != std::string::npos) {
    return "arabic";
  }
  if (n.find("8859-5") != std::string::npos || n.find("1251") != std::string::npos ||
      n.find("koi8") != std::string::npos) {
    return "cyrillic";
  }
  if (n.find("8859-7") != std::string::npos || n.find("1253") != std::string::npos) return "greek";
  if (n.find("8859-8") != std::string::npos || n.find("1255") != std::string::npos) return "hebrew";
  if (n.find("gb") != std::string::npos) return "chinese-simplified";
  if (n.find("big5") != std::string::npos) return "chinese-traditional";
  if (n.find("jis") != std::string::npos || n.find("euc-jp") != std::string::npos ||
      n.find("2022-jp") != std::string::npos) {
    return "japanese";
  }
  if (n.find("euc-kr") != std::string::npos || n.find("949") != std::string::npos) return "korean";
  if (n.find("8859-2") != std::string::npos || n.find("1250") != std::string::npos) {
    return "central-european";
  }
  return n;
}

bool HasMultibyteUtf8(std::string_view bytes) {
  for (unsigned char c : bytes) {
    if (c >= 0x80) return true;
  }
  return false;
}

// The ICU name of a label, or "" when ICU does not know it.
std::string KnownCharset(std::string_view label) {
  if (label.empty()) return "";
  UErrorCode err = U_ZERO_ERROR;
  std::string name(label);
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(name.c_str(), &err));
  if (U_FAILURE(err)) return "";
  const char* n = ucnv_getName(conv.get(), &err);
  return U_FAILURE(err) || n == nullptr ? "" : n;
}

}  // namespace

absl::StatusOr<DecodedText> DecodeLabeledText(std::string_view bytes, std::string_view label,
                                              std::string_view forced) {
  if (!forced.empty()) return ConvertCharset(bytes, forced);
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF" || bytes.substr(0, 2) == "\xFF\xFE" ||
      bytes.substr(0, 2) == "\xFE\xFF") {
    return DecodeText(bytes);
  }
  if (bytes.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        StrCat("binary data, not text (NUL byte at offset ", bytes.find('\0'), ")"));
  }
  std::string clean(absl::StripAsciiWhitespace(std::string(label)));
  while (!clean.empty() && (clean.front() == '"' || clean.front() == '\'')) clean.erase(0, 1);
  while (!clean.empty() && (clean.back() == '"' || clean.back() == '\'')) clean.pop_back();
  std::string known = KnownCharset(clean);
  std::string family = known.empty() ? "" : CharsetFamily(known);
  bool label_is_utf8 = family == "utf-8";
  auto utf8 = [&] {
    DecodedText out;
    out.utf8 = std::string(bytes);
    out.map = OffsetMap::Identity(bytes.size());
    out.charset = "UTF-8";
    return out;
  };
  size_t bad = FindInvalidUtf8(bytes);
  if (bad == std::string_view::npos) {
    DecodedText out = utf8();
    if (HasMultibyteUtf8(bytes) && !label_is_utf8 && !clean.empty()) {
      out.warnings.push_back(StrCat("labelled \"", clean,
                                    "\" but the text is valid UTF-8; read as UTF-8"));
    }
    return out;
  }
  if (!clean.empty() && known.empty()) {
    // Fall through to detection with a warning below.
  } else if (!known.empty() && !label_is_utf8) {
    std::string use = family == "latin" ? std::string("windows-1252") : known;
    auto d = ConvertCharset(bytes, use);
    if (d.ok()) {
      Guess g = DetectCharset(bytes);
      if (g.confidence >= 50 && CharsetFamily(g.name) != family && CharsetFamily(g.name) != "utf-8") {
        d->warnings.push_back(absl::StrFormat(
            "labelled \"%s\" but the bytes look like %s (%d%% confidence); read as labelled",
            clean, g.name, g.confidence));
      }
      return d;
    }
  }
  bool damaged_utf8 = LooksLikeDamagedUtf8(bytes);
  std::string why = clean.empty() ? std::string("no charset label")
                    : known.empty() ? StrCat("unknown charset label \"", clean, "\"")
                                    : StrCat("labelled \"", clean, "\" but not valid ", clean);
  if (damaged_utf8) {
    ASSIGN_OR_RETURN(DecodedText out, ConvertCharset(bytes, "UTF-8"));
    out.warnings.insert(out.warnings.begin(),
                        StrCat(why, "; read as UTF-8 with damaged bytes replaced"));
    return out;
  }
  Guess g = DetectCharset(bytes);
  std::string use = g.confidence >= 10 && g.name != "UTF-8" && !KnownCharset(g.name).empty()
                        ? g.name
                        : std::string("windows-1252");
  if (CharsetFamily(use) == "latin") use = "windows-1252";
  ASSIGN_OR_RETURN(DecodedText out, ConvertCharset(bytes, use));
  out.warnings.insert(out.warnings.begin(),
                      g.name.empty() || (use == "windows-1252" && CharsetFamily(g.name) != "latin")
                          ? StrCat(why, "; read as windows-1252")
                          : absl::StrFormat("%s; read as %s (detected with %d%% confidence)", why,
                                            use, g.confidence));
  return out;
}

}  // namespace uncut
