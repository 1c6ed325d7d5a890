#include "extract/mail_message.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "extract/charset.h"
#include "extract/gmime_handles.h"
#include "extract/html.h"
#include "extract/transfer_decode.h"

namespace uncut {
namespace {

constexpr int kMaxMimeDepth = 32;
constexpr size_t kMaxWarnings = 20;

std::string Str(const char* s) { return s ? std::string(s) : std::string(); }

std::string Lower(const char* s) { return absl::AsciiStrToLower(Str(s)); }

std::string AddressList(InternetAddressList* list) {
  if (list == nullptr || internet_address_list_length(list) == 0) return "";
  GCharPtr s(internet_address_list_to_string(list, nullptr, FALSE));
  return Str(s.get());
}

const char* ParserWarningName(GMimeParserWarning w) {
  switch (w) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "the message is truncated";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "the message is malformed";
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "a multipart holds no parts";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "a multipart has no boundary";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME parts are nested too deep";
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "a header has an invalid name";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "a MIME part has neither headers nor content";
    default:
      return nullptr;  // minor: not worth a warning
  }
}

void OnParserWarning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
  auto* warnings = static_cast<std::map<std::string, int64_t>*>(data);
  if (const char* what = ParserWarningName(code)) warnings->emplace(what, offset);
}

// Appends `piece` (whose map already points into the message) to `sink`.
void AppendText(const ExtractedText& piece, ExtractedText* out, OffsetMapBuilder* map) {
  uint64_t base = out->text.size();
  for (const OffsetMap::Run& r : piece.map.runs()) {
    if (r.verbatim) {
      map->Copy(r.text_len, r.source_start);
    } else {
      map->Replace(r.text_len, r.source_start, r.source_len);
    }
  }
  out->text += piece.text;
  for (const Anchor& a : piece.anchors) {
    out->anchors.push_back({base + a.text_offset, a.kind, a.value});
  }
}

// Quote depth of a plain-text line: the number of '>' before its text.
int QuoteLevel(std::string_view line) {
  int level = 0;
  for (char c : line) {
    if (c == '>') {
      ++level;
    } else if (c != ' ' && c != '\t') {
      break;
    }
  }
  return level;
}

// Anchors of kind "quoted" where quoted blocks begin and end.
void MarkQuotes(ExtractedText* t) {
  int prev = 0;
  size_t pos = 0;
  const std::string& s = t->text;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t end = nl == std::string::npos ? s.size() : nl;
    std::string_view line(s.data() + pos, end - pos);
    bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    int level = blank ? prev : QuoteLevel(line);
    if (level != prev) {
      if (level > 0) {
        t->anchors.push_back({pos, "quoted", {{"level", level}}});
      } else {
        t->anchors.push_back({pos, "quoted", false});
      }
      prev = level;
    }
    pos = end + 1;
  }
}

bool IsDocumentAttachment(const std::string& type, const std::string& name) {
  if (type == "text/plain" || type == "text/html" || type == "application/pdf" ||
      type == "application/x-pdf" || type == "message/rfc822" || type == "text/vtt" ||
      type == "application/x-subrip" || type == "application/xhtml+xml" ||
      type == "text/markdown") {
    return true;
  }
  std::string ext = Extension(name);
  return ext == "txt" || ext == "md" || ext == "html" || ext == "htm" || ext == "pdf" ||
         ext == "eml" || ext == "srt" || ext == "vtt" || ext == "mbox";
}

std::string ExtensionFor(const std::string& type) {
  if (type == "text/html") return ".html";
  if (type == "application/pdf" || type == "application/x-pdf") return ".pdf";
  if (type == "message/rfc822") return ".eml";
  if (type == "text/vtt") return ".vtt";
  if (type == "application/x-subrip") return ".srt";
  if (absl::StartsWith(type, "text/")) return ".txt";
  return ".bin";
}

// A file name from a message is a name only: no directories.
std::string SafeName(std::string name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (name == "." || name == "..") name.clear();
  return name;
}

class MessageWalker {
 public:
  MessageWalker(std::string_view bytes, const ExtractOptions& options)
      : bytes_(bytes), options_(options) {}

  void Walk(GMimeObject* obj, const std::string& path, int depth) {
    if (obj == nullptr) return;
    if (depth > kMaxMimeDepth) {
      Warn("MIME parts are nested too deep; the deepest were skipped");
      return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      int n = g_mime_multipart_get_count(mp);
      GMimeContentType* ct = g_mime_object_get_content_type(obj);
      std::string subtype = ct ? Lower(g_mime_content_type_get_media_subtype(ct)) : "";
      if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
        Warn("the message is encrypted; its body cannot be read");
        return;
      }
      if (subtype == "alternative") {
        WalkAlternative(mp, path, depth);
        return;
      }
      for (int i = 0; i < n; ++i) {
        Walk(g_mime_multipart_get_part(mp, i), Child(path, i + 1), depth + 1);
      }
      return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
      Attachment(obj, path, depth);
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    GMimePart* part = GMIME_PART(obj);
    std::string type = TypeOf(obj);
    std::string name = SafeName(Str(g_mime_part_get_filename(part)));
    bool attachment = g_mime_part_is_attachment(part) ||
                      (!name.empty() && !absl::StartsWith(type, "text/"));
    if (!attachment && absl::StartsWith(type, "text/") && type != "text/calendar" &&
        type != "text/x-vcard" && type != "text/vcard" && type != "text/rtf") {
      BodyPart(part, path, type);
      return;
    }
    Attachment(obj, path, depth);
  }

  // The body pieces, each mapped into the message's bytes.
  std::vector<ExtractedText>& body() { return body_; }
  std::vector<ChildDocument>& attachments() { return attachments_; }
  nlohmann::json& listed() { return listed_; }
  nlohmann::json& parts() { return parts_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  static std::string Child(const std::string& path, int i) {
    return path.empty() ? StrCat(i) : StrCat(path, ".", i);
  }

  static std::string TypeOf(GMimeObject* obj) {
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    if (ct == nullptr) return "text/plain";
    return StrCat(Lower(g_mime_content_type_get_media_type(ct)), "/",
                  Lower(g_mime_content_type_get_media_subtype(ct)));
  }

  void Warn(std::string w) {
    if (warnings_.size() < kMaxWarnings) warnings_.push_back(std::move(w));
  }

  // Prefers text/plain unless it is nearly empty; then HTML; then anything.
  void WalkAlternative(GMimeMultipart* mp, const std::string& path, int depth) {
    int n = g_mime_multipart_get_count(mp);
    int plain = -1, html = -1, other = -1;
    for (int i = 0; i < n; ++i) {
      GMimeObject* p = g_mime_multipart_get_part(mp, i);
      std::string type = TypeOf(p);
      if (type == "text/plain" && plain < 0) {
        plain = i;
      } else if (type == "text/html" && html < 0) {
        html = i;
      } else if (GMIME_IS_MULTIPART(p) && other < 0) {
        other = i;
      }
    }
    if (plain >= 0) {
      size_t before = body_.size();
      Walk(g_mime_multipart_get_part(mp, plain), Child(path, plain + 1), depth + 1);
      bool substantial = body_.size() > before && body_.back().text.size() >= 16;
      if (substantial || html < 0) return;
      body_.resize(before);
    }
    int pick = html >= 0 ? html : other >= 0 ? other : (n > 0 ? n - 1 : -1);
    if (pick >= 0) Walk(g_mime_multipart_get_part(mp, pick), Child(path, pick + 1), depth + 1);
  }

  // The part's encoded content as a span of the message, or false when
  // GMime holds it elsewhere.
  bool ContentSpan(GMimePart* part, uint64_t* begin, uint64_t* end) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return false;
    GMimeStream* s = g_mime_data_wrapper_get_stream(content);
    if (s == nullptr || s->bound_start < 0) return false;
    int64_t e = s->bound_end < 0 ? static_cast<int64_t>(bytes_.size()) : s->bound_end;
    if (e < s->bound_start || static_cast<uint64_t>(e) > bytes_.size()) return false;
    *begin = s->bound_start;
    *end = e;
    return true;
  }

  // Encoded content bytes of a part and where they start in the message
  // (UINT64_MAX when they are not a span of it).
  std::string_view RawContent(GMimePart* part, std::string* holder, uint64_t* where) {
    uint64_t b, e;
    if (ContentSpan(part, &b, &e)) {
      *where = b;
      return bytes_.substr(b, e - b);
    }
    *where = UINT64_MAX;
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return {};
    GObjectPtr<GMimeStream> mem(g_mime_stream_mem_new());
    GMimeStream* src = g_mime_data_wrapper_get_stream(content);
    if (src == nullptr) return {};
    g_mime_stream_reset(src);
    g_mime_stream_write_to_stream(src, mem.get());
    GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
    holder->assign(reinterpret_cast<const char*>(arr->data), arr->len);
    return *holder;
  }

  void BodyPart(GMimePart* part, const std::string& path, std::string type) {
    std::string holder;
    uint64_t where;
    std::string_view raw = RawContent(part, &holder, &where);
    GMimeContentEncoding enc = g_mime_part_get_content_encoding(part);
    TransferDecoded td = DecodeTransfer(raw, enc);
    std::string label = Str(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset"));
    nlohmann::json info = {{"part", path.empty() ? "1" : path}, {"type", type}};
    if (enc != GMIME_CONTENT_ENCODING_DEFAULT) {
      info["encoding"] = Str(g_mime_content_encoding_to_string(enc));
    }
    if (!label.empty()) info["charset_label"] = label;
    auto decoded = DecodeLabeledText(td.bytes, label, options_.charset);
    if (!decoded.ok()) {
      Warn(StrCat("part ", info["part"].get<std::string>(), " (", type,
                  ") is not readable text: ", decoded.status().message()));
      return;
    }
    info["charset"] = decoded->charset;
    for (const std::string& w : decoded->warnings) {
      Warn(StrCat("part ", info["part"].get<std::string>(), ": ", w));
    }
    OffsetMap to_message =
        where == UINT64_MAX
            ? OffsetMap({{0, 0, static_cast<uint32_t>(std::min<uint64_t>(td.bytes.size(), UINT32_MAX)),
                          static_cast<uint32_t>(bytes_.size()), false}})
            : ShiftOffsetMap(td.map, where);
    OffsetMap map = ComposeOffsetMaps(decoded->map, to_message);
    ExtractedText piece;
    if (type == "text/html") {
      auto html = ExtractHtmlUtf8(decoded->utf8, map);
      if (!html.ok()) {
        Warn(StrCat("part ", info["part"].get<std::string>(), ": ", html.status().message()));
        return;
      }
      piece = std::move(html->text);
    } else {
      piece.text = std::move(decoded->utf8);
      piece.map = std::move(map);
      MarkQuotes(&piece);
    }
    piece.anchors.insert(piece.anchors.begin(), {0, "part", info["part"]});
    parts_.push_back(std::move(info));
    if (piece.text.find_first_not_of(" \t\r\n") == std::string::npos) return;
    body_.push_back(std::move(piece));
  }

  void Attachment(GMimeObject* obj, const std::string& path, int depth) {
    std::string type = TypeOf(obj);
    std::string name;
    std::string bytes;
    if (GMIME_IS_MESSAGE_PART(obj)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
      if (inner == nullptr) return;
      GCharPtr s(g_mime_object_to_string(GMIME_OBJECT(inner), nullptr));
      bytes = Str(s.get());
      std::string subject = Str(g_mime_message_get_subject(inner));
      name = SafeName(subject.empty() ? "" : subject + ".eml");
    } else {
      GMimePart* part = GMIME_PART(obj);
      name = SafeName(Str(g_mime_part_get_filename(part)));
      std::string holder;
      uint64_t where;
      std::string_view raw = RawContent(part, &holder, &where);
      bytes = DecodeTransfer(raw, g_mime_part_get_content_encoding(part)).bytes;
    }
    if (name.empty()) name = StrCat("part ", path.empty() ? "1" : path, ExtensionFor(type));
    nlohmann::json listed = {{"name", name}, {"type", type}, {"size", bytes.size()},
                             {"part", path.empty() ? "1" : path}};
    bool document = IsDocumentAttachment(type, name);
    listed["kept"] = document;
    listed_.push_back(listed);
    if (!document) return;
    ChildDocument child;
    child.name = name;
    child.format = Extension(name);
    child.info = {{"part", listed["part"]}, {"content_type", type}};
    if (options_.depth + 1 > kMaxContainerDepth) {
      child.info["error"] = "nested too deep to read";
    } else {
      ChildVector nested;
      ExtractOptions eo;
      eo.charset = options_.charset;
      eo.max_text_bytes = options_.max_text_bytes;
      eo.depth = options_.depth + 1;
      eo.children = &nested;
      if (!GMIME_IS_MESSAGE_PART(obj)) {
        eo.declared_charset = Str(g_mime_object_get_content_type_parameter(obj, "charset"));
      }
      auto ex = ExtractDocument(name, bytes, eo);
      if (ex.ok()) {
        child.format = ex->format;
        child.kind = ex->kind;
        for (auto& [k, v] : ex->info.items()) child.info[k] = v;
        if (ex->info.contains("title") && ex->info["title"].is_string()) {
          child.title = ex->info["title"].get<std::string>();
        }
        if (ex->kind == "text") child.text = std::move(ex->text);
        child.children = std::move(nested.children);
      } else {
        child.info["error"] = std::string(ex.status().message());
        Warn(StrCat("attachment \"", name, "\" kept without text: ", ex.status().message()));
      }
    }
    child.decoded = std::move(bytes);
    attachments_.push_back(std::move(child));
    (void)depth;
  }

  std::string_view bytes_;
  const ExtractOptions& options_;
  std::vector<ExtractedText> body_;
  std::vector<ChildDocument> attachments_;
  nlohmann::json listed_ = nlohmann::json::array();
  nlohmann::json parts_ = nlohmann::json::array();
  std::vector<std::string> warnings_;
};

std::string FormatDate(GMimeMessage* m) {
  GDateTime* d = g_mime_message_get_date(m);  // owned by the message
  if (d == nullptr) return "";
  GCharPtr s(g_date_time_format(d, "%Y-%m-%dT%H:%M:%S%:z"));
  return Str(s.get());
}

}  // namespace

absl::StatusOr<ParsedMessage> ParseMessage(std::string_view bytes, const ExtractOptions& options,
                                           int index) {
  EnsureGMime();
  if (bytes.size() > kMaxMessageBytes) {
    return absl::ResourceExhaustedError(
        StrCat("message too large to read (", bytes.size(), " bytes)"));
  }
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  std::unique_ptr<GMimeParserOptions, ParserOptionsFree> popts(g_mime_parser_options_new());
  const char* fallback[] = {"UTF-8", "windows-1252", nullptr};
  g_mime_parser_options_set_fallback_charsets(popts.get(), fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(popts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  std::map<std::string, int64_t> parser_warnings;
  g_mime_parser_options_set_warning_callback(popts.get(), OnParserWarning, &parser_warnings);
  GObjectPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), popts.get()));
  if (msg == nullptr) return absl::InvalidArgumentError("not an e-mail message (no headers)");
  GMimeObject* mobj = GMIME_OBJECT(msg.get());
  GMimeHeaderList* headers = g_mime_object_get_header_list(mobj);
  if (headers == nullptr || g_mime_header_list_get_count(headers) == 0) {
    return absl::InvalidArgumentError("not an e-mail message (no headers)");
  }

  ParsedMessage out;
  Extraction& ex = out.extraction;
  ex.format = "eml";
  nlohmann::json h = nlohmann::json::object();
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) h[key] = v;
  };
  put("from", AddressList(g_mime_message_get_from(msg.get())));
  put("to", AddressList(g_mime_message_get_to(msg.get())));
  put("cc", AddressList(g_mime_message_get_cc(msg.get())));
  put("date", FormatDate(msg.get()));
  put("date_header", Str(g_mime_object_get_header(mobj, "Date")));
  put("subject", Str(g_mime_message_get_subject(msg.get())));
  put("message_id", Str(g_mime_message_get_message_id(msg.get())));
  put("in_reply_to", Str(g_mime_object_get_header(mobj, "In-Reply-To")));
  if (h.contains("subject")) out.subject = h["subject"].get<std::string>();

  MessageWalker walker(bytes, options);
  walker.Walk(g_mime_message_get_mime_part(msg.get()), "", 0);
  for (const auto& [what, offset] : parser_warnings) {
    walker.warnings().insert(walker.warnings().begin(), StrCat(what, " (at byte ", offset, ")"));
  }

  // The "message" anchor: who wrote to whom, when, about what.
  nlohmann::json anchor = h;
  anchor.erase("date_header");
  anchor.erase("in_reply_to");
  if (index > 0) anchor["number"] = index;
  ExtractedText& text = ex.text;
  OffsetMapBuilder map;
  text.anchors.push_back({0, "message", anchor});
  bool several = walker.body().size() > 1;
  for (ExtractedText& piece : walker.body()) {
    if (!text.text.empty()) {
      uint64_t at = piece.map.runs().empty() ? 0 : piece.map.runs().front().source_start;
      map.Replace(2, at, 0);
      text.text += "\n\n";
    }
    if (!several) std::erase_if(piece.anchors, [](const Anchor& a) { return a.kind == "part"; });
    AppendText(piece, &text, &map);
  }
  text.map = std::move(map).Build();
  ex.info["headers"] = h;
  if (!walker.parts().empty()) ex.info["body_parts"] = walker.parts();
  if (!walker.listed().empty()) ex.info["attachments"] = walker.listed();
  if (out.subject) ex.info["title"] = *out.subject;
  if (text.text.empty()) walker.warnings().push_back("no readable body text");
  if (!walker.warnings().empty()) ex.info["warnings"] = walker.warnings();
  out.attachments = std::move(walker.attachments());
  return out;
}

}  // namespace uncut
