#include "image/image_signature.h"

namespace uncut {

VideoSignature SignPicture(const VideoFrame& gray) {
  VideoSignature sig;
  sig.sample_fps = 1;
  sig.width = gray.width;
  sig.height = gray.height;
  VideoFrame at_zero = gray;
  at_zero.time_s = 0;
  sig.frames.push_back(SignFrame(at_zero, sig.sample_fps));
  return sig;
}

std::vector<Posting> PicturePostings(const VideoSignature& sig) {
  return VideoPostings(sig, VideoSignOptions().min_quality);
}

}  // namespace uncut
