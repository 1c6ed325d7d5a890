#include "ingest/media_links.h"

#include "absl/strings/ascii.h"
#include "base/status_macros.h"

namespace uncut {
namespace {

bool IsSubtitle(const Item& it) { return it.format == "srt" || it.format == "vtt"; }
bool IsMedia(const Item& it) { return it.kind == "video" || it.kind == "audio"; }

// "en", "fa", "pt-BR", "zh_Hant": a short language tag.
bool LooksLikeLanguageTag(std::string_view s) {
  if (s.size() < 2 || s.size() > 8) return false;
  for (char c : s) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return absl::ascii_isalpha(static_cast<unsigned char>(s[0])) &&
         absl::ascii_isalpha(static_cast<unsigned char>(s[1])) &&
         (s.size() == 2 || s.size() == 3 || s[2] == '-' || s[2] == '_');
}

}  // namespace

std::string MediaStem(std::string_view name) {
  size_t slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) name = name.substr(0, dot);
  dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0 && LooksLikeLanguageTag(name.substr(dot + 1))) {
    name = name.substr(0, dot);
  }
  return absl::AsciiStrToLower(std::string(name));
}

absl::Status LinkMediaCompanions(WriteBatch* batch, Item* item) {
  bool subtitle = IsSubtitle(*item);
  if (!subtitle && !IsMedia(*item)) return absl::OkStatus();
  std::string stem = MediaStem(item->name);
  // SQLite's LIKE ignores ASCII case, as MediaStem lower-cases.
  ASSIGN_OR_RETURN(std::vector<Item> items, batch->archive()->ItemsNamedLike(stem));
  for (Item& p : batch->PendingItems()) items.push_back(std::move(p));
  nlohmann::json links = nlohmann::json::array();
  for (const Item& other : items) {
    if (other.id == item->id) continue;
    if (subtitle ? !IsMedia(other) : !IsSubtitle(other)) continue;
    if (MediaStem(other.name) != stem) continue;
    links.push_back({{"id", other.id}, {"name", other.name}, {"sha256", other.sha256}});
  }
  if (!links.empty()) item->info[subtitle ? "media" : "subtitles"] = std::move(links);
  return absl::OkStatus();
}

}  // namespace uncut
