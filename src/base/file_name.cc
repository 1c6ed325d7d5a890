#include "base/file_name.h"

#include "base/utf8.h"

namespace uncut {

std::string SafeFileName(const std::string& name) {
  size_t slash = name.find_last_of("/\\");
  std::string base = ToValidUtf8(slash == std::string::npos ? name : name.substr(slash + 1));
  std::string out;
  for (char c : base) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\' || c == '/' || c == ';') continue;
    out += c;
  }
  size_t lead = out.find_first_not_of(". ");
  out = lead == std::string::npos ? "" : out.substr(lead);
  if (out.size() > 200) {
    size_t from = out.size() - 200;  // keep the end, with the extension
    while (from < out.size() && (static_cast<unsigned char>(out[from]) & 0xc0) == 0x80) ++from;
    out = out.substr(from);
  }
  return out.empty() ? "file" : out;
}

}  // namespace uncut
