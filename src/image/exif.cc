#include "image/exif.h"

#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/strings.h"
#include "image/image_format.h"

namespace uncut {
namespace {

using namespace std::string_view_literals;

struct ExifDataUnref {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};
using ExifDataPtr = std::unique_ptr<ExifData, ExifDataUnref>;

constexpr size_t kMaxExifBytes = 1 << 20;  // EXIF in JPEG is at most 64 KiB; TIFF gets more

uint32_t Be32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}
uint32_t Le32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

// The TIFF-structured EXIF payload of a PNG (eXIf chunk) or WebP (EXIF
// chunk), with the "Exif\0\0" header libexif looks for.
std::string PngExif(std::string_view b) {
  size_t at = 8;
  while (at + 12 <= b.size()) {
    uint32_t len = Be32(b, at);
    std::string_view type = b.substr(at + 4, 4);
    if (uint64_t{len} + 12 > b.size() - at) break;
    if (type == "eXIf") return StrCat("Exif\0\0"sv, b.substr(at + 8, len));
    if (type == "IDAT" || type == "IEND") break;  // eXIf comes before the image data
    at += 12 + len;
  }
  return "";
}

std::string WebpExif(std::string_view b) {
  size_t at = 12;
  while (at + 8 <= b.size()) {
    std::string_view type = b.substr(at, 4);
    uint32_t len = Le32(b, at + 4);
    if (uint64_t{len} + 8 > b.size() - at) break;
    if (type == "EXIF") {
      std::string_view payload = b.substr(at + 8, len);
      if (payload.substr(0, 6) == "Exif\0\0"sv) return std::string(payload);
      return StrCat("Exif\0\0"sv, payload);
    }
    at += 8 + len + (len & 1);
  }
  return "";
}

std::string Value(ExifEntry* e) {
  if (e == nullptr) return "";
  char buf[256] = {0};
  exif_entry_get_value(e, buf, sizeof(buf) - 1);
  std::string s(buf);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// "2024:05:01 12:00:00" -> "2024-05-01T12:00:00"; "" when it is not a date.
std::string ExifDate(std::string s) {
  if (s.size() < 19 || s[4] != ':' || s[7] != ':' || s[10] != ' ') return "";
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return "";
  }
  if (s.substr(0, 4) == "0000") return "";
  s[4] = '-';
  s[7] = '-';
  s[10] = 'T';
  return s.substr(0, 19);
}

// Degrees from an EXIF GPS coordinate (three rationals) and its reference
// ("N"/"S", "E"/"W"); NaN-free: false when absent or malformed.
bool Degrees(ExifData* d, ExifTag tag, ExifTag ref_tag, double* out) {
  ExifContent* gps = d->ifd[EXIF_IFD_GPS];
  if (gps == nullptr) return false;
  ExifEntry* e = exif_content_get_entry(gps, tag);
  if (e == nullptr || e->format != EXIF_FORMAT_RATIONAL || e->components != 3 ||
      e->size < 24 || e->data == nullptr) {
    return false;
  }
  ExifByteOrder order = exif_data_get_byte_order(d);
  double v[3];
  for (int i = 0; i < 3; ++i) {
    ExifRational r = exif_get_rational(e->data + 8 * i, order);
    if (r.denominator == 0) return false;
    v[i] = static_cast<double>(r.numerator) / r.denominator;
  }
  *out = v[0] + v[1] / 60 + v[2] / 3600;
  std::string ref = Value(exif_content_get_entry(gps, ref_tag));
  if (ref == "S" || ref == "W") *out = -*out;
  return *out >= -180 && *out <= 180;
}

}  // namespace

nlohmann::json ReadExif(std::string_view format, std::string_view bytes) {
  std::string payload;
  std::string_view data;
  if (format == "jpg") {
    data = bytes.substr(0, kMaxExifBytes);  // libexif finds the APP1 segment itself
  } else if (format == "png") {
    payload = PngExif(bytes);
  } else if (format == "webp") {
    payload = WebpExif(bytes);
  } else if (format == "tiff") {
    payload = StrCat("Exif\0\0"sv, bytes.substr(0, kMaxExifBytes));
  }
  if (!payload.empty()) data = payload;
  nlohmann::json out = nlohmann::json::object();
  if (data.empty()) return out;
  ExifDataPtr d(exif_data_new_from_data(reinterpret_cast<const unsigned char*>(data.data()),
                                        static_cast<unsigned int>(data.size())));
  if (!d) return out;
  auto entry = [&](ExifIfd ifd, ExifTag tag) -> ExifEntry* {
    return d->ifd[ifd] == nullptr ? nullptr : exif_content_get_entry(d->ifd[ifd], tag);
  };
  auto set = [&](const char* key, const std::string& v) {
    if (!v.empty()) out[key] = v;
  };
  std::string taken = ExifDate(Value(entry(EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL)));
  // OffsetTimeOriginal (0x9011, EXIF 2.31) is unknown to libexif's tag table.
  std::string offset = Value(entry(EXIF_IFD_EXIF, static_cast<ExifTag>(0x9011)));
  if (!taken.empty() && offset.size() == 6 && (offset[0] == '+' || offset[0] == '-')) {
    taken += offset;
  }
  set("taken_at", taken);
  set("digitized_at", ExifDate(Value(entry(EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_DIGITIZED))));
  set("modified_at", ExifDate(Value(entry(EXIF_IFD_0, EXIF_TAG_DATE_TIME))));
  set("camera_make", Value(entry(EXIF_IFD_0, EXIF_TAG_MAKE)));
  set("camera_model", Value(entry(EXIF_IFD_0, EXIF_TAG_MODEL)));
  set("lens", Value(entry(EXIF_IFD_EXIF, static_cast<ExifTag>(0xa434))));  // LensModel
  set("software", Value(entry(EXIF_IFD_0, EXIF_TAG_SOFTWARE)));
  ExifEntry* orient = entry(EXIF_IFD_0, EXIF_TAG_ORIENTATION);
  if (orient != nullptr && orient->format == EXIF_FORMAT_SHORT && orient->size >= 2 &&
      orient->data != nullptr) {
    int o = exif_get_short(orient->data, exif_data_get_byte_order(d.get()));
    if (o >= 1 && o <= 8) out["orientation"] = o;
  }
  double lat = 0, lon = 0;
  // The GPS tags' numbers overlap others'; libexif defines them as ints.
  auto tag = [](int t) { return static_cast<ExifTag>(t); };
  if (Degrees(d.get(), tag(EXIF_TAG_GPS_LATITUDE), tag(EXIF_TAG_GPS_LATITUDE_REF), &lat) &&
      Degrees(d.get(), tag(EXIF_TAG_GPS_LONGITUDE), tag(EXIF_TAG_GPS_LONGITUDE_REF), &lon)) {
    out["gps"] = {{"lat", lat}, {"lon", lon}};
  }
  return out;
}

int ExifOrientation(std::string_view bytes) {
  std::optional<std::string> format = SniffImageFormat(bytes.substr(0, 64));
  if (!format) return 1;
  nlohmann::json exif = ReadExif(*format, bytes);
  return exif.value("orientation", 1);
}

int ExifOrientation(const nlohmann::json& item_info) {
  if (!item_info.is_object() || !item_info.contains("exif")) return 1;
  const nlohmann::json& exif = item_info["exif"];
  if (!exif.is_object() || !exif.contains("orientation") || !exif["orientation"].is_number_integer()) {
    return 1;
  }
  int o = exif["orientation"].get<int>();
  return o >= 1 && o <= 8 ? o : 1;
}

}  // namespace uncut
