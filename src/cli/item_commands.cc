// `list` and `search`: the archive's items, filtered, and found by their text.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "absl/time/time.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "report/trace_report.h"
#include "server/item_search.h"
#include "store/archive.h"

namespace uncut {
namespace {

// Which items `list` shows.
struct ListFilter {
  std::string kind;        // empty: any
  std::string since;       // RFC 3339 or YYYY-MM-DD; empty: any time
  std::string source_url;  // a prefix of the item's source URL; empty: any
  absl::Time since_time = absl::InfinitePast();
};

absl::Status ParseFilter(ListFilter* f) {
  absl::Status kind = server::CheckItemKind(f->kind);
  if (!kind.ok()) return absl::InvalidArgumentError(StrCat("--", kind.message()));
  if (!f->since.empty()) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, f->since, &f->since_time, &err) &&
        !absl::ParseTime("%Y-%m-%d", f->since, absl::UTCTimeZone(), &f->since_time, &err)) {
      return absl::InvalidArgumentError(
          StrCat("--since: \"", f->since, "\" is not a date (2024-05-01) or an RFC 3339 time"));
    }
  }
  return absl::OkStatus();
}

bool Keeps(const ListFilter& f, const Item& it) {
  if (!f.kind.empty() && it.kind != f.kind) return false;
  if (!f.source_url.empty() &&
      (!it.meta.source_url || it.meta.source_url->rfind(f.source_url, 0) != 0)) {
    return false;
  }
  if (f.since_time != absl::InfinitePast()) {
    absl::Time added;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, it.added_at, &added, &err)) return false;
    if (added < f.since_time) return false;
  }
  return true;
}

// "91 B", "2.1 KiB", "3.4 MiB", "1.2 GiB".
std::string Size(uint64_t bytes) {
  if (bytes < 1024) return StrCat(bytes, " B");
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

// The name a reader knows an item by: a mailbox's message by its subject.
std::string DisplayName(const Item& it) {
  if (it.parent_id && it.meta.title && !it.meta.title->empty() && it.name.rfind("message ", 0) == 0) {
    return ToValidUtf8(*it.meta.title);
  }
  return ToValidUtf8(it.name);
}

size_t Width(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// Rows of cells printed in columns as wide as their widest cell; the last
// column is not padded.
void PrintColumns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    if (widths.size() < r.size()) widths.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], Width(r[i]));
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - Width(r[i]) + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

int RunList(const GlobalOptions& g, ListFilter filter) {
  absl::Status valid = ParseFilter(&filter);
  if (!valid.ok()) return ReportError(valid);
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto items = archive->storage().catalog->ListItems();
  if (!items.ok()) return ReportError(items.status());
  std::vector<const Item*> kept;
  for (const Item& it : *items) {
    if (Keeps(filter, it)) kept.push_back(&it);
  }
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Item* it : kept) arr.push_back(ItemToJson(*it));
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (kept.empty()) {
    std::printf(items->empty() ? "the archive is empty\n" : "no item matches\n");
    return kExitOk;
  }
  // Parts under the item they came from (messages under their mailbox,
  // attachments under their message), when that item is listed too.
  std::map<int64_t, std::vector<const Item*>> children;
  std::map<int64_t, bool> listed;
  for (const Item* it : kept) listed[it->id] = true;
  std::vector<const Item*> roots;
  for (const Item* it : kept) {
    if (it->parent_id && listed.count(*it->parent_id)) {
      children[*it->parent_id].push_back(it);
    } else {
      roots.push_back(it);
    }
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "KIND", "FORMAT", "SIZE", "ADDED", "SHA-256", "NAME"}};
  std::function<void(const Item*, int)> add = [&](const Item* it, int depth) {
    std::string name = std::string(2 * depth, ' ') + DisplayName(*it);
    if (it->parent_id && !listed.count(*it->parent_id)) name += StrCat("  (in item ", *it->parent_id, ")");
    rows.push_back({StrCat(it->id), it->kind, it->format, Size(it->size),
                    it->added_at.substr(0, 10), it->sha256.substr(0, 12), name});
    for (const Item* c : children[it->id]) add(c, depth + 1);
  };
  for (const Item* it : roots) add(it, 0);
  PrintColumns(rows);
  return kExitOk;
}

struct SearchCommand {
  std::vector<std::string> words;
  std::string kind;
  size_t limit = 20;
};

int RunSearch(const GlobalOptions& g, const SearchCommand& c) {
  std::string query;
  for (const std::string& w : c.words) query += (query.empty() ? "" : " ") + w;
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  CatalogReader* catalog = archive->storage().catalog;
  auto items = catalog->ListItems();
  if (!items.ok()) return ReportError(items.status());
  auto page = server::SearchArchive(catalog, *items, query, c.kind, 0, c.limit);
  if (!page.ok()) {
    return ReportError(absl::Status(page.status().code(), StrCat("--", page.status().message())));
  }
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (size_t i = 0; i < page->items.size(); ++i) {
      nlohmann::json j = {{"item", ItemToJson(page->items[i])}};
      if (!page->snippets[i].empty()) j["snippet"] = server::SnippetToJson(page->snippets[i]);
      arr.push_back(std::move(j));
    }
    std::cout << nlohmann::json({{"total", page->total}, {"results", arr}}).dump(2) << "\n";
    return page->total == 0 ? kExitNotFound : kExitOk;
  }
  if (page->total == 0) {
    std::printf("nothing in the archive holds %s\n", ToValidUtf8(query).c_str());
    return kExitNotFound;
  }
  const bool tty = ::isatty(STDOUT_FILENO);
  for (size_t i = 0; i < page->items.size(); ++i) {
    const Item& it = page->items[i];
    std::printf("%lld  %s  (%s, %s)\n", static_cast<long long>(it.id), DisplayName(it).c_str(),
                it.kind.c_str(), it.format.c_str());
    if (!page->snippets[i].empty()) {
      std::string line = ToValidUtf8(
          SnippetLine(page->snippets[i], tty ? "\033[1m" : "[", tty ? "\033[0m" : "]"));
      std::printf("    %s\n", line.c_str());
    } else {
      std::printf("    (its name or details match)\n");
    }
  }
  if (page->total > page->items.size()) {
    std::printf("%zu of %zu shown; --limit N shows more\n", page->items.size(), page->total);
  }
  return kExitOk;
}

}  // namespace

Subcommand AddListCommand(CLI::App* app, GlobalOptions* g) {
  auto filter = std::make_shared<ListFilter>();
  auto* cmd = app->add_subcommand("list", "list archived items");
  cmd->add_flag("--json", g->json, "print JSON");
  cmd->add_option("--kind", filter->kind, "only items of this kind: text, video, audio, container");
  cmd->add_option("--since", filter->since,
                  "only items added at or after this date (2024-05-01) or RFC 3339 time");
  cmd->add_option("--source-url", filter->source_url,
                  "only items whose source URL starts with this");
  cmd->footer(
      "Parts of an item (a mailbox's messages, by subject; a message's attachments; a web\n"
      "capture's pages) are listed indented under it.\n\n"
      "Examples:\n  uncut list\n  uncut list --kind video --since 2024-05-01\n"
      "  uncut list --source-url https://example.org/ --json | jq '.[].name'");
  return {cmd, [g, filter] { return RunList(*g, *filter); }};
}

Subcommand AddSearchCommand(CLI::App* app, GlobalOptions* g) {
  auto c = std::make_shared<SearchCommand>();
  auto* cmd = app->add_subcommand("search", "find items by the words of their text (or their details)");
  cmd->add_option("words", c->words, "the words to find (every one must occur)")->required();
  cmd->add_option("--kind", c->kind, "only items of this kind: text, video, audio, container");
  cmd->add_option("--limit", c->limit, "show at most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", g->json, "print JSON");
  cmd->footer(
      "Items whose text holds every word come first, best first (BM25), each with the\n"
      "passage where the words are; then items whose name, title, URL or note match.\n"
      "Words match as traces match them: case, accents and Persian/Arabic letter variants\n"
      "do not matter. Exit code 1 when nothing matches.\n\n"
      "Examples:\n  uncut search soldiers\n  uncut search \"harvest failed\" --kind text --json");
  return {cmd, [g, c] { return RunSearch(*g, *c); }};
}

}  // namespace uncut
