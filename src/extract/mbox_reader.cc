#include "extract/mbox_reader.h"

#include "absl/strings/ascii.h"

namespace uncut {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view LineAt(std::string_view s, uint64_t start) {
  if (start >= s.size()) return {};
  size_t nl = s.find('\n', start);
  return s.substr(start, (nl == std::string_view::npos ? s.size() : nl) - start);
}

// "Name: value" (or a header name followed by optional space and a colon).
bool LooksLikeHeader(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 76) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = line[i];
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

// A time of day (h:mm or hh:mm) and a four-digit year after the sender.
bool LooksLikeFromLine(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 5) != "From ") return false;
  bool time = false, year = false;
  for (size_t i = 5; i + 2 < line.size(); ++i) {
    if (line[i] == ':' && i >= 1 && IsDigit(line[i - 1]) && IsDigit(line[i + 1]) &&
        IsDigit(line[i + 2])) {
      time = true;
    }
  }
  for (size_t i = 5; i + 4 <= line.size(); ++i) {
    bool edge_before = i == 0 || !IsDigit(line[i - 1]);
    bool edge_after = i + 4 == line.size() || !IsDigit(line[i + 4]);
    if (edge_before && edge_after && IsDigit(line[i]) && IsDigit(line[i + 1]) &&
        IsDigit(line[i + 2]) && IsDigit(line[i + 3]) && (line[i] == '1' || line[i] == '2')) {
      year = true;
    }
  }
  return time && year;
}

}  // namespace

bool IsMboxSeparator(std::string_view mbox, uint64_t line_start) {
  if (line_start >= mbox.size()) return false;
  if (line_start > 0) {
    // Must follow a blank line ("\n\n" or "\n\r\n"), or start the file.
    if (mbox[line_start - 1] != '\n') return false;
    uint64_t prev_end = line_start - 1;
    uint64_t prev_start = mbox.rfind('\n', prev_end == 0 ? 0 : prev_end - 1);
    prev_start = (prev_start == std::string_view::npos || prev_end == 0) ? 0 : prev_start + 1;
    std::string_view prev = mbox.substr(prev_start, prev_end - prev_start);
    if (!prev.empty() && prev != "\r") return false;
  }
  std::string_view line = LineAt(mbox, line_start);
  if (!LooksLikeFromLine(line)) return false;
  uint64_t next = line_start + line.size() + 1;
  return LooksLikeHeader(LineAt(mbox, next));
}

uint64_t MboxReader::FindSeparator(uint64_t from) const {
  if (from == 0 && IsMboxSeparator(mbox_, 0)) return 0;
  uint64_t p = from;
  while (true) {
    size_t hit = mbox_.find("\nFrom ", p == 0 ? 0 : p - 1);
    if (hit == std::string_view::npos) return mbox_.size();
    if (hit + 1 >= from && IsMboxSeparator(mbox_, hit + 1)) return hit + 1;
    p = hit + 2;
  }
}

std::optional<MboxMessage> MboxReader::Next() {
  if (!started_) {
    started_ = true;
    pos_ = FindSeparator(0);
    skipped_prefix_ = pos_;
  }
  if (pos_ >= mbox_.size()) return std::nullopt;
  MboxMessage m;
  m.separator_offset = pos_;
  std::string_view from_line = LineAt(mbox_, pos_);
  m.offset = std::min<uint64_t>(mbox_.size(), pos_ + from_line.size() + 1);
  uint64_t next = FindSeparator(m.offset);
  uint64_t end = next;
  // The blank line before the next separator belongs to the mailbox format.
  if (next < mbox_.size()) {
    if (end > m.offset && mbox_[end - 1] == '\n') --end;
    if (end > m.offset && mbox_[end - 1] == '\r') --end;
  }
  m.size = end - m.offset;
  pos_ = next;
  return m;
}

}  // namespace uncut
