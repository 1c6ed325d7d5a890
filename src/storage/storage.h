// What tracing reads from an archive: its catalog, its originals and its
// index, each behind its own interface so that a backend may keep them in
// different places (a catalog in a database, originals in an object store),
// and the records it keeps beside them (saved traces, the audit log).
#ifndef UNCUT_STORAGE_STORAGE_H_
#define UNCUT_STORAGE_STORAGE_H_

#include "index/posting_source.h"
#include "storage/catalog_reader.h"
#include "storage/catalog_records.h"

namespace uncut {

// Not owned; each must outlive the trace that reads it.
struct Storage {
  CatalogReader* catalog = nullptr;
  OriginalSource* originals = nullptr;
  PostingSource* postings = nullptr;
  CatalogRecords* records = nullptr;  // saved traces and the audit log
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_STORAGE_H_
