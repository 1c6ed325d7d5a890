#include "proof/item_timestamps.h"

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {

absl::StatusOr<TsaOptions> ConfiguredTsa(Archive* archive) {
  TsaOptions tsa;
  ASSIGN_OR_RETURN(std::optional<std::string> url, archive->Setting(kTsaSetting));
  if (!url) return tsa;
  tsa.url = *url;
  ASSIGN_OR_RETURN(std::optional<std::string> ca, archive->Setting(kTsaCaSetting));
  tsa.ca_file = ca.value_or("");
  return tsa;
}

absl::StatusOr<TsaOptions> ConfiguredTsa(PgArchive* archive) {
  TsaOptions tsa;
  ASSIGN_OR_RETURN(auto settings, archive->Settings());
  auto url = settings.find(kTsaSetting);
  if (url == settings.end()) return tsa;
  tsa.url = url->second;
  auto ca = settings.find(kTsaCaSetting);
  if (ca != settings.end()) tsa.ca_file = ca->second;
  return tsa;
}

namespace {

// `given` when it names an authority, else `configured` with what `given`
// sets beside it.
TsaOptions Chosen(const TsaOptions& given, TsaOptions configured) {
  if (!given.url.empty()) return given;
  if (!given.ca_file.empty()) configured.ca_file = given.ca_file;
  configured.connect_timeout = given.connect_timeout;
  configured.read_timeout = given.read_timeout;
  return configured;
}

}  // namespace

absl::StatusOr<TsaOptions> ChooseTsa(Archive* archive, const TsaOptions& given) {
  if (!given.url.empty()) return given;
  ASSIGN_OR_RETURN(TsaOptions tsa, ConfiguredTsa(archive));
  return Chosen(given, std::move(tsa));
}

absl::StatusOr<TsaOptions> ChooseTsa(PgArchive* archive, const TsaOptions& given) {
  if (!given.url.empty()) return given;
  ASSIGN_OR_RETURN(TsaOptions tsa, ConfiguredTsa(archive));
  return Chosen(given, std::move(tsa));
}

absl::Status StampQueuedItem(WriteBatch* batch, const Item& item, const TsaOptions& tsa) {
  ASSIGN_OR_RETURN(std::string token, RequestTimestamp(tsa, item.sha256));
  return batch->AddBlob(item.id, kTimestampBlob, std::move(token));
}

absl::StatusOr<std::optional<std::string>> ItemTimestampToken(CatalogReader& catalog,
                                                              const Item& item) {
  return catalog.LoadBlob(item.id, kTimestampBlob);
}

absl::StatusOr<TimestampCheck> VerifyItemTimestamps(CatalogReader& catalog,
                                                    const std::string& ca_file) {
  TimestampCheck out;
  ASSIGN_OR_RETURN(std::vector<Item> items, catalog.ListItems());
  for (const Item& item : items) {
    ASSIGN_OR_RETURN(std::optional<std::string> token, ItemTimestampToken(catalog, item));
    if (!token) continue;
    ++out.checked;
    auto info = VerifyTimestamp(*token, item.sha256, ca_file);
    if (info.ok()) continue;
    if (absl::IsInvalidArgument(info.status())) return info.status();  // an unusable CA file
    out.problems.push_back({StrCat("item ", item.id, " (", item.name, ")"),
                            StrCat("timestamp: ", info.status().message())});
  }
  return out;
}

}  // namespace uncut
