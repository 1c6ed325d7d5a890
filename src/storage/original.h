// An archived item's original bytes, open for reading.
//
// A backend hands out either a file that holds exactly the item's bytes
// (decoders read such a file by path, as a stream) or the bytes in memory: a
// mapped range of a larger file (a pack, a container), or bytes it fetched
// from elsewhere. Move-only; the view Bytes() returns stays valid across
// moves, for as long as some Original holds it.
#ifndef UNCUT_STORAGE_ORIGINAL_H_
#define UNCUT_STORAGE_ORIGINAL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/file.h"

namespace uncut {

class Original {
 public:
  Original() = default;
  Original(Original&&) = default;
  Original& operator=(Original&&) = default;

  // The bytes are the whole file at `path`; it is mapped on the first Bytes().
  static Original WholeFile(std::string path);
  // The bytes are [offset, offset + size) of the file at `path`. Fails with
  // kDataLoss, naming `name`, when the file is shorter.
  static absl::StatusOr<Original> FileRange(std::string path, uint64_t offset, uint64_t size,
                                            const std::string& name);
  // The bytes themselves; `name` names them in messages.
  static Original InMemory(std::string bytes, std::string name);

  // A file holding exactly the bytes, when there is one.
  const std::optional<std::string>& file() const { return file_; }
  // Where the bytes are, for messages: a path, or the name given.
  const std::string& name() const { return name_; }
  // The bytes (a whole file is mapped on the first call).
  absl::StatusOr<std::string_view> Bytes();

 private:
  std::optional<std::string> file_;
  std::string name_;
  MappedFile mapped_;
  std::unique_ptr<std::string> owned_;  // a pointer, so views survive moves
  std::optional<std::string_view> bytes_;
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_ORIGINAL_H_
