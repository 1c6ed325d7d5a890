#include "storage/original.h"

#include <utility>

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

Original Original::WholeFile(std::string path) {
  Original o;
  o.name_ = path;
  o.file_ = std::move(path);
  return o;
}

absl::StatusOr<Original> Original::FileRange(std::string path, uint64_t offset, uint64_t size,
                                             const std::string& name) {
  Original o;
  ASSIGN_OR_RETURN(o.mapped_, MappedFile::Open(path));
  std::string_view all = o.mapped_.data();
  if (offset > all.size() || size > all.size() - offset) {
    return absl::DataLossError(StrCat(name, ": stored bytes are shorter than the item"));
  }
  // The mapping's address survives moves of MappedFile, so the view stays valid.
  o.bytes_ = all.substr(offset, size);
  o.name_ = std::move(path);
  return o;
}

Original Original::InMemory(std::string bytes, std::string name) {
  Original o;
  o.owned_ = std::make_unique<std::string>(std::move(bytes));
  o.bytes_ = *o.owned_;
  o.name_ = std::move(name);
  return o;
}

absl::StatusOr<std::string_view> Original::Bytes() {
  if (!bytes_) {
    if (!file_) return absl::FailedPreconditionError("no original is open");
    ASSIGN_OR_RETURN(mapped_, MappedFile::Open(*file_));
    bytes_ = mapped_.data();
  }
  return *bytes_;
}

}  // namespace uncut
