// Test helper for tests that trace quotes in an in-memory archive: a text
// source with its extracted text, postings and original.
#ifndef UNCUT_TRACE_TEXT_TESTING_H_
#define UNCUT_TRACE_TEXT_TESTING_H_

#include <cstdint>
#include <string>
#include <utility>

#include "storage/memory_storage.h"
#include "text/fingerprint.h"
#include "text/winnow.h"

namespace uncut::testing {

// Adds `text` as a plain-text item named `name`; returns its id.
inline int64_t AddText(MemoryStorage* storage, const std::string& name, const std::string& text) {
  MemoryItem m;
  m.item.kind = "text";
  m.item.format = "txt";
  m.item.name = name;
  m.text = ExtractedText{text, OffsetMap::Identity(text.size()), {}};
  m.postings[Modality::kText] = TextPostings(text, DefaultTextWinnowParams());
  m.original = text;
  return storage->Add(std::move(m));
}

}  // namespace uncut::testing

#endif  // UNCUT_TRACE_TEXT_TESTING_H_
