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

// A child with its text fingerprinted, and its children likewise.
PreparedChild PrepareChild(ChildDocument c) {
  PreparedChild p;
  if (c.text) p.postings = TextPostings(c.text->text, DefaultTextWinnowParams(), &p.search_form);
  p.children.reserve(c.children.size());
  for (ChildDocument& grandchild : c.children) p.children.push_back(PrepareChild(std::move(grandchild)));
  c.children.clear();
  p.doc = std::move(c);
  return p;
}

// Keeps the documents a container hands over, fingerprinted, for AddFile.
class ChildCollector : public ChildSink {
 public:
  explicit ChildCollector(std::vector<PreparedChild>* out) : out_(out) {}
  absl::Status Add(ChildDocument child) override {
    out_->push_back(PrepareChild(std::move(child)));
    return absl::OkStatus();
  }

 private:
  std::vector<PreparedChild>* out_;
};

// Queues the documents a container hands over, as it finds them, as items
// linked to their parent. Children of children (the attachments of a
// message in a mailbox) are queued recursively.
class ChildQueue : public ChildSink {
 public:
  ChildQueue(WriteBatch* batch, const Item& parent, std::string_view parent_bytes,
             AddOutcome* outcome)
      : batch_(batch), parent_(parent), parent_bytes_(parent_bytes), outcome_(outcome) {}

  absl::Status Add(ChildDocument child) override {
    return Add(PrepareChild(std::move(child)));
  }
  absl::Status Add(PreparedChild child) {
    return Queue(parent_, parent_bytes_, std::move(child), parent_.name);
  }

 private:
  absl::Status Queue(const Item& parent, std::string_view parent_bytes, PreparedChild p,
                     const std::string& where) {
    ChildDocument& c = p.doc;
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
      n.postings[kTextModality] = std::move(p.postings);
      n.search_form = std::move(p.search_form);
      n.text = std::move(c.text);
    }
    MakeDescriptionsValidUtf8(&n);
    ASSIGN_OR_RETURN(it.id, batch_->AddItem(std::move(n)));
    ++outcome_->children;
    for (PreparedChild& grandchild : p.children) {
      RETURN_IF_ERROR(Queue(it, own, std::move(grandchild), here));
    }
    return absl::OkStatus();
  }

  WriteBatch* batch_;
  const Item& parent_;
  std::string_view parent_bytes_;
  AddOutcome* outcome_;
};

// Documents up to this size are read into memory and analysed by
// PrepareFile; larger ones by AddFile, from the archive's copy.
constexpr uint64_t kPreparedDocumentBytes = 16u << 20;
// Pictures up to this size likewise; larger ones are mapped from the archive.
constexpr uint64_t kPreparedPictureBytes = 256u << 20;

DocumentAnalysis AnalyseDocument(std::string_view bytes, const Extractor& extractor,
                                 const AddOptions& options) {
  DocumentAnalysis a;
  ChildCollector children(&a.children);
  ExtractOptions eo;
  eo.charset = options.charset;
  eo.children = &children;
  a.extraction = extractor.Extract(bytes, eo);
  if (a.extraction.ok() && a.extraction->kind == "text") {
    a.postings =
        TextPostings(a.extraction->text.text, DefaultTextWinnowParams(), &a.search_form);
  }
  return a;
}

// `prepared` holds the analysis of `prepared_bytes` (the file's bytes as
// PrepareFile read them); those are what is stored then.
absl::StatusOr<AddOutcome> AddDocument(WriteBatch* batch, const std::string& path,
                                       const Extractor& extractor, const AddOptions& options,
                                       std::string_view prepared_bytes,
                                       DocumentAnalysis* prepared) {
  absl::StatusOr<StagedObject> staged = prepared != nullptr
                                            ? batch->StageBytes(prepared_bytes)
                                            : batch->StageFile(path, Placement::kPackIfSmall);
  if (!staged.ok()) return staged.status();
  StagedObject& obj = *staged;
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
  std::string_view bytes = prepared != nullptr ? prepared_bytes : std::string_view(obj.contents);
  if (bytes.empty()) {
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
  absl::StatusOr<Extraction> extraction;
  if (prepared != nullptr) {
    // As the extractor found them, in order; a child that fails to queue
    // stops the rest, as it stops the extractor.
    absl::Status queued = prepared->extraction.status();
    for (PreparedChild& c : prepared->children) {
      if (!queued.ok()) break;
      queued = children.Add(std::move(c));
    }
    if (!queued.ok()) return fail(queued);
    extraction = std::move(prepared->extraction);
  } else {
    ExtractOptions eo;
    eo.charset = options.charset;
    eo.children = &children;
    extraction = extractor.Extract(bytes, eo);
  }
  if (!extraction.ok()) return fail(extraction.status());
  it.kind = extraction->kind;
  it.format = extraction->format;
  it.info = extraction->info;
  if (!it.meta.title && extraction->info.contains("title") &&
      extraction->info["title"].is_string()) {
    it.meta.title = extraction->info["title"].get<std::string>();
  }
  std::string search_form;
  if (it.kind == "text") {
    if (prepared != nullptr) {
      n.postings[kTextModality] = std::move(prepared->postings);
      search_form = std::move(prepared->search_form);
    } else {
      n.postings[kTextModality] =
          TextPostings(extraction->text.text, DefaultTextWinnowParams(), &search_form);
    }
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
    if (it.kind == "text") n.search_form = std::move(search_form);
  }
  MakeDescriptionsValidUtf8(&n);
  out.item = it;
  absl::Status s = batch->ReplaceItem(std::move(n));
  if (!s.ok()) return fail(s);
  return out;
}

// Which reader takes a file, by its bytes first and then its name.
struct Route {
  enum Kind { kImage, kMedia, kDocument } kind;
  std::string image_format;  // kImage: the format its bytes show, or "" (named as one)
  const Extractor* extractor = nullptr;  // kDocument
};

absl::StatusOr<Route> RouteFile(const std::string& path, std::string_view head) {
  // Pictures and recordings are recognised by their bytes first: a video
  // named .txt is still a video.
  if (auto image = SniffImageFormat(head)) return Route{Route::kImage, *image};
  if (SniffHeifImage(head)) {
    return absl::UnimplementedError(
        StrCat(path, ": HEIC/HEIF and AVIF pictures are not read (this build's FFmpeg has no "
                     "reader for them); convert it to JPEG or PNG first"));
  }
  if (SniffMediaFormat(head)) return Route{Route::kMedia};
  // Named as a picture, with bytes that are none: refused with the reason.
  if (LooksLikeImage(path)) return Route{Route::kImage, ""};
  const Extractor* extractor = FindExtractor(path, head);
  if (extractor == nullptr && LooksLikeMedia(path)) {
    // Named as a recording: refused at once when its bytes say otherwise.
    RETURN_IF_ERROR(CheckClipKind(path, head));
    return Route{Route::kMedia};
  }
  if (extractor == nullptr) {
    std::string ext = Extension(path);
    return absl::UnimplementedError(StrCat(
        path, ": unsupported file type", ext.empty() ? "" : StrCat(" (.", ext, ")")));
  }
  return Route{Route::kDocument, "", extractor};
}

}  // namespace

PreparedFile PrepareFile(const std::string& path, const AddOptions& options,
                         const std::function<bool(const std::string&)>& archived) {
  PreparedFile p;
  auto head = ReadHead(path);
  if (!head.ok() || head->empty()) return p;
  p.head = std::move(*head);
  auto route = RouteFile(path, p.head);
  if (!route.ok()) return p;
  if (route->kind == Route::kMedia) {
    auto sha = Sha256OfFile(path);
    if (!sha.ok() || archived(*sha)) return p;
    p.sha256 = std::move(*sha);
    p.media = std::make_unique<FileAnalysis>(AnalyseMedia(path, path, options));
    return p;
  }
  auto bytes = ReadFileToString(path, route->kind == Route::kDocument ? kPreparedDocumentBytes
                                                                      : kPreparedPictureBytes);
  if (!bytes.ok() || bytes->empty()) return p;
  std::string sha = Sha256Hex(*bytes);
  if (archived(sha)) return p;
  p.sha256 = std::move(sha);
  if (route->kind == Route::kImage) {
    p.media = std::make_unique<FileAnalysis>(
        AnalyseImage(path, *bytes, path, route->image_format));
    return p;
  }
  p.bytes = std::move(*bytes);
  p.document = std::make_unique<DocumentAnalysis>(
      AnalyseDocument(p.bytes, *route->extractor, options));
  return p;
}

absl::StatusOr<AddOutcome> AddFile(WriteBatch* batch, const std::string& path,
                                   const AddOptions& options, PreparedFile* prepared) {
  if (options.meta.captured_at) {
    absl::Status s = ValidateRfc3339(*options.meta.captured_at);
    if (!s.ok()) return s;
  }
  std::string head;
  if (prepared != nullptr && !prepared->head.empty()) {
    head = prepared->head;
  } else {
    prepared = nullptr;
    auto read = ReadHead(path);
    if (!read.ok()) return WithPath(path, read.status());
    head = std::move(*read);
  }
  if (head.empty()) return absl::InvalidArgumentError(StrCat(path, ": empty file"));
  ASSIGN_OR_RETURN(Route route, RouteFile(path, head));
  const std::string sha = prepared != nullptr ? prepared->sha256 : "";
  FileAnalysis* media = prepared != nullptr ? prepared->media.get() : nullptr;
  switch (route.kind) {
    case Route::kImage:
      return AddImage(batch, path, route.image_format, options, sha, media);
    case Route::kMedia:
      return AddMedia(batch, path, options, sha, media);
    case Route::kDocument:
      if (prepared != nullptr && prepared->document != nullptr) {
        return AddDocument(batch, path, *route.extractor, options, prepared->bytes,
                           prepared->document.get());
      }
      return AddDocument(batch, path, *route.extractor, options, "", nullptr);
  }
  return absl::InternalError("unreachable");
}

}  // namespace uncut
