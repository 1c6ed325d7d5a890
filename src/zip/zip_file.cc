#include "zip/zip_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr uint64_t kMaxRatio = 100;
constexpr uint64_t kSlack = 64ull << 20;

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

class EntryReader : public ByteReader {
 public:
  EntryReader(zip_file_t* f, std::string name, uint64_t size)
      : file_(f), name_(std::move(name)), size_(size) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    zip_int64_t got = zip_fread(file_.get(), buf, n);
    if (got < 0) {
      return absl::DataLossError(StrCat("cannot read ", name_, ": ",
                                        zip_error_strerror(zip_file_get_error(file_.get()))));
    }
    read_ += static_cast<uint64_t>(got);
    if (read_ > size_) {
      return absl::ResourceExhaustedError(
          StrCat(name_, " is larger than its declared ", size_, " bytes"));
    }
    return static_cast<size_t>(got);
  }

 private:
  std::unique_ptr<zip_file_t, ZipFileCloser> file_;
  std::string name_;
  uint64_t size_;
  uint64_t read_ = 0;
};

absl::Status OpenError(const std::string& path, int code) {
  zip_error_t err;
  zip_error_init_with_code(&err, code);
  std::string msg = zip_error_strerror(&err);
  zip_error_fini(&err);
  if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN)
    return absl::NotFoundError(StrCat(path, ": ", msg));
  if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS) {
    return absl::DataLossError(StrCat(path, ": not a readable zip file (", msg, ")"));
  }
  return absl::InternalError(StrCat(path, ": ", msg));
}

}  // namespace

struct ZipWriter::Stream {
  uint64_t length = 0;
  OpenFn open;
  ReadFn read;
  absl::Status status;  // the first error a reader gave
  zip_error_t error;

  ~Stream() { zip_error_fini(&error); }

  static zip_int64_t Callback(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    return static_cast<Stream*>(state)->Handle(data, len, cmd);
  }

  zip_int64_t Fail(absl::Status s) {
    if (status.ok()) status = std::move(s);
    zip_error_set(&error, ZIP_ER_READ, EIO);
    return -1;
  }

  zip_int64_t Handle(void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    switch (cmd) {
      case ZIP_SOURCE_OPEN: {
        auto r = open();
        if (!r.ok()) return Fail(r.status());
        read = std::move(*r);
        return 0;
      }
      case ZIP_SOURCE_READ: {
        auto n = read(data, static_cast<size_t>(len));
        if (!n.ok()) return Fail(n.status());
        return static_cast<zip_int64_t>(*n);
      }
      case ZIP_SOURCE_CLOSE:
        read = nullptr;
        return 0;
      case ZIP_SOURCE_STAT: {
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->size = length;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof(*st);
      }
      case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&error, data, len);
      case ZIP_SOURCE_FREE:
        return 0;
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
      default:
        zip_error_set(&error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
  }
};

ZipWriter::ZipWriter(ZipWriter&&) noexcept = default;
ZipWriter::~ZipWriter() = default;

absl::StatusOr<ZipWriter> ZipWriter::Create(const std::string& path) {
  int code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (!z) return OpenError(path, code);
  ZipWriter w;
  w.path_ = path;
  w.zip_.reset(z);
  return w;
}

absl::Status ZipWriter::Check(bool ok, const std::string& what) {
  if (ok) return absl::OkStatus();
  return absl::InternalError(StrCat(path_, ": ", what, ": ", zip_strerror(zip_.get())));
}

absl::Status ZipWriter::Add(const std::string& name, zip_source_t* src, bool compress) {
  zip_int64_t index = zip_file_add(zip_.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return Check(false, StrCat("cannot add ", name));
  }
  return Check(
      zip_set_file_compression(zip_.get(), index, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
      StrCat("cannot set compression of ", name));
}

absl::Status ZipWriter::AddFile(const std::string& name, const std::string& source, uint64_t offset,
                                uint64_t length, bool compress) {
  zip_source_t* src =
      zip_source_file(zip_.get(), source.c_str(), offset, static_cast<zip_int64_t>(length));
  if (!src) return Check(false, StrCat("cannot read ", source));
  return Add(name, src, compress);
}

absl::Status ZipWriter::AddBytes(const std::string& name, std::string_view bytes, bool compress) {
  // libzip frees the copy when it no longer needs it.
  void* copy = std::malloc(bytes.empty() ? 1 : bytes.size());
  if (!copy) return absl::ResourceExhaustedError("out of memory");
  std::memcpy(copy, bytes.data(), bytes.size());
  zip_source_t* src = zip_source_buffer(zip_.get(), copy, bytes.size(), 1);
  if (!src) {
    std::free(copy);
    return Check(false, StrCat("cannot add ", name));
  }
  return Add(name, src, compress);
}

absl::Status ZipWriter::AddStream(const std::string& name, uint64_t length, OpenFn open,
                                  bool compress) {
  auto stream = std::make_unique<Stream>();
  stream->length = length;
  stream->open = std::move(open);
  zip_error_init(&stream->error);
  zip_source_t* src = zip_source_function(zip_.get(), &Stream::Callback, stream.get());
  if (!src) return Check(false, StrCat("cannot add ", name));
  streams_.push_back(std::move(stream));
  return Add(name, src, compress);
}

absl::Status ZipWriter::Close() {
  if (zip_close(zip_.get()) != 0) {
    // A reader's own error says more than libzip's "read error".
    for (const auto& s : streams_) {
      if (!s->status.ok()) return s->status;
    }
    return Check(false, "cannot write");
  }
  zip_.release();  // zip_close freed it
  return absl::OkStatus();
}

absl::StatusOr<ZipReader> ZipReader::Open(const std::string& path) {
  int code = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!z) return OpenError(path, code);
  ZipReader r;
  r.path_ = path;
  r.zip_.reset(z);
  RETURN_IF_ERROR(r.Index());
  return r;
}

absl::StatusOr<ZipReader> ZipReader::OpenBuffer(std::string_view data) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
  zip_t* z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err) : nullptr;
  if (z == nullptr) {
    std::string msg = zip_error_strerror(&err);
    zip_error_fini(&err);
    if (src) zip_source_free(src);
    return absl::InvalidArgumentError(StrCat("not a readable zip file: ", msg));
  }
  zip_error_fini(&err);
  ZipReader r;
  r.untrusted_ = true;
  r.zip_.reset(z);
  RETURN_IF_ERROR(r.Index());
  return r;
}

absl::Status ZipReader::Index() {
  zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        st.name == nullptr) {
      return absl::DataLossError(StrCat(Where(), "entry ", i, " cannot be read: ",
                                        zip_strerror(zip_.get())));
    }
    ZipEntry e;
    e.name = st.name;
    e.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    e.compressed_size = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    e.index = static_cast<uint64_t>(i);
    entries_.push_back(std::move(e));
  }
  return absl::OkStatus();
}

std::string ZipReader::Where() const { return path_.empty() ? "" : StrCat(path_, ": "); }

const ZipEntry* ZipReader::Find(std::string_view name) const {
  for (const ZipEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<ByteReader>> ZipReader::OpenEntry(const ZipEntry& entry) {
  if (untrusted_ && entry.size > kSlack + kMaxRatio * entry.compressed_size) {
    return absl::ResourceExhaustedError(
        StrCat("zip bomb: entry ", entry.name, " would expand from ", entry.compressed_size,
               " to ", entry.size, " bytes"));
  }
  zip_file_t* f = zip_fopen_index(zip_.get(), entry.index, 0);
  if (f == nullptr) {
    return absl::DataLossError(
        StrCat(Where(), "cannot open ", entry.name, ": ", zip_strerror(zip_.get())));
  }
  return std::unique_ptr<ByteReader>(new EntryReader(f, Where() + entry.name, entry.size));
}

absl::Status ZipReader::Read(const ZipEntry& entry,
                             const std::function<void(std::string_view)>& chunk) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> r, OpenEntry(entry));
  std::string buf(1 << 20, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t n, r->Read(buf.data(), buf.size()));
    if (n == 0) return absl::OkStatus();
    chunk(std::string_view(buf.data(), n));
  }
}

absl::StatusOr<std::string> ZipReader::ReadEntry(const ZipEntry& entry, uint64_t max_bytes) {
  if (entry.size > max_bytes) {
    return absl::ResourceExhaustedError(
        StrCat(Where(), entry.name, " is too large (", entry.size, " bytes)"));
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
