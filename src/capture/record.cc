#include "capture/record.h"

#include "base/strings.h"

namespace uncut {

absl::StatusOr<nlohmann::json> ItemCaptureRecord(CatalogReader& catalog, const Item& item) {
  auto blob = catalog.LoadBlob(item.id, kCaptureBlob);
  if (!blob.ok()) return blob.status();
  if (!*blob) return nlohmann::json();
  nlohmann::json record = nlohmann::json::parse(**blob, nullptr, false);
  if (!record.is_object()) {
    return absl::DataLossError(StrCat("item ", item.id, ": its capture record is not JSON"));
  }
  return record;
}

std::vector<std::pair<std::string, std::string>> CaptureRecordLines(const nlohmann::json& record) {
  std::vector<std::pair<std::string, std::string>> lines;
  if (!record.is_object()) return lines;
  auto text = [&](const char* key) -> std::string {
    if (!record.contains(key)) return "";
    const nlohmann::json& v = record[key];
    return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  };
  auto line = [&](const char* label, std::string value) {
    if (!value.empty()) lines.push_back({label, std::move(value)});
  };
  line("captured by", text("tool"));
  line("uploader", text("uploader"));
  line("upload date", text("upload_date"));
  std::string platform = text("extractor");
  if (!text("platform_id").empty()) platform += StrCat(platform.empty() ? "" : " ", "id ", text("platform_id"));
  line("platform", platform);
  line("original url", text("original_url"));
  line("webpage url", text("webpage_url"));
  line("media url", text("media_url"));
  auto link = [&](const char* key, const char* label) {
    if (!record.contains(key) || !record[key].is_object()) return;
    const nlohmann::json& l = record[key];
    std::string s = StrCat("item ", l.value("id", int64_t{0}));
    std::string url = l.value("url", ""), at = l.value("captured_at", "");
    if (!url.empty()) s += StrCat(" (", url, ")");
    if (!at.empty()) s += StrCat(" (captured at ", at, ")");
    line(label, s);
  };
  link("embedded_in", "embedded in");
  link("recapture_of", "recapture of");
  link("rendered_from", "rendered from");
  if (record.contains("response_headers") && record["response_headers"].is_object()) {
    std::string headers;
    for (const auto& [k, v] : record["response_headers"].items()) {
      headers += StrCat(headers.empty() ? "" : "; ", k, ": ", v.is_string() ? v.get<std::string>() : v.dump());
    }
    line("http headers", headers);
  }
  return lines;
}

}  // namespace uncut
