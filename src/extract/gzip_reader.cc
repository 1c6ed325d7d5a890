#include "extract/gzip_reader.h"

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

GzipReader::GzipReader(ByteReader* in, GzipLimits limits, bool raw_deflate)
    : in_(in), limits_(limits) {
  // 15 + 16: a gzip header; 15: a zlib header (HTTP "deflate").
  ready_ = inflateInit2(&z_, raw_deflate ? 15 : 15 + 16) == Z_OK;
  inbuf_.resize(1 << 16);
}

GzipReader::~GzipReader() {
  if (ready_) inflateEnd(&z_);
}

absl::Status GzipReader::Fill() {
  ASSIGN_OR_RETURN(size_t n, in_->Read(inbuf_.data(), inbuf_.size()));
  z_.next_in = reinterpret_cast<Bytef*>(inbuf_.data());
  z_.avail_in = static_cast<uInt>(n);
  if (n == 0) eof_ = true;
  return absl::OkStatus();
}

absl::StatusOr<size_t> GzipReader::Read(char* buf, size_t n) {
  if (!ready_) return absl::InternalError("cannot start zlib");
  size_t produced = 0;
  while (produced < n) {
    if (member_done_) {
      // Another member may follow: skip to it, or stop at the end.
      if (z_.avail_in == 0 && !eof_) RETURN_IF_ERROR(Fill());
      if (z_.avail_in == 0) return produced;
      if (inflateReset(&z_) != Z_OK) return absl::DataLossError("gzip: cannot reset");
      member_done_ = false;
      member_offset_ = next_member_offset_;
    }
    if (z_.avail_in == 0) {
      if (eof_) {
        if (produced == 0 && out_total_ > 0 && !member_done_) {
          return absl::DataLossError("gzip data ends in the middle of a member (truncated)");
        }
        return produced;
      }
      RETURN_IF_ERROR(Fill());
      if (eof_) continue;
    }
    uInt before_in = z_.avail_in;
    z_.next_out = reinterpret_cast<Bytef*>(buf + produced);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n - produced, 1u << 30));
    uInt before_out = z_.avail_out;
    int rc = inflate(&z_, Z_NO_FLUSH);
    in_total_ += before_in - z_.avail_in;
    size_t got = before_out - z_.avail_out;
    produced += got;
    out_total_ += got;
    if (out_total_ > limits_.max_output ||
        out_total_ > limits_.slack + limits_.max_ratio * std::max<uint64_t>(in_total_, 1)) {
      return absl::ResourceExhaustedError(StrCat(
          "decompression bomb: ", in_total_, " compressed bytes expand past ", out_total_));
    }
    if (rc == Z_STREAM_END) {
      member_done_ = true;
      next_member_offset_ = in_total_;
      continue;
    }
    if (rc == Z_BUF_ERROR && got == 0 && z_.avail_in == 0) continue;  // needs more input
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::DataLossError(StrCat("gzip data is damaged near compressed byte ", in_total_,
                                        z_.msg ? StrCat(" (", z_.msg, ")") : ""));
    }
    if (rc == Z_BUF_ERROR && got == 0) break;
  }
  return produced;
}

absl::StatusOr<std::string> Gunzip(std::string_view data, uint64_t max_output, bool raw_deflate) {
  StringReader in(data);
  GzipLimits limits;
  limits.max_output = max_output;
  GzipReader gz(&in, limits, raw_deflate);
  std::string out;
  std::string buf(1 << 16, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t n, gz.Read(buf.data(), buf.size()));
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  return out;
}

}  // namespace uncut
