// Recognising still pictures by their first bytes and their names.
//
// uncut reads the pictures Debian 12's FFmpeg decodes: JPEG, PNG, WebP,
// GIF (its first frame), TIFF and BMP. HEIC/HEIF and AVIF stills are
// recognised only to be refused with a clear message: FFmpeg 5.1 has no
// reader for their item-based layout.
#ifndef UNCUT_IMAGE_IMAGE_FORMAT_H_
#define UNCUT_IMAGE_IMAGE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace uncut {

// "jpg", "png", "webp", "gif", "tiff", "bmp" when `head` (the first bytes
// of a file; 32 are enough) carries that format's signature.
std::optional<std::string> SniffImageFormat(std::string_view head);

// Whether `head` is an ISO-BMFF still image (HEIC, HEIF, AVIF): its "ftyp"
// box names an image brand. Such files would otherwise pass for MP4.
bool SniffHeifImage(std::string_view head);

// Whether the file name says picture (.jpg, .jpeg, .png, .webp, .gif, .tif,
// .tiff, .bmp, .heic, .heif, .avif).
bool LooksLikeImage(std::string_view path);

// The width and height a picture's header declares (PNG IHDR, JPEG SOF,
// GIF logical screen, WebP VP8X canvas, BMP header), read without decoding
// so that absurd sizes are refused before any pixel is allocated; nothing
// when the header does not say or cannot be read.
struct DeclaredSize {
  uint32_t width = 0, height = 0;
};
std::optional<DeclaredSize> ReadDeclaredSize(std::string_view format, std::string_view bytes);

// Checks that a picture's bytes are whole: a JPEG has an end-of-image
// marker after its last scan, a PNG its IEND chunk, a GIF its trailer, a
// WebP as many bytes as its RIFF header declares. Decoders would otherwise
// show a truncated picture's missing part as grey and raise no error.
// InvalidArgument saying what is missing; other formats pass.
absl::Status CheckImageComplete(std::string_view format, std::string_view bytes);

}  // namespace uncut

#endif  // UNCUT_IMAGE_IMAGE_FORMAT_H_
