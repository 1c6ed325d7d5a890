// Helpers for code that returns absl::Status / absl::StatusOr<T>.
//
// Errors in uncut are values: library boundaries (FFmpeg, SQLite, ICU, the
// file system) map their return codes into an absl::Status whose message
// names the file and the reason, and callers propagate it with these macros.
#ifndef UNCUT_BASE_STATUS_MACROS_H_
#define UNCUT_BASE_STATUS_MACROS_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define UNCUT_CONCAT_INNER_(a, b) a##b
#define UNCUT_CONCAT_(a, b) UNCUT_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::absl::Status uncut_status_ = (expr);    \
    if (!uncut_status_.ok()) return uncut_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value or returns
// F()'s error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(UNCUT_CONCAT_(uncut_statusor_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                           \
  if (!tmp.ok()) return tmp.status();           \
  lhs = std::move(tmp).value()

// Aborts with a message when an invariant that must never break is broken.
#define UNCUT_CHECK(cond)                                                        \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)

#endif  // UNCUT_BASE_STATUS_MACROS_H_
