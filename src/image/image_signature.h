// A still picture's visual fingerprint: the hashes a video keeps for each
// sampled frame (video/video_signature.h: PDQ of the content region and of
// its central zoom), computed the same way on the picture scaled like a
// video frame, so that a still and the frame it was taken from hash alike.
// Stored as a one-frame VideoSignature; indexed in its own modality so
// clip tracing never sees pictures.
#ifndef UNCUT_IMAGE_IMAGE_SIGNATURE_H_
#define UNCUT_IMAGE_IMAGE_SIGNATURE_H_

#include <vector>

#include "decode/video_reader.h"
#include "index/posting.h"
#include "video/video_signature.h"

namespace uncut {

inline constexpr char kImageModality[] = "image";
inline constexpr char kImageSignatureBlob[] = "image.sig";

// Source frames are hashed at this size (VideoSignOptions::max_side).
inline constexpr int kPictureHashSide = 320;

// The one-frame signature of a grey picture scaled to kPictureHashSide.
VideoSignature SignPicture(const VideoFrame& gray);

// Multi-index postings of the picture's hashes (pos 0: main, 1: zoom), as
// VideoPostings makes them; none for a picture too flat to hash.
std::vector<Posting> PicturePostings(const VideoSignature& sig);

}  // namespace uncut

#endif  // UNCUT_IMAGE_IMAGE_SIGNATURE_H_
