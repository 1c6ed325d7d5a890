// RAII handles for GMime and GLib objects, and GMime's one-time setup.
#ifndef UNCUT_EXTRACT_GMIME_HANDLES_H_
#define UNCUT_EXTRACT_GMIME_HANDLES_H_

#include <gmime/gmime.h>

#include <memory>

namespace uncut {

struct GObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
struct GFree {
  void operator()(void* p) const { g_free(p); }
};
struct GDateTimeUnref {
  void operator()(GDateTime* d) const {
    if (d) g_date_time_unref(d);
  }
};
struct ParserOptionsFree {
  void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
using GCharPtr = std::unique_ptr<char, GFree>;

// Initialises GMime once per process (thread-safe).
void EnsureGMime();

}  // namespace uncut

#endif  // UNCUT_EXTRACT_GMIME_HANDLES_H_
