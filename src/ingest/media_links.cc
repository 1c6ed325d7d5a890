#include "ingest/media_links.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "base/status_macros.h"
#include "storage/catalog_reader.h"

namespace uncut {
namespace {

bool IsSubtitle(const Item& it) { return it.format == "srt" || it.format == "vtt"; }
bool IsMedia(const Item& it) { return it.kind == "video" || it.kind == "audio"; }
// A transcript made by speech recognition or caption reading
// (IsTranscriptItem): linked to the one recording it transcribes, whatever
// its name.
bool IsMachineTranscript(const Item& it) { return IsTranscriptItem(it); }
int64_t TranscribedRecording(const Item& it) {
  const nlohmann::json& r = it.info["transcript"].value("recording", nlohmann::json());
  return r.is_object() ? r.value("id", int64_t{0}) : 0;
}

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

namespace {

nlohmann::json LinkTo(const Item& other) {
  return {{"id", other.id}, {"name", other.name}, {"sha256", other.sha256}};
}

// The links `item` should hold: every companion of the other kind among
// `items` (which may include item itself), in id order; a recording's
// machine transcripts come after its human subtitles, marked "machine".
nlohmann::json LinksOf(const Item& item, const std::string& stem, const std::vector<Item>& items) {
  bool subtitle = IsSubtitle(item);
  nlohmann::json links = nlohmann::json::array();
  nlohmann::json machine = nlohmann::json::array();
  for (const Item& other : items) {
    if (other.id == item.id) continue;
    if (subtitle ? !IsMedia(other) : !IsSubtitle(other)) continue;
    if (!subtitle && IsMachineTranscript(other)) {
      if (TranscribedRecording(other) != item.id) continue;
      nlohmann::json link = LinkTo(other);
      link["machine"] = true;
      machine.push_back(std::move(link));
      continue;
    }
    if (MediaStem(other.name) != stem) continue;
    links.push_back(LinkTo(other));
  }
  for (auto& m : machine) links.push_back(std::move(m));
  return links;
}

}  // namespace

absl::Status LinkMediaCompanions(WriteBatch* batch, Item* item) {
  bool subtitle = IsSubtitle(*item);
  if (!subtitle && !IsMedia(*item)) return absl::OkStatus();
  if (IsMachineTranscript(*item)) return absl::OkStatus();  // linked when made
  std::string stem = MediaStem(item->name);
  // SQLite's LIKE ignores ASCII case, as MediaStem lower-cases.
  ASSIGN_OR_RETURN(std::vector<Item> items, batch->archive()->ItemsNamedLike(stem));
  for (Item& p : batch->PendingItems()) items.push_back(std::move(p));
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.id < b.id; });
  const char* key = subtitle ? "media" : "subtitles";
  const char* other_key = subtitle ? "subtitles" : "media";
  nlohmann::json links = LinksOf(*item, stem, items);
  if (links.empty()) return absl::OkStatus();
  item->info[key] = links;
  // A companion archived or queued earlier learns of this item too, so the
  // link holds whichever of the two came first. Each update writes the
  // companion's whole list, so several in one batch agree. Only items with
  // an id can be named (a media item gets its id after linking; its
  // subtitles then name it when they come later).
  if (item->id == 0) return absl::OkStatus();
  // The companions' view of the archive, with this item as it is now (its
  // queued placeholder may not yet say what it is).
  std::vector<Item> all;
  for (const Item& it : items) {
    if (it.id != item->id) all.push_back(it);
  }
  all.push_back(*item);
  for (const Item& other : items) {
    if (other.id == item->id || other.id == 0) continue;
    if (subtitle ? !IsMedia(other) : !IsSubtitle(other)) continue;
    if (IsMachineTranscript(other)) continue;
    if (MediaStem(other.name) != stem) continue;
    nlohmann::json theirs = LinksOf(other, stem, all);
    if (other.info.is_object() && other.info.value(other_key, nlohmann::json()) == theirs) continue;
    nlohmann::json info = other.info.is_object() ? other.info : nlohmann::json::object();
    info[other_key] = std::move(theirs);
    RETURN_IF_ERROR(batch->Reindex(other.id, std::move(info), {}, {}));
  }
  return absl::OkStatus();
}

}  // namespace uncut
