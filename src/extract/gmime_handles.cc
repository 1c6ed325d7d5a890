#include "extract/gmime_handles.h"

#include <mutex>

namespace uncut {

void EnsureGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace uncut
