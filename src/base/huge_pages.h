// Large working buffers backed by transparent huge pages.
//
// On a machine whose kernel hands out huge pages only on request
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise, Debian's default),
// every 4 KiB page of a freshly allocated buffer costs a page fault when it
// is first written; under a hypervisor that is 10-20 us a page, more than
// the text analysis that fills the buffer. Asking for huge pages on the
// buffers that hold a whole text's skeleton, tokens, postings or bytes
// makes that one fault per 2 MiB. The advice changes no byte of the data.
#ifndef UNCUT_BASE_HUGE_PAGES_H_
#define UNCUT_BASE_HUGE_PAGES_H_

#include <cstddef>

namespace uncut {

// Buffers smaller than this are left alone (they hold no whole huge page).
inline constexpr size_t kHugePageAdviceBytes = size_t{4} << 20;

// Advises the kernel to back the whole 2 MiB pages inside
// [data, data + bytes) with huge pages. Best effort: does nothing for
// smaller ranges, and ignores kernels without transparent huge pages.
void AdviseHugePages(const void* data, size_t bytes);

// Reserves room for `n` elements in *c (a std::vector or std::basic_string)
// and advises huge pages for the reserved memory before anything is
// written there.
template <typename Container>
void ReserveHugePages(Container* c, size_t n) {
  c->reserve(n);
  AdviseHugePages(c->data(), c->capacity() * sizeof(*c->data()));
}

}  // namespace uncut

#endif  // UNCUT_BASE_HUGE_PAGES_H_
