#include "cli/commands.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "absl/strings/str_format.h"
#include "base/file.h"
#include "base/named_message.h"
#include "base/status_macros.h"
#include "base/utf8.h"
#include "capture/record.h"
#include "cli/output_path.h"
#include "cli/progress.h"
#include "cli/trace_outputs.h"
#include "ingest/caption_ingest.h"
#include "ingest/cluster_upgrade.h"
#include "ingest/media_ingest.h"
#include "ingest/media_sniff.h"
#include "ingest/prepare_pool.h"
#include "ingest/add_run.h"
#include "proof/item_timestamps.h"
#include "query/trace_query.h"
#include "report/media_info_text.h"
#include "report/trace_report.h"
#include "speech/transcribe.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"
#include "store/archive.h"
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
    case absl::StatusCode::kAlreadyExists:
      return kExitBadInput;
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
      return kExitArchive;
    default:
      return kExitInternal;
  }
}

std::string ShortSha(const std::string& sha) { return sha.substr(0, 12); }

// "2.1 MiB (2,201,114 bytes)"; "91 bytes".
std::string HumanSize(uint64_t bytes) {
  std::string digits = StrCat(bytes), grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  if (bytes < 1024) return StrCat(grouped, bytes == 1 ? " byte" : " bytes");
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return absl::StrFormat("%.1f %s (%s bytes)", v, units[u], grouped);
}

}  // namespace

void RemoveEmptyArchive(const std::string& dir) {
  std::string lock_path = JoinPath(dir, "lock");
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd);
      return;
    }
  }
  bool empty = true;
  {
    auto archive = Archive::Open(dir, Archive::Mode::kReadOnly);
    auto items = archive.ok() ? (*archive)->ListItems() : absl::StatusOr<std::vector<Item>>();
    empty = items.ok() && items->empty();
  }
  for (const char* d : {"objects", "index"}) {
    WalkFiles(JoinPath(dir, d), [&](const std::string&) { empty = false; },
              [](const std::string&, const absl::Status&) {});
  }
  if (!empty) {
    ::close(fd);
    return;
  }
  // A writer waiting for the lock sees it unlinked and opens the archive anew.
  for (const char* f : {"catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "lock"}) {
    RemoveFile(JoinPath(dir, f)).IgnoreError();
  }
  // Empty folders an undone write left (objects/e3/) go first; rmdir(2)
  // removes only empty ones.
  for (const char* d : {"objects", "index"}) {
    for (const std::string& sub : ListDir(JoinPath(dir, d))) ::rmdir(JoinPath(JoinPath(dir, d), sub).c_str());
  }
  for (const char* d : {"objects/staging", "objects", "index/text", "index"}) {
    ::rmdir(JoinPath(dir, d).c_str());
  }
  ::rmdir(dir.c_str());
  ::close(fd);
}

namespace {

// The extract of --text-file (- for stdin): refused before it is read when
// it is larger than one trace takes, and when it is not text.
absl::StatusOr<std::string> ReadExtract(const std::string& path) {
  std::string name = path == "-" ? "stdin" : path;
  std::string text;
  if (path == "-") {
    char buf[1 << 16];
    while (text.size() <= kMaxExtractBytes && std::cin.read(buf, sizeof buf).gcount() > 0) {
      text.append(buf, static_cast<size_t>(std::cin.gcount()));
    }
    if (text.size() > kMaxExtractBytes) {
      return absl::ResourceExhaustedError(StrCat(name, ": the extract is more than ",
                                                 kMaxExtractBytes >> 10,
                                                 " KiB; one trace takes at most ",
                                                 kMaxExtractBytes >> 10, " KiB"));
    }
  } else {
    ASSIGN_OR_RETURN(File f, File::OpenForRead(path));
    ASSIGN_OR_RETURN(uint64_t size, f.Size());
    absl::Status fits = CheckExtractSize(size);
    if (!fits.ok()) return absl::Status(fits.code(), StrCat(name, ": ", fits.message()));
    text.resize(size);
    ASSIGN_OR_RETURN(size_t n, f.ReadAt(text.data(), size, 0));
    text.resize(n);
  }
  RETURN_IF_ERROR(CheckExtractKind(name, std::string_view(text).substr(0, 4096)));
  return text;
}

// "added 3, already archived 1, skipped 2 (unsupported: SHA256SUMS, LICENSE), failed 1";
// parts that are zero are left out, except the count added.
std::string AddSummary(size_t added, size_t existing,
                       const std::vector<std::pair<std::string, std::string>>& skipped,
                       size_t failed) {
  std::string out = StrCat("added ", added);
  if (existing > 0) out += StrCat(", already archived ", existing);
  if (!skipped.empty()) {
    out += StrCat(", skipped ", skipped.size(), " (");
    const char* sep = "";
    for (const char* reason : {"unsupported", "empty"}) {
      std::vector<std::string> names;
      for (const auto& [path, r] : skipped) {
        if (r == reason) names.push_back(BaseName(path));
      }
      if (names.empty()) continue;
      constexpr size_t kNamesShown = 5;
      std::string list;
      for (size_t i = 0; i < std::min(names.size(), kNamesShown); ++i) {
        list += StrCat(i == 0 ? "" : ", ", names[i]);
      }
      if (names.size() > kNamesShown) list += StrCat(" and ", names.size() - kNamesShown, " more");
      out += StrCat(sep, reason, ": ", list);
      sep = "; ";
    }
    out += ")";
  }
  if (failed > 0) out += StrCat(", failed ", failed);
  return out;
}

// An item's timestamp token as `show` gives it: what it says and whether it
// stamps the item's SHA-256 with a signature that verifies (against the
// certificate it carries; `verify --tsa-ca` checks the chain).
nlohmann::json TimestampJson(const std::string& token, const std::string& sha256) {
  nlohmann::json out = {{"kind", "RFC 3161"}};
  auto info = ReadTimestamp(token);
  if (!info.ok()) {
    out["problem"] = std::string(info.status().message());
    return out;
  }
  out["time"] = info->time;
  out["tsa"] = info->tsa;
  out["serial"] = info->serial;
  out["policy"] = info->policy;
  absl::Status checked = VerifyTimestamp(token, sha256, "").status();
  if (!checked.ok()) out["problem"] = std::string(checked.message());
  return out;
}

std::string TimestampLine(const nlohmann::json& t) {
  if (!t.contains("time")) return StrCat("unreadable: ", t.value("problem", std::string()));
  std::string line = StrCat(t.value("time", std::string()), " by ", t.value("tsa", std::string()),
                            " (RFC 3161, serial ", t.value("serial", std::string()), ")");
  if (t.contains("problem")) return StrCat(line, ": DOES NOT CHECK: ", t.value("problem", std::string()));
  return line;
}

}  // namespace

Storage AnyArchive::storage() { return embedded ? embedded->storage() : postgres->storage(); }

absl::StatusOr<Item> AnyArchive::FindItem(const std::string& ref) {
  return embedded ? embedded->FindItem(ref) : postgres->FindItem(ref);
}

std::string AnyArchive::StoredAt(const Item& item) {
  return embedded ? embedded->ObjectPath(item.object)
                  : StrCat(postgres->name(), " object ", item.object);
}

absl::StatusOr<AnyArchive> OpenAnyForReading(const GlobalOptions& g) {
  AnyArchive a;
  if (IsPostgresUri(g.archive)) {
    ASSIGN_OR_RETURN(a.postgres, PgArchive::Open(g.archive));
  } else {
    ASSIGN_OR_RETURN(a.embedded, Archive::Open(g.archive, Archive::Mode::kReadOnly));
  }
  return a;
}

int ReportError(const absl::Status& s) {
  std::fprintf(stderr, "uncut: %s\n", std::string(s.message()).c_str());
  return ExitCodeFor(s);
}

int RunAdd(const GlobalOptions& g, const AddCommand& c) {
  if (IsPostgresUri(g.archive)) return RunAddToPostgres(g, c);
  bool created = !PathExists(JoinPath(g.archive, "catalog.sqlite"));
  if (c.options.meta.captured_at) {
    absl::Status s = ValidateRfc3339(*c.options.meta.captured_at);
    if (!s.ok()) return ReportError(absl::InvalidArgumentError(StrCat("--captured-at: ", s.message())));
  }
  auto archive = Archive::Open(g.archive, Archive::Mode::kCreate);
  if (!archive.ok()) return ReportError(archive.status());
  auto batch = (*archive)->BeginWrite();
  if (absl::IsUnavailable(batch.status())) {
    // Another first add found nothing to add and removed the archive while
    // this one waited: make it anew.
    archive = Archive::Open(g.archive, Archive::Mode::kCreate);
    if (!archive.ok()) return ReportError(archive.status());
    batch = (*archive)->BeginWrite();
  }
  if (!batch.ok()) return ReportError(batch.status());
  TsaOptions tsa;  // none with --no-tsa
  if (!c.no_tsa) {
    auto chosen = ChooseTsa(archive->get(), c.tsa);
    if (!chosen.ok()) return ReportError(chosen.status());
    tsa = *chosen;
  }
  // The files in the order they are added; a folder that cannot be read is
  // a failure in its place.
  std::vector<AddRunFile> files;
  std::vector<bool> in_folder;  // whether files[i] was found in a folder
  for (const std::string& p : c.paths) {
    const bool folder = IsDirectory(p);
    WalkFiles(
        p,
        [&](const std::string& path) {
          files.push_back({path, absl::OkStatus()});
          in_folder.push_back(folder);
        },
        [&](const std::string& path, const absl::Status& s) {
          files.push_back({path, s});
          in_folder.push_back(folder);
        });
  }
  AddRunOptions run;
  run.options = c.options;
  run.jobs = c.jobs;
  run.tsa = tsa;
  run.on_tsa_failure =
      c.tsa_optional ? AddRunOptions::TsaFailure::kAddUnstamped : AddRunOptions::TsaFailure::kStop;
  run.commit_every = c.commit_every;
  run.commit_bytes = kBatchBytes;

  // What the run tells, printed as it goes and summed up at the end.
  class Printer : public AddRunObserver {
   public:
    Printer(const GlobalOptions& g, const AddCommand& c, const std::vector<AddRunFile>& files,
            const std::vector<bool>& in_folder)
        : g_(g), c_(c), files_(files), in_folder_(in_folder), progress_(ShowProgress(g.quiet)) {
      // The bar needs the total first: a quick walk that only stats.
      if (progress_) {
        for (const AddRunFile& f : files) total_bytes_ += f.unreadable.ok() ? SizeOf(f.path) : 0;
      }
      bar_ = std::make_unique<ProgressBar>("adding", total_bytes_, ProgressBar::Unit::kBytes,
                                           progress_);
    }
    void Starting(size_t i) override { bar_->Update(done_bytes_, BaseName(files_[i].path)); }
    void StampingStopped(const absl::Status& why) override {
      bar_->Clear();
      std::fprintf(stderr, "uncut: warning: %s; adding without timestamps (--tsa-optional)\n",
                   std::string(why.message()).c_str());
    }
    void Done(size_t i, const absl::StatusOr<AddOutcome>& outcome) override {
      const std::string& path = files_[i].path;
      if (!files_[i].unreadable.ok()) {
        failures.push_back({path, files_[i].unreadable});
        return;
      }
      if (progress_) done_bytes_ += SizeOf(path);
      // The lines below share the terminal with the bar.
      if (::isatty(STDOUT_FILENO) || (outcome.ok() && !outcome->warnings.empty())) bar_->Clear();
      if (!outcome.ok()) {
        std::string reason =
            outcome.status().code() == absl::StatusCode::kUnimplemented ? "unsupported"
            : SizeOf(path) == 0                                          ? "empty"
                                                                         : "";
        if (in_folder_[i] && !c_.strict && !reason.empty()) {
          skipped.push_back({path, reason});
          if (!g_.quiet) std::printf("skipped %s (%s)\n", path.c_str(), reason.c_str());
          return;
        }
        failures.push_back({path, outcome.status()});
        return;
      }
      if (c_.transcribe && (outcome->item.kind == "video" || outcome->item.kind == "audio")) {
        recordings.push_back(outcome->item.id);
      }
      if (outcome->existed) {
        if (!g_.quiet) {
          std::printf("exists  %-6lld %s  %s (same bytes as %s)\n",
                      static_cast<long long>(outcome->item.id),
                      ShortSha(outcome->item.sha256).c_str(), path.c_str(),
                      outcome->item.name.c_str());
        }
        return;
      }
      if (!g_.quiet) {
        std::printf("added   %-6lld %s  %s\n", static_cast<long long>(outcome->item.id),
                    ShortSha(outcome->item.sha256).c_str(), path.c_str());
      }
      for (const std::string& w : outcome->warnings) {
        std::fprintf(stderr, "uncut: warning: %s: %s\n", path.c_str(), w.c_str());
      }
    }
    void Publishing() override { bar_->Update(done_bytes_, "publishing"); }
    void Clear() { bar_->Clear(); }

    std::vector<std::pair<std::string, absl::Status>> failures;
    // Files of a folder uncut does not read, by reason ("unsupported", "empty").
    std::vector<std::pair<std::string, std::string>> skipped;
    std::vector<int64_t> recordings;  // for --transcribe

   private:
    static uint64_t SizeOf(const std::string& path) {
      struct stat st;
      return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    }
    const GlobalOptions& g_;
    const AddCommand& c_;
    const std::vector<AddRunFile>& files_;
    const std::vector<bool>& in_folder_;
    const bool progress_;
    uint64_t total_bytes_ = 0, done_bytes_ = 0;
    std::unique_ptr<ProgressBar> bar_;
  } printer(g, c, files, in_folder);

  absl::StatusOr<AddRunSummary> summary = AddFiles(batch->get(), g.archive, files, run, &printer);
  printer.Clear();
  batch->reset();
  if (!summary.ok()) return ReportError(summary.status());
  const auto& failures = printer.failures;
  const auto& skipped = printer.skipped;
  const auto& recordings = printer.recordings;
  const size_t added = summary->added, existing = summary->existing, files_done = summary->files;
  const size_t unstamped = summary->unstamped;
  if (created && added == 0) {
    archive->reset();
    RemoveEmptyArchive(g.archive);
  }
  if (!summary->stopped.ok()) {
    const absl::Status tsa_failed(
        summary->stopped.code(),
        StrCat(summary->stopped.message(), " (--tsa-optional adds them without a timestamp)"));
    if (!g.quiet && added > 0) std::printf("%s\n", AddSummary(added, existing, skipped, failures.size()).c_str());
    ReportError(tsa_failed);
    return kExitBadInput;
  }
  if (unstamped > 0) {
    std::fprintf(stderr, "uncut: warning: %zu original%s added without a timestamp\n", unstamped,
                 unstamped == 1 ? "" : "s");
  }
  if (failures.size() == 1 && files_done <= 1) return ReportError(failures[0].second);
  if (!g.quiet && files_done > 1) std::printf("%s\n", AddSummary(added, existing, skipped, failures.size()).c_str());
  for (const auto& [path, s] : failures) {
    std::fprintf(stderr, "uncut: not added: %s\n", NamedMessage(path, s.message()).c_str());
  }
  if (!recordings.empty()) {
    std::vector<Item> todo;
    for (int64_t id : recordings) {
      auto item = (*archive)->GetItem(id);
      if (!item.ok()) return ReportError(item.status());
      if (NeedsTranscript(*item)) todo.push_back(std::move(*item));
    }
    int rc = TranscribeItems(g, archive->get(), todo);
    if (rc != kExitOk) return rc;
  }
  return failures.empty() ? kExitOk : kExitBadInput;
}

int RunShow(const GlobalOptions& g, const ShowCommand& c) {
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto item = archive->FindItem(c.ref);
  if (!item.ok()) return ReportError(item.status());
  if (c.text) {
    auto text = archive->storage().catalog->LoadText(item->id);
    if (!text.ok()) return ReportError(text.status());
    std::fwrite(text->text.text.data(), 1, text->text.text.size(), stdout);
    std::printf("\n");
    return kExitOk;
  }
  auto token = ItemTimestampToken(*archive->storage().catalog, *item);
  if (!token.ok()) return ReportError(token.status());
  nlohmann::json stamp;
  if (*token) stamp = TimestampJson(**token, item->sha256);
  auto capture = ItemCaptureRecord(*archive->storage().catalog, *item);
  if (!capture.ok()) return ReportError(capture.status());
  if (g.json) {
    nlohmann::json j = ItemToJson(*item);
    SetTextField(&j, "stored_at", archive->StoredAt(*item));
    if (!stamp.is_null()) j["timestamp"] = stamp;
    if (!capture->is_null()) j["capture"] = *capture;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  // What a reader asks first (what it is, where it came from), then how it
  // is kept; a media item's probe information as lines of its own; the
  // rest of what extraction noted last.
  std::vector<std::pair<std::string, std::string>> lines;
  auto line = [&](std::string label, const std::optional<std::string>& v) {
    if (v && !v->empty()) lines.push_back({std::move(label), ToValidUtf8(*v)});
  };
  line("name", item->name);
  line("title", item->meta.title);
  line("kind", StrCat(item->kind, " (", item->format, ")"));
  line("size", HumanSize(item->size));
  line("source url", item->meta.source_url);
  line("captured at", item->meta.captured_at);
  line("note", item->meta.note);
  for (const auto& [label, value] : CaptureRecordLines(*capture)) line(label, value);
  if (item->parent_id) {
    auto parent = archive->storage().catalog->GetItem(*item->parent_id);
    line("part of", StrCat("item ", *item->parent_id,
                           parent.ok() ? StrCat(" (", parent->name, ")") : std::string()));
  }
  line("added at", item->added_at);
  line("added from", item->added_from);
  line("sha256", item->sha256);
  line("id", StrCat(item->id));
  line("stored at", archive->StoredAt(*item));
  nlohmann::json info = item->info.is_object() ? item->info : nlohmann::json::object();
  nlohmann::json media = info.contains("media") && info["media"].is_object() ? info["media"]
                                                                             : nlohmann::json();
  if (!media.is_null()) info.erase("media");
  for (const auto& [label, value] : MediaInfoLines(media)) lines.push_back({label, value});
  for (const auto& [k, v] : info.items()) {
    if (v.is_null()) continue;
    std::string label = k;
    std::replace(label.begin(), label.end(), '_', ' ');
    lines.push_back({label, v.is_string() ? v.get<std::string>() : v.dump()});
  }
  for (const auto& [label, value] : lines) {
    std::printf("%-12s %s\n", (label + ":").c_str(), value.c_str());
  }
  std::string speech = SpeechInfoLine(*item);
  if (!speech.empty()) std::printf("%-12s %s\n", "speech:", speech.c_str());
  std::string captions = CaptionInfoLine(*item);
  if (!captions.empty()) std::printf("%-12s %s\n", "captions:", captions.c_str());
  if (!stamp.is_null()) std::printf("%-12s %s\n", "timestamp:", TimestampLine(stamp).c_str());
  return kExitOk;
}

namespace {

absl::Status RemoveFromArchive(Archive* archive, const std::vector<Item>& items) {
  ASSIGN_OR_RETURN(auto batch, archive->BeginWrite());
  for (const Item& it : items) RETURN_IF_ERROR(batch->RemoveItem(it.id));
  return batch->Commit();
}

absl::Status RemoveFromPostgres(PgArchive* archive, const std::vector<Item>& items) {
  std::vector<int64_t> ids;
  for (const Item& it : items) ids.push_back(it.id);
  return archive->RemoveItems(ids);
}

}  // namespace

int RunRemove(const GlobalOptions& g, const std::vector<std::string>& refs, bool yes) {
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  std::vector<Item> items;
  for (const std::string& r : refs) {
    auto item = archive->FindItem(r);
    if (!item.ok()) return ReportError(item.status());
    items.push_back(*item);
  }
  if (!yes) {
    if (!::isatty(STDIN_FILENO)) {
      return ReportError(absl::FailedPreconditionError(
          "remove: stdin is not a terminal to confirm on; pass --yes to remove without asking"));
    }
    for (const Item& it : items) {
      std::printf("remove %lld %s  %s\n", static_cast<long long>(it.id), it.sha256.c_str(),
                  ToValidUtf8(it.name).c_str());
    }
    std::printf("Remove %zu item%s from %s? [y/N] ", items.size(),
                items.size() == 1 ? "" : "s", g.archive.c_str());
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
      std::printf("nothing removed\n");
      return kExitBadInput;
    }
  }
  // One transaction: every item goes, or none.
  absl::Status s = archive->postgres ? RemoveFromPostgres(archive->postgres.get(), items)
                                     : RemoveFromArchive(archive->embedded.get(), items);
  if (!s.ok()) return ReportError(s);
  if (!g.quiet) {
    for (const Item& it : items) {
      std::printf("removed %lld %s  %s\n", static_cast<long long>(it.id), it.sha256.c_str(),
                  it.name.c_str());
    }
  }
  return kExitOk;
}

namespace {

// One line's worth of an entry's details: the items it names (at most
// three, with their SHA-256s) and how many there were.
std::string AuditSummary(const nlohmann::json& d) {
  std::string out;
  if (d.contains("items") && d["items"].is_array()) {
    const nlohmann::json& items = d["items"];
    constexpr size_t kShown = 3;
    for (size_t i = 0; i < items.size() && i < kShown; ++i) {
      const nlohmann::json& it = items[i];
      out += StrCat(i == 0 ? "" : ", ", it.value("id", int64_t{0}), " ",
                    ToValidUtf8(it.value("name", std::string())), " ",
                    it.value("sha256", std::string()));
    }
    if (items.size() > kShown) out += StrCat(" and ", items.size() - kShown, " more");
    if (items.empty()) out += "no items";
  }
  if (d.contains("reindexed")) out += StrCat(d["reindexed"].size(), " items re-indexed");
  if (d.contains("blocks_read")) {  // compact
    out += StrCat(d.value("blocks_read", uint64_t{0}), " posting blocks merged into ",
                  d.value("blocks_written", uint64_t{0}), " (",
                  d.value("postings_dropped", uint64_t{0}), " postings of removed items dropped)");
  } else if (d.contains("postings") && !d.contains("items")) {  // sweep
    out += StrCat(d.value("postings", uint64_t{0}), " postings and ", d.value("pieces", uint64_t{0}),
                  " pieces of originals removed");
  }
  if (d.contains("out")) out += StrCat(" to ", ToValidUtf8(d.value("out", std::string())));
  if (d.contains("setting")) {  // config: "tsa = URL" or "tsa unset"
    const nlohmann::json& v = d.contains("new") ? d["new"] : nlohmann::json();
    out += StrCat(d.value("setting", std::string()),
                  v.is_string() ? StrCat(" = ", ToValidUtf8(v.get<std::string>())) : " unset");
  }
  return out;
}

}  // namespace

int RunLog(const GlobalOptions& g) {
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  auto log = archive->storage().records->AuditLog();
  if (!log.ok()) return ReportError(log.status());
  if (g.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const AuditEntry& e : *log) {
      nlohmann::json j = {{"seq", e.seq},       {"at", e.at},         {"actor", e.actor},
                          {"action", e.action}, {"details", e.details}};
      if (!e.client.empty()) j["client"] = e.client;
      arr.push_back(std::move(j));
    }
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  for (const AuditEntry& e : *log) {
    std::string who = e.client.empty() ? e.actor : StrCat(e.actor, "@", e.client);
    std::printf("%-5lld %s  %-10s %-8s %s\n", static_cast<long long>(e.seq), e.at.c_str(),
                ToValidUtf8(who).c_str(), e.action.c_str(), AuditSummary(e.details).c_str());
  }
  return kExitOk;
}

void PrintTimestampsChecked(size_t checked, const std::string& tsa_ca) {
  if (checked == 0) return;
  std::printf("%zu timestamps checked %s\n", checked,
              tsa_ca.empty() ? "against the certificates they carry (--tsa-ca FILE checks that "
                               "they chain to the TSA's CA)"
                             : StrCat("against ", tsa_ca).c_str());
}

int RunVerify(const GlobalOptions& g, const std::string& tsa_ca) {
  if (IsPostgresUri(g.archive)) return RunVerifyOnPostgres(g, tsa_ca);
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  Archive::VerifySummary summary;
  auto problems = (*archive)->Verify(nullptr, &summary);
  if (!problems.ok()) return ReportError(problems.status());
  auto stamps = VerifyItemTimestamps(**archive, tsa_ca);
  if (!stamps.ok()) return ReportError(stamps.status());
  problems->insert(problems->end(), stamps->problems.begin(), stamps->problems.end());
  for (const auto& p : *problems) {
    std::fprintf(stderr, "uncut: verify: %s: %s\n", p.what.c_str(), p.problem.c_str());
  }
  if (!g.quiet) {
    std::printf("%zu items checked, %zu problems\n", summary.items, problems->size());
    PrintTimestampsChecked(stamps->checked, tsa_ca);
    if (!summary.left_by_writer.empty()) {
      std::printf("%zu files staged by an interrupted writer (the next add or remove deletes them)\n",
                  summary.left_by_writer.size());
    }
    if (summary.texts_without_digest > 0) {
      std::printf("%zu extracted texts were stored before their digests were kept: not checkable\n",
                  summary.texts_without_digest);
    }
  }
  return problems->empty() ? kExitOk : kExitArchive;
}

// Runs one upgrade pass, `pass(progress)`, with a bar labelled `label` drawn
// once the pass reports its total of items, and prints the problems it names.
template <typename Pass>
auto UpgradePass(const GlobalOptions& g, const char* label, Pass pass) {
  std::unique_ptr<ProgressBar> bar;
  auto done = pass([&](size_t i, size_t total) {
    if (!bar) {
      bar = std::make_unique<ProgressBar>(label, total, ProgressBar::Unit::kItems,
                                          ShowProgress(g.quiet));
    }
    bar->Update(i);
  });
  bar.reset();
  if (done.ok()) {
    for (const std::string& p : done->problems) {
      std::fprintf(stderr, "uncut: upgrade: %s\n", p.c_str());
    }
  }
  return done;
}

// Upgrade of a cluster's archive: the sound and picture passes, a few
// items per transaction (ingest/cluster_upgrade.h).
int RunUpgradeOnPostgres(const GlobalOptions& g) {
  auto archive = PgArchive::Open(g.archive);
  if (!archive.ok()) return ReportError(archive.status());
  auto sound = UpgradePass(g, "re-reading sound", [&](auto progress) {
    return UpgradeSoundIndex(archive->get(), progress);
  });
  if (!sound.ok()) return ReportError(sound.status());
  auto pictures = UpgradePass(g, "re-reading pictures", [&](auto progress) {
    return UpgradePictureIndex(archive->get(), progress);
  });
  if (!pictures.ok()) return ReportError(pictures.status());
  if (!g.quiet) {
    if (sound->redone == 0 && sound->problems.empty() && pictures->redone == 0 &&
        pictures->problems.empty()) {
      std::printf("the archive is up to date\n");
    }
    if (sound->redone > 0) std::printf("sound fingerprinted anew for %d items\n", sound->redone);
    if (pictures->redone > 0) {
      std::printf("region hashes added to the picture fingerprints of %d videos\n",
                  pictures->redone);
    }
  }
  return sound->problems.empty() && pictures->problems.empty() ? kExitOk : kExitArchive;
}

int RunUpgrade(const GlobalOptions& g, int jobs) {
  if (IsPostgresUri(g.archive)) return RunUpgradeOnPostgres(g);
  auto archive = Archive::Open(g.archive, Archive::Mode::kReadOnly);
  if (!archive.ok()) return ReportError(archive.status());
  // One original at a time, each on every core (in time chunks, as add
  // reads one long recording).
  if (jobs <= 0) jobs = AvailableCores();
  auto done = UpgradePass(g, "re-reading sound", [&](auto progress) {
    return UpgradeSoundIndex(archive->get(), progress, jobs);
  });
  if (!done.ok()) return ReportError(done.status());
  // Videos archived before the region hashes existed gain them.
  auto pictures = UpgradePass(g, "re-reading pictures", [&](auto progress) {
    return UpgradePictureIndex(archive->get(), progress, jobs);
  });
  if (!pictures.ok()) return ReportError(pictures.status());
  // A search index made when it held a copy of every text is rebuilt
  // without it; texts added before the search index existed go into it.
  auto contentless = (*archive)->MakeTextSearchContentless();
  if (!contentless.ok()) return ReportError(contentless.status());
  auto indexed = (*archive)->IndexTextsForSearch();
  if (!indexed.ok()) return ReportError(indexed.status());
  // Index segments of an older format are rewritten in the current one.
  absl::StatusOr<size_t> rewritten;
  {
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return ReportError(batch.status());
    rewritten = (*batch)->RewriteOlderSegments();
  }
  if (!rewritten.ok()) return ReportError(rewritten.status());
  if (!g.quiet) {
    if (done->redone == 0 && done->problems.empty() && pictures->redone == 0 &&
        pictures->problems.empty() && *indexed == 0 && *rewritten == 0 && !*contentless) {
      std::printf("the archive is up to date\n");
    }
    if (*rewritten > 0) std::printf("index segments rewritten in the current format\n");
    if (done->redone > 0 || !done->problems.empty()) {
      std::printf("sound fingerprinted anew for %d items\n", done->redone);
    }
    if (pictures->redone > 0) {
      std::printf("region hashes added to the picture fingerprints of %d videos\n",
                  pictures->redone);
    }
    if (*contentless) std::printf("text search index rebuilt without its copy of the texts\n");
    if (*indexed > 0) std::printf("%zu texts put into the search index\n", *indexed);
  }
  return done->problems.empty() && pictures->problems.empty() ? kExitOk : kExitArchive;
}

int RunTrace(const GlobalOptions& g, const TraceCommand& c) {
  if (!c.html.empty()) {
    absl::Status writable = CheckOutputPath(c.html, /*overwrite=*/true);
    if (!writable.ok()) return ReportError(writable);
  }
  TraceQuery query;
  query.context_sentences = c.context;
  query.quote_hint = "; to trace a quote, give it with --text-file";
  // Frames side by side at each boundary, for the reports that show them.
  query.frames = !c.html.empty() || c.save;
  if (!c.media.empty()) {
    query.file = c.media;
  } else if (!c.text_file.empty()) {
    auto q = ReadExtract(c.text_file);
    if (!q.ok()) return ReportError(q.status());
    query.text = std::move(*q);
  } else {
    query.text = c.text;
  }
  auto kind = TraceQueryKindOf(query);
  if (!kind.ok()) return ReportError(kind.status());
  auto archive = OpenAnyForReading(g);
  if (!archive.ok()) return ReportError(archive.status());
  // The shard sessions open while the query is decoded.
  if (archive->postgres) archive->postgres->ConnectShardsSoon();
  absl::StatusOr<TraceReport> report;
  {
    Activity activity("tracing", ShowProgress(g.quiet));
    report = RunTraceQuery(archive->storage(), query, *kind);
  }
  // A damaged archive, or a server out of reach, is no fault of the
  // extract: its error names the item or the server.
  if (*kind == TraceQueryKind::kText && !report.ok() && !absl::IsDataLoss(report.status()) &&
      !absl::IsUnavailable(report.status())) {
    std::string where = c.text_file.empty() ? "--text" : c.text_file;
    return ReportError(
        absl::Status(report.status().code(), NamedMessage(where, report.status().message())));
  }
  if (!report.ok()) return ReportError(report.status());
  if (g.json) {
    std::cout << ReportToJson(*report).dump(2) << "\n";
    if (*kind != TraceQueryKind::kText) {
      for (const std::string& w : report->warnings) {
        std::fprintf(stderr, "uncut: warning: %s: %s\n", c.media.c_str(), w.c_str());
      }
    }
  } else {
    std::cout << ReportToText(*report, ::isatty(1));
  }
  absl::Status written = WriteTraceOutputs(g, c, *report, archive->storage().records);
  if (!written.ok()) return ReportError(written);
  // A picture may be found by the text it shows alone (TraceReport::text_trace).
  if (*kind == TraceQueryKind::kPicture) {
    return report->verdict == TraceVerdict::kNotFound ? kExitNotFound : kExitOk;
  }
  return report->sources.empty() ? kExitNotFound : kExitOk;
}

}  // namespace uncut
