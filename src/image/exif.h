// What a picture's EXIF block says about its making (libexif): when it was
// taken, with what camera, its orientation. JPEG (APP1), PNG (eXIf), WebP
// (EXIF chunk) and TIFF (its own first directory) are read.
#ifndef UNCUT_IMAGE_EXIF_H_
#define UNCUT_IMAGE_EXIF_H_

#include <string_view>

#include "nlohmann/json.hpp"

namespace uncut {

// An object with what is present among: "taken_at" (DateTimeOriginal as
// "YYYY-MM-DDTHH:MM:SS", with the offset when OffsetTimeOriginal gives
// one), "digitized_at", "modified_at", "camera_make", "camera_model",
// "lens", "software", "orientation" (1..8), "gps" ({"lat", "lon"} in
// degrees). Empty when there is no EXIF block or it cannot be read; a
// malformed block never fails the picture.
nlohmann::json ReadExif(std::string_view format, std::string_view bytes);

// The EXIF orientation (1..8) of a picture's `bytes`, its format sniffed from
// them; 1 when it has none or it cannot be read.
int ExifOrientation(std::string_view bytes);

// The orientation an item's `info.exif` records; 1 when none.
int ExifOrientation(const nlohmann::json& item_info);

}  // namespace uncut

#endif  // UNCUT_IMAGE_EXIF_H_
