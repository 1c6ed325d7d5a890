#include "extract/zip_archive.h"

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr uint64_t kMaxRatio = 100;
constexpr uint64_t kSlack = 64ull << 20;

class ZipEntryReader : public ByteReader {
 public:
  ZipEntryReader(zip_file_t* f, std::string name, uint64_t size)
      : file_(f), name_(std::move(name)), size_(size) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    zip_int64_t got = zip_fread(file_.get(), buf, n);
    if (got < 0) {
      return absl::DataLossError(StrCat("zip entry ", name_, ": ",
                                        zip_error_strerror(zip_file_get_error(file_.get()))));
    }
    read_ += static_cast<uint64_t>(got);
    if (read_ > size_) {
      return absl::ResourceExhaustedError(
          StrCat("zip entry ", name_, " is larger than its declared ", size_, " bytes"));
    }
    return static_cast<size_t>(got);
  }

 private:
  std::unique_ptr<zip_file_t, ZipFileClose> file_;
  std::string name_;
  uint64_t size_;
  uint64_t read_ = 0;
};

}  // namespace

absl::StatusOr<ZipArchive> ZipArchive::Open(std::string_view data) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
  if (src == nullptr) {
    std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    return absl::InternalError(StrCat("cannot read the zip: ", msg));
  }
  zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (z == nullptr) {
    std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    zip_source_free(src);
    return absl::InvalidArgumentError(StrCat("not a readable zip file: ", msg));
  }
  zip_error_fini(&err);
  ZipArchive a;
  a.zip_.reset(z);
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, i, 0, &st) != 0 || st.name == nullptr) continue;
    ZipEntry e;
    e.name = st.name;
    e.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    e.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    a.entries_.push_back(std::move(e));
  }
  return a;
}

const ZipEntry* ZipArchive::Find(std::string_view name) const {
  for (const ZipEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<ByteReader>> ZipArchive::OpenEntry(const ZipEntry& entry) {
  if (entry.size > kSlack + kMaxRatio * entry.compressed_size) {
    return absl::ResourceExhaustedError(
        StrCat("zip bomb: entry ", entry.name, " would expand from ", entry.compressed_size,
               " to ", entry.size, " bytes"));
  }
  zip_file_t* f = zip_fopen(zip_.get(), entry.name.c_str(), 0);
  if (f == nullptr) {
    return absl::DataLossError(
        StrCat("zip entry ", entry.name, ": ", zip_error_strerror(zip_get_error(zip_.get()))));
  }
  return std::unique_ptr<ByteReader>(new ZipEntryReader(f, entry.name, entry.size));
}

absl::StatusOr<std::string> ZipArchive::ReadEntry(const ZipEntry& entry, uint64_t max_bytes) {
  if (entry.size > max_bytes) {
    return absl::ResourceExhaustedError(
        StrCat("zip entry ", entry.name, " is too large (", entry.size, " bytes)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> r, OpenEntry(entry));
  std::string out(entry.size, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ASSIGN_OR_RETURN(size_t n, r->Read(out.data() + got, out.size() - got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace uncut
