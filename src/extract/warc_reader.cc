#include "extract/warc_reader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;
constexpr size_t kChunk = 1 << 16;
constexpr size_t kMaxWarnings = 20;

}  // namespace

void WarcReader::Warn(std::string w) {
  if (warnings_.size() < kMaxWarnings) warnings_.push_back(std::move(w));
}

absl::StatusOr<bool> WarcReader::FillBuffer(size_t want) {
  while (buf_.size() - pos_ < want && !eof_) {
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    size_t old = buf_.size();
    buf_.resize(old + kChunk);
    ASSIGN_OR_RETURN(size_t n, in_->Read(buf_.data() + old, kChunk));
    buf_.resize(old + n);
    if (n == 0) eof_ = true;
  }
  return buf_.size() - pos_ >= want;
}

absl::StatusOr<bool> WarcReader::SkipTo(uint64_t n) {
  while (n > 0) {
    if (pos_ >= buf_.size()) {
      ASSIGN_OR_RETURN(bool more, FillBuffer(1));
      if (!more) return false;
    }
    size_t k = std::min<uint64_t>(n, buf_.size() - pos_);
    pos_ += k;
    consumed_ += k;
    n -= k;
  }
  return true;
}

absl::StatusOr<bool> WarcReader::Resync() {
  while (true) {
    ASSIGN_OR_RETURN(bool more, FillBuffer(6));
    if (!more) {
      consumed_ += buf_.size() - pos_;
      pos_ = buf_.size();
      return false;
    }
    size_t hit = buf_.find("WARC/", pos_);
    // A record begins at the start of a line.
    while (hit != std::string::npos && hit > 0 && buf_[hit - 1] != '\n') {
      hit = buf_.find("WARC/", hit + 1);
    }
    if (hit != std::string::npos) {
      consumed_ += hit - pos_;
      pos_ = hit;
      return true;
    }
    size_t keep = std::min<size_t>(5, buf_.size() - pos_);
    consumed_ += buf_.size() - pos_ - keep;
    pos_ = buf_.size() - keep;
    if (eof_) {
      consumed_ += keep;
      pos_ = buf_.size();
      return false;
    }
    ASSIGN_OR_RETURN(bool got, FillBuffer(buf_.size() - pos_ + kChunk));
    (void)got;
  }
}

absl::StatusOr<std::optional<WarcRecord>> WarcReader::Next() {
  // Blank lines between records are tolerated.
  while (true) {
    ASSIGN_OR_RETURN(bool more, FillBuffer(2));
    if (!more) {
      if (pos_ < buf_.size() && buf_.find_first_not_of("\r\n", pos_) != std::string::npos) {
        Warn("the file ends with stray bytes after the last record");
      }
      return std::optional<WarcRecord>();
    }
    if (buf_[pos_] == '\r' || buf_[pos_] == '\n') {
      ++pos_;
      ++consumed_;
      continue;
    }
    break;
  }
  ASSIGN_OR_RETURN(bool have, FillBuffer(5));
  if (!have || buf_.compare(pos_, 5, "WARC/") != 0) {
    if (records_ == 0) return absl::InvalidArgumentError("not a WARC file (no WARC/1.x header)");
    Warn(StrCat("bytes at offset ", consumed_, " are not a WARC record; skipped to the next one"));
    ASSIGN_OR_RETURN(bool found, Resync());
    if (!found) return std::optional<WarcRecord>();
  }
  WarcRecord rec;
  rec.offset = consumed_;
  // The header block ends with an empty line.
  size_t end;
  while (true) {
    end = buf_.find("\r\n\r\n", pos_);
    size_t lf = buf_.find("\n\n", pos_);
    if (lf != std::string::npos && (end == std::string::npos || lf < end)) end = lf;
    if (end != std::string::npos) break;
    if (buf_.size() - pos_ > kMaxHeaderBytes) {
      return absl::InvalidArgumentError(StrCat("WARC record at offset ", rec.offset,
                                               " has a header block larger than 1 MiB"));
    }
    ASSIGN_OR_RETURN(bool got, FillBuffer(buf_.size() - pos_ + kChunk));
    if (!got && eof_) {
      Warn(StrCat("the WARC file ends inside the header of the record at offset ", rec.offset));
      consumed_ += buf_.size() - pos_;
      pos_ = buf_.size();
      return std::optional<WarcRecord>();
    }
  }
  std::string_view head(buf_.data() + pos_, end - pos_);
  size_t head_len = end - pos_ + (buf_[end] == '\r' ? 4 : 2);
  size_t nl = head.find('\n');
  std::string_view first = head.substr(0, nl);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  rec.version = std::string(first);
  std::string last_name;
  size_t p = nl == std::string_view::npos ? head.size() : nl + 1;
  while (p < head.size()) {
    size_t e = head.find('\n', p);
    if (e == std::string_view::npos) e = head.size();
    std::string_view line = head.substr(p, e - p);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    p = e + 1;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !last_name.empty()) {
      rec.fields[last_name] += StrCat(" ", absl::StripAsciiWhitespace(std::string(line)));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    last_name = absl::AsciiStrToLower(std::string(line.substr(0, colon)));
    rec.fields[last_name] =
        std::string(absl::StripAsciiWhitespace(std::string(line.substr(colon + 1))));
  }
  pos_ += head_len;
  consumed_ += head_len;
  ++records_;
  uint64_t length = 0;
  if (!absl::SimpleAtoi(rec.Field("content-length"), &length)) {
    Warn(StrCat("WARC record at offset ", rec.offset, " has no valid Content-Length; skipped"));
    ASSIGN_OR_RETURN(bool found, Resync());
    (void)found;
    rec.truncated = true;
    return std::optional<WarcRecord>(std::move(rec));
  }
  rec.content_length = length;
  // The block, kept up to max_block_.
  uint64_t keep = std::min<uint64_t>(length, max_block_);
  rec.block.reserve(std::min<uint64_t>(keep, 64ull << 20));
  while (rec.block.size() < keep) {
    if (pos_ >= buf_.size()) {
      ASSIGN_OR_RETURN(bool got, FillBuffer(1));
      if (!got) break;
    }
    size_t k = std::min<uint64_t>(keep - rec.block.size(), buf_.size() - pos_);
    rec.block.append(buf_, pos_, k);
    pos_ += k;
    consumed_ += k;
  }
  bool complete = rec.block.size() == keep;
  if (complete && length > keep) {
    rec.truncated = true;
    ASSIGN_OR_RETURN(complete, SkipTo(length - keep));
  }
  if (!complete) {
    rec.truncated = true;
    Warn(StrCat("the WARC file ends inside the record at offset ", rec.offset,
                " (Content-Length ", length, ")"));
    return std::optional<WarcRecord>(std::move(rec));
  }
  // Two line breaks end the record; anything else means a wrong length.
  ASSIGN_OR_RETURN(bool tail, FillBuffer(4));
  (void)tail;
  std::string_view after(buf_.data() + pos_, std::min<size_t>(4, buf_.size() - pos_));
  size_t crlf = 0;
  if (after.substr(0, 4) == "\r\n\r\n") {
    crlf = 4;
  } else if (after.substr(0, 2) == "\n\n") {
    crlf = 2;
  }
  if (crlf > 0 || after.empty()) {
    pos_ += crlf;
    consumed_ += crlf;
    return std::optional<WarcRecord>(std::move(rec));
  }
  Warn(StrCat("the record at offset ", rec.offset, " is not followed by a record end: its "
              "Content-Length (", length, ") looks wrong"));
  rec.truncated = true;
  ASSIGN_OR_RETURN(bool found, Resync());
  (void)found;
  return std::optional<WarcRecord>(std::move(rec));
}

}  // namespace uncut
