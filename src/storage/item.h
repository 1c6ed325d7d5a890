// What the catalog holds about an archived item.
#ifndef UNCUT_STORAGE_ITEM_H_
#define UNCUT_STORAGE_ITEM_H_

#include <cstdint>
#include <optional>
#include <string>

#include "extract/extractor.h"
#include "nlohmann/json.hpp"

namespace uncut {

struct ItemMetadata {
  std::optional<std::string> source_url;
  std::optional<std::string> captured_at;  // RFC 3339
  std::optional<std::string> title;
  std::optional<std::string> note;
};

struct Item {
  int64_t id = 0;
  std::string sha256;                // digest of the item's own bytes
  std::optional<int64_t> parent_id;  // e.g. the mailbox a message came from
  std::string kind;                  // "text", "video", "audio", "container"
  std::string format;                // "txt", "html", "mp4", ...
  uint64_t size = 0;                 // bytes
  std::string name;                  // file name (or a name within the parent)
  std::string added_from;            // path it was added from
  std::string added_at;              // RFC 3339, UTC
  ItemMetadata meta;
  nlohmann::json info = nlohmann::json::object();
  // Where the bytes live: an object in the store and a byte range of it.
  std::string object;
  uint64_t object_offset = 0;
};

// An item's extracted text, as stored.
struct StoredText {
  ExtractedText text;
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_ITEM_H_
