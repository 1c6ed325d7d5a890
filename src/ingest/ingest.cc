#include "ingest/ingest.h"

#include "base/file.h"
#include "base/named_message.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "extract/extractor.h"
#include "image/image_format.h"
#include "ingest/image_ingest.h"
#include "ingest/media_ingest.h"
#include "ingest/media_links.h"
#include "ingest/media_sniff.h"
#include "text/fingerprint.h"

namespace uncut {
namespace {

// What extractors read from the bytes (headers, titles, URLs, tags) may not
// be UTF-8; the catalog keeps it as JSON, which must be. The original keeps
// the exact bytes.
void MakeDescriptionsValidUtf8(NewItem* n) {
  MakeValidUtf8(&n->item.info);
  if (!n->text) return;
  for (Anchor& a : n->text->anchors) MakeValidUtf8(&a.value);
}

absl::Status WithPath(const std::string& path, const absl::Status& s) {
  return absl::Status(s.code(), NamedMessage(path, s.message()));
}

absl::StatusOr<std::string> ReadHead(const std::string& path) {
  ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
  std::string head(4096, '\0');
  ASSIGN_OR_RETURN(size_t n, f.ReadAt(head.data(), head.size(), 0));
  head.resize(n);
  return head;
}

void CollectWarnings(const nlohmann::json& info, const std::string& where,
                     std::vector<std::string>* out) {
  if (!info.contains("warnings") || !info["warnings"].is_array()) return;
  for (const auto& w : info["warnings"]) {
    if (w.is_string()) out->push_back(where.empty() ? w.get<std::string>() : StrCat(where, ": ", w.get<std::string>()));
  }
}

// Queues the documents a container hands over, as it finds them, as items
// linked to their parent. Children of children (the attachments of a
// message in a mailbox) are queued recursively.
class ChildQueue : public ChildSink {
 public:
  ChildQueue(WriteBatch* batch, const Item& parent, std::string_view parent_bytes,
             AddOutcome* outcome)
      : batch_(batch), parent_(parent), parent_bytes_(parent_bytes), outcome_(outcome) {}

  absl::Status Add(ChildDocument child) override {
    return Queue(parent_, parent_bytes_, std::move(child), parent_.name);
  }

 private:
  absl::Status Queue(const Item& parent, std::string_view parent_bytes, ChildDocument c,
                     const std::string& where) {
    NewItem n;
    Item& it = n.item;
    std::string_view own;
    if (c.decoded) {
      ASSIGN_OR_RETURN(StagedObject o, batch_->StageBytes(*c.decoded));
      it.sha256 = o.sha256;
      it.size = o.size;
      it.object = o.object;
      it.object_offset = o.offset;
      own = *c.decoded;
    } else {
      if (c.offset > parent_bytes.size() || c.size > parent_bytes.size() - c.offset) {
        return absl::InternalError(StrCat("child \"", c.name, "\" lies outside its container"));
      }
      own = parent_bytes.substr(c.offset, c.size);
      it.sha256 = Sha256Hex(own);
      it.size = c.size;
      it.object = parent.object;
      it.object_offset = parent.object_offset + c.offset;
    }
    it.parent_id = parent.id;
    it.kind = c.kind;
    it.format = c.format;
    it.name = c.name;
    it.added_from = parent.added_from;
    it.added_at = parent.added_at;
    it.meta.title = c.title;
    it.meta.source_url = c.source_url;
    it.meta.captured_at = c.captured_at;
    it.meta.note = parent.meta.note;
    it.info = std::move(c.info);
    std::string here = StrCat(where, " / ", c.name);
    CollectWarnings(it.info, here, &outcome_->warnings);
    if (c.text) {
      n.postings[kTextModality] = TextPostings(c.text->text, DefaultTextWinnowParams());
      n.text = std::move(c.text);
    }
    MakeDescriptionsValidUtf8(&n);
    ASSIGN_OR_RETURN(it.id, batch_->AddItem(std::move(n)));
    ++outcome_->children;
    for (ChildDocument& grandchild : c.children) {
      RETURN_IF_ERROR(Queue(it, own, std::move(grandchild), here));
    }
    return absl::OkStatus();
  }

  WriteBatch* batch_;
  const Item& parent_;
  std::string_view parent_bytes_;
  AddOutcome* outcome_;
};

absl::StatusOr<AddOutcome> AddDocument(WriteBatch* batch, const std::string& path,
                                       const Extractor& extractor, const AddOptions& options) {
  ASSIGN_OR_RETURN(StagedObject obj, batch->StageFile(path, Placement::kPackIfSmall));
  AddOutcome out;
  std::optional<Item> existing;
  if (obj.seen) {
    ASSIGN_OR_RETURN(existing, batch->Existing(obj.sha256));
  }
  if (existing) {
    out.existed = true;
    out.item = *existing;
    return out;
  }
  const size_t mark = batch->pending_items();
  auto fail = [&](const absl::Status& s) {
    batch->Truncate(mark);
    batch->Discard(obj);
    return WithPath(path, s);
  };
  // The stored bytes, not the user's file, which may change meanwhile.
  MappedFile mapped;
  std::string_view bytes = obj.contents;
  if (obj.contents.empty()) {
    // Stored on its own (too large to pack): read it from the archive.
    auto m = MappedFile::Open(obj.path);
    if (!m.ok()) return fail(m.status());
    mapped = std::move(*m);
    if (obj.offset > mapped.data().size() || obj.size > mapped.data().size() - obj.offset) {
      return fail(absl::DataLossError(StrCat(obj.path, ": shorter than the catalog says")));
    }
    bytes = mapped.data().substr(obj.offset, obj.size);
  }
  // The container's item is queued first so its children can name it; its
  // text and info are filled in once extraction is done.
  NewItem n;
  Item& it = n.item;
  it.sha256 = obj.sha256;
  it.kind = "text";
  it.format = std::string(extractor.format());
  it.size = obj.size;
  it.name = BaseName(path);
  it.added_from = AbsolutePath(path);
  it.added_at = NowRfc3339();
  it.meta = options.meta;
  it.object = obj.object;
  it.object_offset = obj.offset;
  ASSIGN_OR_RETURN(it.id, batch->AddItem(NewItem{it, std::nullopt, {}, {}}));
  ChildQueue children(batch, it, bytes, &out);
  ExtractOptions eo;
  eo.charset = options.charset;
  eo.children = &children;
  auto extraction = extractor.Extract(bytes, eo);
  if (!extraction.ok()) return fail(extraction.status());
  it.kind = extraction->kind;
  it.format = extraction->format;
  it.info = extraction->info;
  if (!it.meta.title && extraction->info.contains("title") &&
      extraction->info["title"].is_string()) {
    it.meta.title = extraction->info["title"].get<std::string>();
  }
  if (it.kind == "text") {
    n.postings[kTextModality] = TextPostings(extraction->text.text, DefaultTextWinnowParams());
    if (n.postings[kTextModality].empty() && out.children == 0) {
      return fail(absl::InvalidArgumentError("too little text to index"));
    }
  }
  if (it.kind == "container" && out.children == 0) {
    return fail(absl::InvalidArgumentError("holds no document uncut reads"));
  }
  CollectWarnings(extraction->info, "", &out.warnings);
  absl::Status linked = LinkMediaCompanions(batch, &it);
  if (!linked.ok()) return fail(linked);
  if (!extraction->text.text.empty() || it.kind == "text") {
    n.text_is_original = extraction->text.text == bytes;
    n.text = std::move(extraction->text);
  }
  MakeDescriptionsValidUtf8(&n);
  out.item = it;
  absl::Status s = batch->ReplaceItem(std::move(n));
  if (!s.ok()) return fail(s);
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
  // Pictures and recordings are recognised by their bytes first: a video
  // named .txt is still a video.
  if (auto image = SniffImageFormat(*head)) return AddImage(batch, path, *image, options);
  if (SniffHeifImage(*head)) {
    return absl::UnimplementedError(
        StrCat(path, ": HEIC/HEIF and AVIF pictures are not read (this build's FFmpeg has no "
                     "reader for them); convert it to JPEG or PNG first"));
  }
  if (SniffMediaFormat(*head)) return AddMedia(batch, path, options);
  // Named as a picture, with bytes that are none: refused with the reason.
  if (LooksLikeImage(path)) return AddImage(batch, path, "", options);
  const Extractor* extractor = FindExtractor(path, *head);
  if (extractor == nullptr && LooksLikeMedia(path)) {
    // Named as a recording: refused at once when its bytes say otherwise.
    RETURN_IF_ERROR(CheckClipKind(path, *head));
    return AddMedia(batch, path, options);
  }
  if (extractor == nullptr) {
    std::string ext = Extension(path);
    return absl::UnimplementedError(StrCat(
        path, ": unsupported file type", ext.empty() ? "" : StrCat(" (.", ext, ")")));
  }
  return AddDocument(batch, path, *extractor, options);
}

}  // namespace uncut
