#include "base/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace uncut {
namespace {

bool KernelHasHugePages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(in, modes);
  return modes.find("[never]") == std::string::npos && !modes.empty();
}

// The VmFlags line of the mapping in /proc/self/smaps that holds `address`.
std::string VmFlagsAt(const void* address) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= a && a < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

TEST(HugePagesTest, ReservedLargeBufferIsAdvisedForHugePages) {
  if (!KernelHasHugePages()) GTEST_SKIP() << "this kernel has no transparent huge pages";
  std::vector<uint64_t> v;
  ReserveHugePages(&v, (size_t{16} << 20) / sizeof(uint64_t));
  ASSERT_GE(v.capacity() * sizeof(uint64_t), size_t{16} << 20);
  const std::string flags = VmFlagsAt(reinterpret_cast<const char*>(v.data()) + (8 << 20));
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
}

TEST(HugePagesTest, AdvisedBufferKeepsWhatIsWrittenToIt) {
  std::u32string s;
  ReserveHugePages(&s, size_t{6} << 20);
  for (size_t i = 0; i < (size_t{6} << 20); ++i) s.push_back(static_cast<char32_t>(i % 0x10FFFF));
  for (size_t i = 0; i < s.size(); i += 4099) ASSERT_EQ(s[i], static_cast<char32_t>(i % 0x10FFFF));
}

TEST(HugePagesTest, SmallAndNullRangesAreIgnored) {
  char small[64] = {1};
  AdviseHugePages(small, sizeof(small));
  AdviseHugePages(nullptr, size_t{64} << 20);
  EXPECT_EQ(small[0], 1);
}

}  // namespace
}  // namespace uncut
