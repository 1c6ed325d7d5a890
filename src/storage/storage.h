// What tracing reads from an archive: its catalog, its originals and its
// index, each behind its own interface so that a backend may keep them in
// different places (a catalog in a database, originals in an object store).
#ifndef UNCUT_STORAGE_STORAGE_H_
#define UNCUT_STORAGE_STORAGE_H_

#include "index/posting_source.h"
#include "storage/catalog_reader.h"

namespace uncut {

// Not owned; each must outlive the trace that reads it.
struct Storage {
  CatalogReader* catalog = nullptr;
  OriginalSource* originals = nullptr;
  PostingSource* postings = nullptr;
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_STORAGE_H_
