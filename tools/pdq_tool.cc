// pdq_tool: prints PDQ hashes of images or of every frame of a video, for
// checking compatibility with other PDQ implementations.
//   pdq_tool image FILE...               -> "hash,quality,FILE"
//   pdq_tool frames FILE [--128]         -> "frame,quality,hash,time" per frame (vPDQ's format)
#include <cstdio>
#include <string>

#include "decode/video_reader.h"
#include "video/pdq.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s image FILE... | frames FILE [--128]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  bool small = argc > 3 && std::string(argv[3]) == "--128";
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--128") continue;
    uncut::VideoReadOptions o;
    o.rgb = true;
    if (small) {
      // vPDQ's -128x128 variant: frames scaled to 128x128 (bicubic) first.
      o.exact_width = o.exact_height = 128;
      o.scale_flags = SWS_BICUBIC;
    }
    auto r = uncut::VideoReader::Open(argv[i], o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    uncut::VideoFrame f;
    int n = 0;
    while (true) {
      auto got = (*r)->Next(&f);
      if (!got.ok() || !*got) break;
      uncut::PdqDct dct;
      dct = uncut::PdqDctFromRgb(f.pixels.data(), f.height, f.width, f.width * 3);
      std::string hex = uncut::PdqHashFromDct(dct).ToHex();
      if (mode == "image") {
        std::printf("%s,%d,%s\n", hex.c_str(), dct.quality, argv[i]);
        break;
      }
      std::printf("%d,%d,%s,%.3f\n", n++, dct.quality, hex.c_str(), f.time_s);
    }
    if (mode == "frames") break;
  }
  return 0;
}
