#include "base/utf8.h"

#include <cstdint>

namespace uncut {
namespace {

// Length of the well-formed UTF-8 sequence at p (n bytes left), or 0.
size_t SequenceLength(const unsigned char* p, size_t n) {
  if (p[0] < 0x80) return 1;
  size_t len;
  uint32_t min;
  uint32_t cp;
  if ((p[0] & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = p[0] & 0x1F;
  } else if ((p[0] & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = p[0] & 0x0F;
  } else if ((p[0] & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = p[0] & 0x07;
  } else {
    return 0;
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    size_t len = SequenceLength(p + i, s.size() - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string ToValidUtf8(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t len = SequenceLength(p + i, s.size() - i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

void MakeValidUtf8(nlohmann::json* j) {
  if (j->is_string()) {
    const std::string& s = j->get_ref<const std::string&>();
    if (!IsValidUtf8(s)) *j = ToValidUtf8(s);
  } else if (j->is_array()) {
    for (auto& e : *j) MakeValidUtf8(&e);
  } else if (j->is_object()) {
    bool keys_valid = true;
    for (auto& [k, v] : j->items()) {
      keys_valid = keys_valid && IsValidUtf8(k);
      MakeValidUtf8(&v);
    }
    if (keys_valid) return;
    nlohmann::json fixed = nlohmann::json::object();
    for (auto& [k, v] : j->items()) fixed[ToValidUtf8(k)] = std::move(v);
    *j = std::move(fixed);
  }
}

void SetTextField(nlohmann::json* j, const std::string& key, std::string_view value) {
  (*j)[key] = ToValidUtf8(value);
  if (!IsValidUtf8(value)) (*j)[key + "_bytes_hex"] = HexBytes(value);
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string HexBytes(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace uncut
