#include "ingest/media_sniff.h"

#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

bool At(std::string_view head, size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
}

// Whether `head` is valid UTF-8, allowing a character cut off at its end.
bool ValidUtf8(std::string_view head) {
  size_t i = 0;
  while (i < head.size()) {
    unsigned char c = head[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0) return false;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= head.size()) return true;  // cut off by the head's end
      if ((static_cast<unsigned char>(head[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Signatures of common files that are neither text nor recordings.
std::optional<std::string> SniffOtherFormat(std::string_view head) {
  using namespace std::string_view_literals;
  if (At(head, 0, "%PDF-")) return "a PDF document";
  if (At(head, 0, "PK\x03\x04"sv) || At(head, 0, "PK\x05\x06"sv)) return "a ZIP archive";
  if (At(head, 0, "\xff\xd8\xff"sv)) return "a JPEG image";
  if (At(head, 0, "\x89PNG\r\n"sv)) return "a PNG image";
  if (At(head, 0, "GIF87a") || At(head, 0, "GIF89a")) return "a GIF image";
  if (At(head, 0, "RIFF") && At(head, 8, "WEBP")) return "a WebP image";
  if (At(head, 0, "II*\0"sv) || At(head, 0, "MM\0*"sv)) return "a TIFF image";
  if (At(head, 0, "\x1f\x8b"sv)) return "gzip-compressed data";
  if (At(head, 0, "\x28\xb5\x2f\xfd"sv)) return "zstd-compressed data";
  if (At(head, 0, "7z\xbc\xaf\x27\x1c"sv)) return "a 7-Zip archive";
  if (At(head, 0, "\x7f" "ELF"sv)) return "a program (ELF)";
  if (At(head, 0, "SQLite format 3\0"sv)) return "an SQLite database";
  if (At(head, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv)) return "an Office document (OLE)";
  if (At(head, 0, "\xff\xfe"sv) || At(head, 0, "\xfe\xff"sv)) return "UTF-16 text";
  return std::nullopt;
}

}  // namespace

ContentKind SniffContentKind(std::string_view head) {
  ContentKind k;
  if (auto media = SniffMediaFormat(head)) {
    k.media = true;
    k.description = StrCat(*media, " video or audio");
    return k;
  }
  if (auto other = SniffOtherFormat(head)) {
    k.description = *other;
    k.known = true;
    return k;
  }
  size_t controls = 0;
  for (char ch : head) {
    unsigned char c = ch;
    if (c == 0) {
      k.description = "binary data";
      return k;
    }
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b) {
      ++controls;
    }
  }
  // Text may hold a stray control character, not many.
  if (controls * 100 > head.size()) {
    k.description = "binary data";
    return k;
  }
  k.text = true;
  k.description = ValidUtf8(head) ? "UTF-8 text" : "text";
  return k;
}

absl::StatusOr<std::string> ReadFileHead(const std::string& path, size_t n) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  std::string head(n, '\0');
  ASSIGN_OR_RETURN(size_t got, f.ReadAt(head.data(), head.size(), 0));
  head.resize(got);
  return head;
}

absl::Status CheckClipKind(const std::string& name, std::string_view head,
                           std::string_view text_hint) {
  if (head.empty()) return absl::InvalidArgumentError(StrCat(name, ": empty file"));
  ContentKind k = SniffContentKind(head);
  if (k.media || (!k.text && !k.known)) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(name, ": not a video or audio file (looks like ",
                                           k.description, ")", k.text ? text_hint : ""));
}

absl::Status CheckExtractKind(const std::string& name, std::string_view head) {
  ContentKind k = SniffContentKind(head);
  if (k.text) return absl::OkStatus();
  if (k.media) {
    return absl::InvalidArgumentError(StrCat(name, ": not text (looks like ", k.description,
                                             "); to trace a clip, give it without --text-file"));
  }
  return absl::InvalidArgumentError(
      StrCat(name, ": not text (looks like ", k.description, "); the extract must be plain text"));
}

std::optional<std::string> SniffMediaFormat(std::string_view head) {
  using namespace std::string_view_literals;
  if (At(head, 4, "ftyp")) return "mp4";
  if (At(head, 0, "\x1a\x45\xdf\xa3"sv)) return "mkv";
  if (At(head, 0, "RIFF") && At(head, 8, "AVI ")) return "avi";
  if (At(head, 0, "RIFF") && At(head, 8, "WAVE")) return "wav";
  if (At(head, 0, "RF64") && At(head, 8, "WAVE")) return "wav";
  if (At(head, 0, "OggS")) return "ogg";
  if (At(head, 0, "fLaC")) return "flac";
  if (At(head, 0, "ID3") && head.size() > 3 && static_cast<unsigned char>(head[3]) < 0x10) {
    return "mp3";
  }
  if (At(head, 0, "FLV\x01"sv)) return "flv";
  if (At(head, 0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"sv)) return "wmv";
  if (At(head, 0, "\x00\x00\x01\xba"sv)) return "mpg";
  if (head.size() >= 3 * 188 && head[0] == 0x47 && head[188] == 0x47 && head[376] == 0x47) {
    return "ts";
  }
  if (At(head, 0, "YUV4MPEG2 ")) return "y4m";
  if (At(head, 0, "#!AMR")) return "amr";
  if (At(head, 0, "FORM") && (At(head, 8, "AIFF") || At(head, 8, "AIFC"))) return "aiff";
  return std::nullopt;
}

}  // namespace uncut
