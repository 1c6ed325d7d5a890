#include "image/image_format.h"

#include <cstdint>
#include <set>

#include "base/file.h"
#include "base/strings.h"

namespace uncut {
namespace {

using namespace std::string_view_literals;

bool At(std::string_view s, size_t offset, std::string_view magic) {
  return s.size() >= offset + magic.size() && s.substr(offset, magic.size()) == magic;
}

uint32_t Le32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

uint32_t Be16(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1]));
}
uint32_t Be32(std::string_view s, size_t at) { return Be16(s, at) << 16 | Be16(s, at + 2); }
uint32_t Le16(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8;
}

// The frame size of a JPEG's first start-of-frame segment.
std::optional<DeclaredSize> JpegSize(std::string_view b) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xff) return std::nullopt;
    unsigned char marker = b[at + 1];
    if (marker == 0xff) {
      ++at;
      continue;
    }
    uint32_t len = Be16(b, at + 2);
    bool sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
               marker != 0xcc;
    if (sof) {
      if (at + 9 > b.size()) return std::nullopt;
      return DeclaredSize{Be16(b, at + 7), Be16(b, at + 5)};
    }
    if (marker == 0xda || len < 2) return std::nullopt;  // a scan before any frame header
    at += 2 + len;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DeclaredSize> ReadDeclaredSize(std::string_view format, std::string_view b) {
  if (format == "png" && b.size() >= 24 && b.substr(12, 4) == "IHDR") {
    return DeclaredSize{Be32(b, 16), Be32(b, 20)};
  }
  if (format == "gif" && b.size() >= 10) return DeclaredSize{Le16(b, 6), Le16(b, 8)};
  if (format == "jpg") return JpegSize(b);
  if (format == "webp" && b.size() >= 30 && b.substr(12, 4) == "VP8X") {
    auto u24 = [&](size_t at) { return Le16(b, at) | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16; };
    return DeclaredSize{u24(24) + 1, u24(27) + 1};
  }
  if (format == "bmp" && b.size() >= 26) {
    int32_t w = static_cast<int32_t>(Le32(b, 18)), h = static_cast<int32_t>(Le32(b, 22));
    return DeclaredSize{static_cast<uint32_t>(w < 0 ? -int64_t{w} : w),
                        static_cast<uint32_t>(h < 0 ? -int64_t{h} : h)};
  }
  return std::nullopt;
}

std::optional<std::string> SniffImageFormat(std::string_view head) {
  if (At(head, 0, "\xff\xd8\xff"sv)) return "jpg";
  if (At(head, 0, "\x89PNG\r\n\x1a\n"sv)) return "png";
  if (At(head, 0, "RIFF") && At(head, 8, "WEBP")) return "webp";
  if (At(head, 0, "GIF87a") || At(head, 0, "GIF89a")) return "gif";
  if (At(head, 0, "II*\0"sv) || At(head, 0, "MM\0*"sv)) return "tiff";
  if (At(head, 0, "BM") && head.size() >= 26 && At(head, 6, "\0\0\0\0"sv)) return "bmp";
  return std::nullopt;
}

bool SniffHeifImage(std::string_view head) {
  if (!At(head, 4, "ftyp") || head.size() < 12) return false;
  static const std::set<std::string_view> kBrands = {"heic", "heix", "heim", "heis", "hevc",
                                                     "hevx", "mif1", "msf1", "avif", "avis"};
  return kBrands.count(head.substr(8, 4)) > 0;
}

bool LooksLikeImage(std::string_view path) {
  static const std::set<std::string> kExt = {"jpg",  "jpeg", "jpe",  "jfif", "png",  "webp", "gif",
                                             "tif",  "tiff", "bmp",  "heic", "heif", "avif"};
  return kExt.count(Extension(path)) > 0;
}

absl::Status CheckImageComplete(std::string_view format, std::string_view bytes) {
  if (format == "jpg") {
    // Entropy-coded data stuffs every 0xFF with 0x00, so the end-of-image
    // marker cannot occur inside a scan.
    size_t sos = bytes.rfind("\xff\xda"sv);
    if (sos == std::string_view::npos) {
      return absl::InvalidArgumentError("damaged JPEG: it holds no image data (no scan)");
    }
    if (bytes.find("\xff\xd9"sv, sos) == std::string_view::npos) {
      return absl::InvalidArgumentError("truncated JPEG: its image data stops before the end");
    }
  } else if (format == "png") {
    if (bytes.find("IEND"sv, 8) == std::string_view::npos) {
      return absl::InvalidArgumentError("truncated PNG: it has no IEND chunk");
    }
  } else if (format == "gif") {
    size_t end = bytes.find_last_not_of('\0');
    if (end == std::string_view::npos || bytes[end] != 0x3b) {
      return absl::InvalidArgumentError("truncated GIF: it has no trailer");
    }
  } else if (format == "webp") {
    if (bytes.size() < 12 || uint64_t{Le32(bytes, 4)} + 8 > bytes.size()) {
      return absl::InvalidArgumentError("truncated WebP: shorter than its header declares");
    }
  }
  return absl::OkStatus();
}

}  // namespace uncut
