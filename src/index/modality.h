// The kinds of fingerprint an archive indexes. Each has its own postings;
// the name is how the embedded backend stores it (segment files, catalog
// rows) and must not change.
#ifndef UNCUT_INDEX_MODALITY_H_
#define UNCUT_INDEX_MODALITY_H_

#include <string_view>

namespace uncut {

enum class Modality {
  kText,         // winnowed k-grams of normalized text (text/fingerprint.h)
  kVideo,        // chunks of frame hashes (video/video_signature.h)
  kAudio,        // landmark triplets (audio/landmarks.h)
  kLegacyAudio,  // landmark pairs of older archives, no longer read
  kImage,        // chunks of still pictures' hashes (image/image_signature.h)
};

inline constexpr Modality kAllModalities[] = {Modality::kText, Modality::kVideo, Modality::kAudio,
                                              Modality::kLegacyAudio, Modality::kImage};

// The stored name: "text", "video", "audio-triplets", "audio", "image".
constexpr std::string_view ModalityName(Modality m) {
  switch (m) {
    case Modality::kText:
      return "text";
    case Modality::kVideo:
      return "video";
    case Modality::kAudio:
      return "audio-triplets";
    case Modality::kLegacyAudio:
      return "audio";
    case Modality::kImage:
      return "image";
  }
  return "";
}

}  // namespace uncut

#endif  // UNCUT_INDEX_MODALITY_H_
