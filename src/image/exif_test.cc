#include "image/exif.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace uncut {
namespace {

// A little-endian TIFF structure with IFD0 (Make, Model, Orientation, a
// pointer to the EXIF IFD) and an EXIF IFD (DateTimeOriginal), as cameras
// write it inside a JPEG's APP1 segment.
class TiffWriter {
 public:
  std::string Build(const std::string& make, const std::string& model, const std::string& taken) {
    // Layout: header (8), IFD0 at 8 with 4 entries, EXIF IFD after it, then strings.
    const uint32_t ifd0 = 8, ifd0_size = 2 + 4 * 12 + 4;
    const uint32_t exif_ifd = ifd0 + ifd0_size, exif_size = 2 + 1 * 12 + 4;
    uint32_t data = exif_ifd + exif_size;
    std::string strings;
    auto place = [&](const std::string& s) {
      uint32_t at = data + static_cast<uint32_t>(strings.size());
      strings += s;
      strings.push_back('\0');
      return at;
    };
    const uint32_t make_at = place(make), model_at = place(model), taken_at = place(taken);
    out_ = "II";
    U16(42);
    U32(ifd0);
    U16(4);
    Entry(0x010f, 2, make.size() + 1, make_at);    // Make
    Entry(0x0110, 2, model.size() + 1, model_at);  // Model
    Entry(0x0112, 3, 1, 6);                        // Orientation: rotated 90
    Entry(0x8769, 4, 1, exif_ifd);                 // ExifIFD pointer
    U32(0);
    U16(1);
    Entry(0x9003, 2, taken.size() + 1, taken_at);  // DateTimeOriginal
    U32(0);
    return out_ + strings;
  }

 private:
  void U16(uint32_t v) {
    out_.push_back(static_cast<char>(v & 0xff));
    out_.push_back(static_cast<char>(v >> 8 & 0xff));
  }
  void U32(uint32_t v) {
    U16(v & 0xffff);
    U16(v >> 16);
  }
  void Entry(uint16_t tag, uint16_t type, uint32_t count, uint32_t value) {
    U16(tag);
    U16(type);
    U32(count);
    U32(value);
  }
  std::string out_;
};

std::string JpegWithApp1(const std::string& tiff) {
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  size_t len = payload.size() + 2;
  std::string jpeg = "\xff\xd8\xff\xe1";
  jpeg.push_back(static_cast<char>(len >> 8));
  jpeg.push_back(static_cast<char>(len & 0xff));
  jpeg += payload;
  jpeg += "\xff\xda\x00\x02\xff\xd9";
  return jpeg;
}

TEST(ReadExif, GivesCaptureTimeCameraAndOrientationOfAJpeg) {
  std::string tiff = TiffWriter().Build("Canon", "Canon EOS 5D", "2023:11:04 18:22:05");
  nlohmann::json exif = ReadExif("jpg", JpegWithApp1(tiff));
  EXPECT_EQ(exif.value("taken_at", ""), "2023-11-04T18:22:05");
  EXPECT_EQ(exif.value("camera_make", ""), "Canon");
  EXPECT_EQ(exif.value("camera_model", ""), "Canon EOS 5D");
  EXPECT_EQ(exif.value("orientation", 0), 6);
}

TEST(ReadExif, ReadsTheExifChunkOfAPng) {
  std::string tiff = TiffWriter().Build("NIKON", "D750", "2020:01:02 03:04:05");
  std::string png = "\x89PNG\r\n\x1a\n";
  auto chunk = [&](const std::string& type, const std::string& data) {
    uint32_t n = static_cast<uint32_t>(data.size());
    for (int s : {24, 16, 8, 0}) png.push_back(static_cast<char>(n >> s & 0xff));
    png += type + data + std::string(4, '\0');  // CRC is not checked
  };
  chunk("IHDR", std::string(13, '\1'));
  chunk("eXIf", tiff);
  chunk("IEND", "");
  nlohmann::json exif = ReadExif("png", png);
  EXPECT_EQ(exif.value("taken_at", ""), "2020-01-02T03:04:05");
  EXPECT_EQ(exif.value("camera_model", ""), "D750");
}

TEST(ReadExif, AMalformedBlockGivesWhatItCanAndNeverFails) {
  std::string tiff = TiffWriter().Build("Canon", "Canon EOS 5D", "2023:11:04 18:22:05");
  // Cut inside the directories, and pointed far past the end.
  for (size_t cut : {4, 12, 30, 60}) {
    nlohmann::json exif = ReadExif("jpg", JpegWithApp1(tiff.substr(0, cut)));
    EXPECT_FALSE(exif.contains("taken_at")) << cut;
  }
  std::string wild = tiff;
  wild[4] = '\xff';
  wild[5] = '\xff';  // IFD0 offset beyond the data
  EXPECT_TRUE(ReadExif("jpg", JpegWithApp1(wild)).empty());
  EXPECT_TRUE(ReadExif("jpg", "\xff\xd8\xff\xe0 no exif here").empty());
}

}  // namespace
}  // namespace uncut
