#include "extract/capture_reader.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/http_payload.h"
#include "extract/warc.h"

namespace uncut {
namespace {

constexpr uint64_t kRevisitCacheBytes = 64ull << 20;
constexpr size_t kMaxWarnings = 20;

// The document kind of a payload: "html", "txt", "pdf", "video", "audio", or "".
std::string Classify(const std::string& media_type, std::string_view payload) {
  if (media_type == "text/html" || media_type == "application/xhtml+xml") return "html";
  if (media_type == "text/plain" || media_type == "text/markdown") return "txt";
  if (media_type == "application/pdf" || media_type == "application/x-pdf") return "pdf";
  if (media_type == "text/vtt" || media_type == "application/x-subrip") return "vtt";
  if (absl::StartsWith(media_type, "video/")) return "video";
  if (absl::StartsWith(media_type, "audio/")) return "audio";
  if (media_type.empty() || media_type == "application/octet-stream") {
    if (payload.substr(0, 5) == "%PDF-") return "pdf";
    std::string head = absl::AsciiStrToLower(std::string(payload.substr(0, 512)));
    if (absl::StrContains(head, "<html") || absl::StrContains(head, "<!doctype html")) {
      return "html";
    }
  }
  return "";
}

std::string MediaExtension(const std::string& media_type) {
  size_t slash = media_type.find('/');
  std::string sub = slash == std::string::npos ? "" : media_type.substr(slash + 1);
  if (sub == "mpeg" && absl::StartsWith(media_type, "audio/")) return "mp3";
  if (sub == "quicktime") return "mov";
  if (sub == "x-matroska") return "mkv";
  std::string out;
  for (char c : sub) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out.empty() ? "bin" : out;
}

}  // namespace

void CaptureReader::Warn(std::string w) {
  if (warnings_.size() < kMaxWarnings) warnings_.push_back(std::move(w));
}

nlohmann::json CaptureReader::Stats() const {
  nlohmann::json j = {{"records", records_}, {"captures_kept", children_}};
  if (skipped_status_ > 0) j["responses_not_2xx"] = skipped_status_;
  if (!skipped_types_.empty()) j["payloads_not_kept"] = skipped_types_;
  if (revisits_missed_ > 0) j["revisits_not_resolved"] = revisits_missed_;
  return j;
}

absl::Status CaptureReader::ReadAll(ByteReader* in, bool gzip) {
  std::unique_ptr<GzipReader> gz;
  ByteReader* src = in;
  if (gzip) {
    gz = std::make_unique<GzipReader>(in);
    src = gz.get();
  }
  WarcReader reader(src, kMaxCaptureBytes);
  absl::Status failure;
  while (true) {
    auto rec = reader.Next();
    if (!rec.ok()) {
      failure = rec.status();
      break;
    }
    if (!rec->has_value()) break;
    ++records_;
    RETURN_IF_ERROR(Record(**rec, gz ? gz->member_offset() : UINT64_MAX));
  }
  for (const std::string& w : reader.warnings()) Warn(w);
  if (!failure.ok()) {
    // Damaged compression or data that is not WARC: fatal before the first
    // record, a warning after it (what was read stays).
    if (records_ == 0) return failure;
    Warn(StrCat("reading stopped after ", records_, " records: ", failure.message()));
  }
  return absl::OkStatus();
}

void CaptureReader::Remember(const WarcRecord& rec, const Payload& p) {
  std::string digest = rec.Field("warc-payload-digest");
  if (digest.empty()) return;
  std::string id = rec.Field("warc-record-id");
  if (!id.empty()) digest_of_record_[id] = digest;
  if (by_digest_.count(digest)) return;
  by_digest_[digest] = p;
  cache_order_.push_back(digest);
  cache_bytes_ += p.bytes->size();
  while (cache_bytes_ > kRevisitCacheBytes && !cache_order_.empty()) {
    auto it = by_digest_.find(cache_order_.front());
    if (it != by_digest_.end()) {
      cache_bytes_ -= it->second.bytes->size();
      by_digest_.erase(it);
    }
    cache_order_.pop_front();
  }
}

absl::Status CaptureReader::Record(const WarcRecord& rec, uint64_t gzip_member) {
  std::string type = absl::AsciiStrToLower(rec.Field("warc-type"));
  std::string uri = rec.Field("warc-target-uri");
  if (uri.size() >= 2 && uri.front() == '<' && uri.back() == '>') uri = uri.substr(1, uri.size() - 2);
  if (type != "response" && type != "resource" && type != "revisit") return absl::OkStatus();
  // Crawler logs and derived text ("metadata:", "urn:") are not captures.
  if (type == "resource" && (absl::StartsWith(uri, "metadata:") || absl::StartsWith(uri, "urn:"))) {
    return absl::OkStatus();
  }
  if (rec.truncated) {
    Warn(StrCat("the ", type, " record for ", uri, " is incomplete or too large; not kept"));
    return absl::OkStatus();
  }
  Payload p;
  p.uri = uri;
  p.date = rec.Field("warc-date");
  nlohmann::json extra = nlohmann::json::object();
  if (type == "revisit") {
    std::string digest = rec.Field("warc-payload-digest");
    std::string refers = rec.Field("warc-refers-to");
    if (digest.empty() && digest_of_record_.count(refers)) digest = digest_of_record_[refers];
    auto it = by_digest_.find(digest);
    if (it == by_digest_.end()) {
      ++revisits_missed_;
      return absl::OkStatus();
    }
    Payload original = it->second;
    original.uri = uri.empty() ? original.uri : uri;
    original.date = p.date;
    extra["revisit_of"] = {{"url", it->second.uri}, {"captured_at", it->second.date}};
    std::string profile = rec.Field("warc-profile");
    if (!profile.empty()) extra["revisit_profile"] = profile;
    return Emit(rec, original, gzip_member, std::move(extra));
  }
  ContentType ct;
  if (type == "response") {
    ContentType record_type = ParseContentType(rec.Field("content-type"));
    if (!absl::StartsWith(record_type.media_type, "application/http")) return absl::OkStatus();
    auto http = ParseHttpResponse(rec.block, kMaxCaptureBytes);
    if (!http.ok()) {
      Warn(StrCat("response for ", uri, ": ", http.status().message()));
      return absl::OkStatus();
    }
    if (http->status < 200 || http->status > 299) {
      ++skipped_status_;
      return absl::OkStatus();
    }
    ct = ParseContentType(http->Header("content-type"));
    extra["http_status"] = http->status;
    for (const std::string& w : http->warnings) Warn(StrCat(uri, ": ", w));
    p.bytes = std::make_shared<const std::string>(std::move(http->body));
  } else {
    ct = ParseContentType(rec.Field("content-type"));
    p.bytes = std::make_shared<const std::string>(rec.block);
  }
  p.media_type = ct.media_type;
  p.charset = ct.charset;
  Remember(rec, p);
  return Emit(rec, p, gzip_member, std::move(extra));
}

absl::Status CaptureReader::Emit(const WarcRecord& rec, const Payload& p, uint64_t gzip_member,
                                 nlohmann::json extra) {
  std::string kind = Classify(p.media_type, *p.bytes);
  if (kind.empty() || p.bytes->empty()) {
    ++skipped_types_[p.media_type.empty() ? "unknown" : p.media_type];
    return absl::OkStatus();
  }
  ChildDocument child;
  child.name = p.uri.empty() ? StrCat("record ", records_) : p.uri;
  child.source_url = p.uri.empty() ? std::nullopt : std::optional<std::string>(p.uri);
  if (!p.date.empty()) child.captured_at = p.date;
  child.info = std::move(extra);
  child.info["target_uri"] = p.uri;
  child.info["warc_date"] = p.date;
  child.info["warc_type"] = rec.Field("warc-type");
  std::string id = rec.Field("warc-record-id");
  if (!id.empty()) child.info["warc_record_id"] = id;
  if (!p.media_type.empty()) child.info["content_type"] = p.media_type;
  if (!warc_name_.empty()) child.info["warc"] = warc_name_;
  if (gzip_member != UINT64_MAX) {
    child.info["gzip_member_offset"] = gzip_member;
  } else {
    child.info["record_offset"] = rec.offset;
  }
  if (titles_ != nullptr) {
    auto t = titles_->find(p.uri);
    if (t != titles_->end()) child.title = t->second;
  }
  if (kind == "video" || kind == "audio") {
    child.kind = kind;
    child.format = MediaExtension(p.media_type);
  } else {
    ExtractOptions eo;
    eo.charset = options_.charset;
    eo.declared_charset = p.charset;
    eo.depth = options_.depth + 1;
    eo.max_text_bytes = options_.max_text_bytes;
    auto ex = ExtractDocument(StrCat("capture.", kind), *p.bytes, eo);
    child.format = kind;
    if (ex.ok()) {
      child.format = ex->format;
      for (auto& [k, v] : ex->info.items()) child.info[k] = v;
      if (!child.title && ex->info.contains("title") && ex->info["title"].is_string()) {
        child.title = ex->info["title"].get<std::string>();
      }
      ExtractedText text = std::move(ex->text);
      text.anchors.insert(text.anchors.begin(),
                          {0, "capture", {{"url", p.uri}, {"captured_at", p.date}}});
      child.text = std::move(text);
    } else {
      child.info["error"] = std::string(ex.status().message());
      Warn(StrCat(p.uri, ": kept without text: ", ex.status().message()));
    }
  }
  child.decoded = *p.bytes;
  ++children_;
  if (options_.children == nullptr) return absl::OkStatus();
  return options_.children->Add(std::move(child));
}

}  // namespace uncut
