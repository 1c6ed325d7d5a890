// libFuzzer targets for the document readers. One source, one binary per
// reader: UNCUT_FUZZ_TARGET selects which (see CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "extract/email.h"
#include "extract/extractor.h"
#include "extract/pdf.h"
#include "extract/subtitles.h"
#include "extract/warc.h"

namespace {

// Keeps children only as long as it takes to look at them.
class CountingSink : public uncut::ChildSink {
 public:
  absl::Status Add(uncut::ChildDocument child) override {
    if (child.text) total_ += child.text->text.size() + child.text->map.runs().size();
    return absl::OkStatus();
  }
  size_t total_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const UNCUT_FUZZ_TARGET kReader;
  CountingSink sink;
  uncut::ExtractOptions options;
  options.children = &sink;
  options.max_text_bytes = 16 << 20;
  auto ex = kReader.Extract(bytes, options);
  if (ex.ok()) {
    // Every anchor and map run must lie inside the text.
    for (const uncut::Anchor& a : ex->text.anchors) {
      if (a.text_offset > ex->text.text.size()) __builtin_trap();
    }
    if (ex->text.map.text_size() != ex->text.text.size() && !ex->text.text.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
