#include "ingest/media_sniff.h"

namespace uncut {
namespace {

bool At(std::string_view head, size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
}

}  // namespace

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
