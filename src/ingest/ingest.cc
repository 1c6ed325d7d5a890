#include "ingest/ingest.h"

#include "base/strings.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "extract/extractor.h"
#include "text/fingerprint.h"

namespace uncut {
namespace {

absl::Status WithPath(const std::string& path, const absl::Status& s) {
  std::string msg(s.message());
  if (msg.rfind(path, 0) == 0) return s;  // already names the file
  return absl::Status(s.code(), StrCat(path, ": ", msg));
}

absl::StatusOr<std::string> ReadHead(const std::string& path) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  std::string head(4096, '\0');
  ASSIGN_OR_RETURN(size_t n, f.ReadAt(head.data(), head.size(), 0));
  head.resize(n);
  return head;
}

absl::StatusOr<AddOutcome> AddText(WriteBatch* batch, const std::string& path,
                                   const Extractor& extractor, const AddOptions& options) {
  ASSIGN_OR_RETURN(StagedObject obj, batch->StageFile(path));
  AddOutcome out;
  ASSIGN_OR_RETURN(std::optional<Item> existing, batch->Existing(obj.sha256));
  if (existing) {
    out.existed = true;
    out.item = *existing;
    return out;
  }
  auto fail = [&](const absl::Status& s) {
    batch->Discard(obj);
    return WithPath(path, s);
  };
  auto mapped = MappedFile::Open(obj.path);
  if (!mapped.ok()) return fail(mapped.status());
  ExtractOptions eo;
  eo.charset = options.charset;
  auto extraction = extractor.Extract(mapped->data(), eo);
  if (!extraction.ok()) return fail(extraction.status());
  NewItem n;
  Item& it = n.item;
  it.sha256 = obj.sha256;
  it.kind = "text";
  it.format = extraction->format;
  it.size = obj.size;
  it.name = BaseName(path);
  it.added_from = AbsolutePath(path);
  it.added_at = NowRfc3339();
  it.meta = options.meta;
  it.info = extraction->info;
  if (!it.meta.title && extraction->info.contains("title")) {
    it.meta.title = extraction->info["title"].get<std::string>();
  }
  it.object = obj.sha256;
  n.postings[kTextModality] = TextPostings(extraction->text.text, DefaultTextWinnowParams());
  if (n.postings[kTextModality].empty()) {
    return fail(absl::InvalidArgumentError("too little text to index"));
  }
  if (extraction->info.contains("warnings")) {
    for (const auto& w : extraction->info["warnings"]) out.warnings.push_back(w.get<std::string>());
  }
  n.text = std::move(extraction->text);
  out.item = it;
  auto id = batch->AddItem(std::move(n));
  if (!id.ok()) return fail(id.status());
  out.item.id = *id;
  return out;
}

}  // namespace

absl::StatusOr<AddOutcome> AddFile(WriteBatch* batch, const std::string& path,
                                   const AddOptions& options) {
  if (options.meta.captured_at) {
    absl::Status s = ValidateRfc3339(*options.meta.captured_at);
    if (!s.ok()) return s;
  }
  auto head = ReadHead(path);
  if (!head.ok()) return WithPath(path, head.status());
  if (head->empty()) return absl::InvalidArgumentError(StrCat(path, ": empty file"));
  const Extractor* extractor = FindExtractor(path, *head);
  if (extractor == nullptr) {
    std::string ext = Extension(path);
    return absl::UnimplementedError(StrCat(
        path, ": unsupported file type", ext.empty() ? "" : StrCat(" (.", ext, ")")));
  }
  return AddText(batch, path, *extractor, options);
}

}  // namespace uncut
