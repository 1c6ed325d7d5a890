#include "bundle/zip_archive.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/strings.h"

namespace uncut {
namespace {

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
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

absl::Status ZipWriter::AddFile(const std::string& name, const std::string& source, uint64_t offset,
                                uint64_t length, bool compress) {
  zip_source_t* src =
      zip_source_file(zip_.get(), source.c_str(), offset, static_cast<zip_int64_t>(length));
  if (!src) return Check(false, StrCat("cannot read ", source));
  zip_int64_t index = zip_file_add(zip_.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return Check(false, StrCat("cannot add ", name));
  }
  return Check(
      zip_set_file_compression(zip_.get(), index, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
      StrCat("cannot set compression of ", name));
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
  zip_int64_t index = zip_file_add(zip_.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return Check(false, StrCat("cannot add ", name));
  }
  return Check(
      zip_set_file_compression(zip_.get(), index, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
      StrCat("cannot set compression of ", name));
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
  zip_int64_t index = zip_file_add(zip_.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return Check(false, StrCat("cannot add ", name));
  }
  return Check(
      zip_set_file_compression(zip_.get(), index, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
      StrCat("cannot set compression of ", name));
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
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(z, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    r.names_.push_back(name ? name : "");
  }
  return r;
}

absl::Status ZipReader::Read(size_t index, const std::function<void(std::string_view)>& chunk) {
  std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen_index(zip_.get(), index, 0));
  if (!f) {
    return absl::DataLossError(
        StrCat(path_, ": cannot open ", names_[index], ": ", zip_strerror(zip_.get())));
  }
  std::string buf(1 << 20, '\0');
  while (true) {
    zip_int64_t n = zip_fread(f.get(), buf.data(), buf.size());
    if (n < 0) {
      return absl::DataLossError(
          StrCat(path_, ": cannot read ", names_[index], ": ", zip_file_strerror(f.get())));
    }
    if (n == 0) return absl::OkStatus();
    chunk(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
}

absl::StatusOr<std::string> ZipReader::ReadAll(size_t index, uint64_t max_bytes) {
  std::string out;
  bool too_big = false;
  absl::Status s = Read(index, [&](std::string_view c) {
    if (out.size() + c.size() > max_bytes) too_big = true;
    if (!too_big) out.append(c);
  });
  if (!s.ok()) return s;
  if (too_big) {
    return absl::DataLossError(StrCat(path_, ": ", names_[index], " is larger than expected"));
  }
  return out;
}

}  // namespace uncut
