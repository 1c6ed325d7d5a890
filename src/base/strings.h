// StrCat / StrAppend that accept std::string_view as well as strings,
// C strings, absl::string_view and numbers. (Debian's Abseil keeps its own
// absl::string_view, which does not convert from std::string_view.)
#ifndef UNCUT_BASE_STRINGS_H_
#define UNCUT_BASE_STRINGS_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace uncut {
namespace strings_internal {

inline void Append(std::string* out, std::string_view s) { out->append(s.data(), s.size()); }
inline void Append(std::string* out, const std::string& s) { out->append(s); }
inline void Append(std::string* out, const char* s) { out->append(s ? s : ""); }
inline void Append(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
template <typename T>
requires std::is_integral_v<T> &&
    (!std::is_same_v<T, char>)inline void Append(std::string* out, T v) {
  out->append(std::to_string(v));
}
template <typename T>
requires std::is_floating_point_v<T>
inline void Append(std::string* out, T v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
  out->append(buf);
}

}  // namespace strings_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::Append(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

// Quotes a string for a POSIX shell ('...' with embedded quotes escaped).
inline std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace uncut

#endif  // UNCUT_BASE_STRINGS_H_
