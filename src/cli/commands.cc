#include "cli/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "absl/strings/str_format.h"
#include "base/file.h"
#include "base/status_macros.h"
#include "cli/progress.h"
#include "cli/trace_outputs.h"
#include "ingest/media_ingest.h"
#include "report/media_info_text.h"
#include "report/trace_report.h"
#include "store/archive.h"
#include "trace/boundary_frames.h"
#include "trace/media_trace.h"
#include "trace/text_trace.h"

namespace uncut {
namespace {

// Commit a batch when it holds this much, so a long add keeps its progress
// and memory stays bounded.
constexpr uint64_t kBatchBytes = 64ull << 20;

int ExitCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kOutOfRange:
      return kExitBadInput;
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
      return kExitArchive;
    default:
      return kExitInternal;
  }
}

std::string ShortSha(const std::string& sha) { return sha.substr(0, 12); }

// Removes an archive directory this command created when nothing ended up
// in it, so a failed first add leaves no trace.
void RemoveEmptyArchive(const std::string& dir) {
  for (const char* f : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "lock"}) {
    RemoveFile(JoinPath(dir, f)).IgnoreError();
  }
  for (const char* d : {"objects/staging", "objects", "index/text", "index"}) {
    ::rmdir(JoinPath(dir, d).c_str());
  }
  ::rmdir(dir.c_str());
}

absl::StatusOr<std::unique_ptr<Archive>> OpenForReading(const GlobalOptions& g) {
  return Archive::Open(g.archive, Archive::Mode::kReadOnly);
}

}  // namespace

int ReportError(const absl::Status& s) {
  std::fprintf(stderr, "uncut: %s\n", std::string(s.message()).c_str());
  return ExitCodeFor(s);
}

int RunAdd(const GlobalOptions& g, const AddCommand& c) {
  bool created = !PathExists(JoinPath(g.archive, "catalog.sqlite"));
  if (c.options.meta.captured_at) {
    absl::Status s = ValidateRfc3339(*c.options.meta.captured_at);
    if (!s.ok()) return ReportError(absl::InvalidArgumentError(StrCat("--captured-at: ", s.message())));
  }
  auto archive = Archive::Open(g.archive, Archive::Mode::kCreate);
  if (!archive.ok()) return ReportError(archive.status());
  auto batch = (*archive)->BeginWrite();
  if (!batch.ok()) return ReportError(batch.status());
  std::vector<std::pair<std::string, absl::Status>> failures;
  size_t added = 0, existing = 0, files = 0;
  absl::Status fatal;
  // The bar needs the total first: a quick walk that only stats.
  bool progress = ShowProgress(g.quiet);
  uint64_t total_bytes = 0, done_bytes = 0;
  auto size_of = [](const std::string& path) -> uint64_t {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  };
  if (progress) {
    for (const std::string& p : c.paths) {
      WalkFiles(p, [&](const std::string& f) { total_bytes += size_of(f); },
                [](const std::string&, const absl::Status&) {});
    }
  }
  ProgressBar bar("adding", total_bytes, ProgressBar::Unit::kBytes, progress);
  auto add_one = [&](const std::string& path) {
    if (!fatal.ok()) return;
    ++files;
    bar.Update(done_bytes, BaseName(path));
    auto outcome = AddFile(batch->get(), path, c.options);
    if (progress) done_bytes += size_of(path);
    // The lines below share the terminal with the bar.
    if (::isatty(STDOUT_FILENO) || (outcome.ok() && !outcome->warnings.empty())) bar.Clear();
    if (!outcome.ok()) {
      failures.push_back({path, outcome.status()});
      return;
    }
    if (outcome->existed) {
      ++existing;
      if (!g.quiet) {
        std::printf("exists  %-6lld %s  %s (same bytes as %s)\n",
                    static_cast<long long>(outcome->item.id), ShortSha(outcome->item.sha256).c_str(),
                    path.c_str(), outcome->item.name.c_str());
      }
    } else {
      ++added;
      if (!g.quiet) {
        std::printf("added   %-6lld %s  %s\n", static_cast<long long>(outcome->item.id),
                    ShortSha(outcome->item.sha256).c_str(), path.c_str());
      }
      for (const std::string& w : outcome->warnings) {
        std::fprintf(stderr, "uncut: warning: %s: %s\n", path.c_str(), w.c_str());
      }
    }
    if ((*batch)->pending_items() >= std::max<size_t>(1, c.commit_every) ||
        (*batch)->pending_bytes() >= kBatchBytes) {
      fatal = (*batch)->Commit();
    }
  };
  for (const std::string& p : c.paths) {
    WalkFiles(p, add_one, [&](const std::string& path, const absl::Status& s) {
      failures.push_back({path, s});
    });
  }
  bar.Update(done_bytes, "publishing");
  if (fatal.ok()) fatal = (*batch)->Commit();
  if (fatal.ok()) fatal = (*batch)->Compact();
  bar.Clear();
  batch->reset();
  if (!fatal.ok()) return ReportError(fatal);
  if (created && added == 0) {
    archive->reset();
    RemoveEmptyArchive(g.archive);
  }
  if (failures.size() == 1 && files <= 1) return ReportError(failures[0].second);
  if (!g.quiet && files > 1) {
    std::printf("%zu added, %zu already archived, %zu failed\n", added, existing, failures.size());
  }
  for (const auto& [path, s] : failures) {
    std::string msg(s.message());
    if (msg.rfind(path, 0) != 0) msg = StrCat(path, ": ", msg);
    std::fprintf(stderr, "uncut: not added: %s\n", msg.c_str());
  }
  return failures.empty() ? kExitOk : kExitBadInput;
}

int RunList(const GlobalOptions& g) {
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto items = (*archive)->ListItems();
  if (!items.ok()) return ReportError(items.status());
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Item& it : *items) arr.push_back(ItemToJson(it));
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  for (const Item& it : *items) {
    std::printf("%-6lld %s  %-5s %-6s %10llu  %s\n", static_cast<long long>(it.id),
                ShortSha(it.sha256).c_str(), it.kind.c_str(), it.format.c_str(),
                static_cast<unsigned long long>(it.size), it.name.c_str());
  }
  return kExitOk;
}

int RunShow(const GlobalOptions& g, const ShowCommand& c) {
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto item = (*archive)->FindItem(c.ref);
  if (!item.ok()) return ReportError(item.status());
  if (c.text) {
    auto text = (*archive)->LoadText(item->id);
    if (!text.ok()) return ReportError(text.status());
    std::fwrite(text->text.text.data(), 1, text->text.text.size(), stdout);
    std::printf("\n");
    return kExitOk;
  }
  nlohmann::json j = ItemToJson(*item);
  j["stored_at"] = (*archive)->ObjectPath(item->object);
  if (g.json) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  // A media item's probe information reads as lines of its own.
  nlohmann::json media;
  if (j["info"].contains("media")) {
    media = j["info"]["media"];
    j["info"].erase("media");
    if (j["info"].empty()) j.erase("info");
  }
  for (const auto& [k, v] : j.items()) {
    if (v.is_null()) continue;
    std::printf("%-12s %s\n", (k + ":").c_str(), v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  }
  for (const auto& [label, value] : MediaInfoLines(media)) {
    std::printf("%-12s %s\n", (label + ":").c_str(), value.c_str());
  }
  return kExitOk;
}

int RunRemove(const GlobalOptions& g, const std::vector<std::string>& refs) {
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  std::vector<Item> items;
  for (const std::string& r : refs) {
    auto item = (*archive)->FindItem(r);
    if (!item.ok()) return ReportError(item.status());
    items.push_back(*item);
  }
  auto batch = (*archive)->BeginWrite();
  if (!batch.ok()) return ReportError(batch.status());
  for (const Item& it : items) {
    absl::Status s = (*batch)->RemoveItem(it.id);
    if (!s.ok()) return ReportError(s);
  }
  absl::Status s = (*batch)->Commit();
  if (!s.ok()) return ReportError(s);
  if (!g.quiet) {
    for (const Item& it : items) {
      std::printf("removed %lld %s  %s\n", static_cast<long long>(it.id), ShortSha(it.sha256).c_str(),
                  it.name.c_str());
    }
  }
  return kExitOk;
}

int RunVerify(const GlobalOptions& g) {
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto problems = (*archive)->Verify();
  if (!problems.ok()) return ReportError(problems.status());
  auto items = (*archive)->ListItems();
  for (const auto& p : *problems) {
    std::fprintf(stderr, "uncut: verify: %s: %s\n", p.what.c_str(), p.problem.c_str());
  }
  if (!g.quiet) {
    std::printf("%zu items checked, %zu problems\n", items.ok() ? items->size() : 0,
                problems->size());
  }
  return problems->empty() ? kExitOk : kExitArchive;
}

int RunUpgrade(const GlobalOptions& g) {
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  absl::StatusOr<SoundUpgrade> done;
  {
    std::unique_ptr<ProgressBar> bar;
    done = UpgradeSoundIndex(archive->get(), [&](size_t i, size_t total) {
      if (!bar) {
        bar = std::make_unique<ProgressBar>("re-reading sound", total, ProgressBar::Unit::kItems,
                                            ShowProgress(g.quiet));
      }
      bar->Update(i);
    });
  }
  if (!done.ok()) return ReportError(done.status());
  for (const std::string& p : done->problems) {
    std::fprintf(stderr, "uncut: upgrade: %s\n", p.c_str());
  }
  if (!g.quiet) {
    std::printf(done->redone == 0 && done->problems.empty()
                    ? "the archive is up to date\n"
                    : "sound fingerprinted anew for %d items\n",
                done->redone);
  }
  return done->problems.empty() ? kExitOk : kExitArchive;
}

int RunTrace(const GlobalOptions& g, const TraceCommand& c) {
  if (!c.media.empty()) {
    auto archive = OpenForReading(g);
    if (!archive.ok()) return ReportError(archive.status());
    MediaTraceOptions options;
    absl::StatusOr<TraceReport> report;
    {
      Activity activity("tracing", ShowProgress(g.quiet));
      report = TraceMedia((*archive)->storage(), c.media, options);
      // Frames side by side at each boundary, for the reports that show them.
      if (report.ok() && (!c.html.empty() || c.save)) {
        AddBoundaryFrames(archive->get(), c.media, &*report);
      }
    }
    if (!report.ok()) return ReportError(report.status());
    if (g.json) {
      std::cout << ReportToJson(*report).dump(2) << "\n";
      for (const std::string& w : report->warnings) {
        std::fprintf(stderr, "uncut: warning: %s: %s\n", c.media.c_str(), w.c_str());
      }
    } else {
      std::cout << ReportToText(*report, ::isatty(1));
    }
    absl::Status written = WriteTraceOutputs(g, c, *report, archive->get());
    if (!written.ok()) return ReportError(written);
    return report->sources.empty() ? kExitNotFound : kExitOk;
  }
  std::string query;
  if (!c.text_file.empty()) {
    if (c.text_file == "-") {
      query.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      auto q = ReadFileToString(c.text_file, 16 << 20);
      if (!q.ok()) return ReportError(q.status());
      query = std::move(*q);
    }
  } else {
    query = c.text;
  }
  auto archive = OpenForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  TextTraceOptions options;
  options.context_sentences = c.context;
  absl::StatusOr<TraceReport> report;
  {
    Activity activity("tracing", ShowProgress(g.quiet));
    report = TraceText((*archive)->storage(), query, options);
  }
  if (!report.ok()) {
    std::string where = c.text_file.empty() ? "--text" : c.text_file;
    return ReportError(absl::Status(report.status().code(),
                                    StrCat(where, ": ", report.status().message())));
  }
  if (g.json) {
    std::cout << ReportToJson(*report).dump(2) << "\n";
  } else {
    std::cout << ReportToText(*report, ::isatty(1));
  }
  absl::Status written = WriteTraceOutputs(g, c, *report, archive->get());
  if (!written.ok()) return ReportError(written);
  return report->sources.empty() ? kExitNotFound : kExitOk;
}

}  // namespace uncut
