// OffsetMap: where each byte of extracted text came from in the original file.
//
// Extraction decodes charsets, strips markup and collapses whitespace, so the
// text a person reads is not the file's bytes. Every reported span must
// still be a span of the original bytes; the map records, for runs of
// extracted text, the source bytes they stand for. A run is either a verbatim
// copy (byte i of the run is source byte s+i) or a replacement (the whole
// run stands for a whole source range, e.g. "&amp;" -> "&").
#ifndef UNCUT_EXTRACT_OFFSET_MAP_H_
#define UNCUT_EXTRACT_OFFSET_MAP_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace uncut {

class OffsetMap {
 public:
  struct Run {
    uint64_t text_start;
    uint64_t source_start;
    uint32_t text_len;
    uint32_t source_len;
    bool verbatim;  // text_len == source_len and bytes correspond one to one
  };

  OffsetMap() = default;
  explicit OffsetMap(std::vector<Run> runs) : runs_(std::move(runs)) {}

  // The identity map for `len` bytes of text copied verbatim from offset 0.
  static OffsetMap Identity(uint64_t len);

  // Source offset where text byte t begins. REQUIRES: t < text size.
  // For t == text size, returns the end of the last run.
  uint64_t SourceStart(uint64_t t) const;
  // Exclusive source end of a text range ending at t (exclusive), t > 0.
  uint64_t SourceEnd(uint64_t t) const;

  uint64_t text_size() const;
  const std::vector<Run>& runs() const { return runs_; }

  std::string Serialize() const;
  static absl::StatusOr<OffsetMap> Parse(std::string_view bytes);

 private:
  size_t RunIndex(uint64_t t) const;  // run containing text byte t
  std::vector<Run> runs_;
};

// Builds an OffsetMap while text is appended in order.
class OffsetMapBuilder {
 public:
  // `len` text bytes copied from source offset `src`.
  void Copy(uint64_t len, uint64_t src);
  // `len` text bytes that stand for source bytes [src, src + src_len).
  void Replace(uint64_t len, uint64_t src, uint64_t src_len);
  uint64_t text_size() const { return text_size_; }
  OffsetMap Build() &&;

 private:
  std::vector<OffsetMap::Run> runs_;
  uint64_t text_size_ = 0;
};

// Chains two maps: `outer` maps text to an intermediate text (e.g. UTF-8
// decoded from a charset), `inner` maps that intermediate text to the
// original bytes (e.g. a quoted-printable body inside a message). The result
// maps text straight to the original bytes.
OffsetMap ComposeOffsetMaps(const OffsetMap& outer, const OffsetMap& inner);

// `map` with every source offset moved by `delta` bytes (a part that starts
// `delta` bytes into its container).
OffsetMap ShiftOffsetMap(const OffsetMap& map, uint64_t delta);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_OFFSET_MAP_H_
