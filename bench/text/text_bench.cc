// Quote-tracing benchmark runner.
//
//   uncut_text_bench CORPUS_DIR QUERIES.jsonl RESULTS.jsonl [--archive DIR]
//
// Builds a fresh archive from CORPUS_DIR, traces every query of
// QUERIES.jsonl ({"id", "text", ...} per line), and writes RESULTS.jsonl in
// the format ../shared/bench/text/score.py reads:
//   {"id": ..., "matches": [{"doc": path relative to CORPUS_DIR, "start": byte, "end": byte}]}
// CORPUS_DIR may hold any format uncut reads; `doc` is always the file
// added (the mailbox, not the message), and spans in messages stored
// unencoded inside a mailbox are byte offsets into the mailbox file.
// Prints indexing throughput (MB/s of extracted text, one core), trace
// latency p50/p99 (all queries and 25-35-word queries), peak memory, and the
// archive's size on disk by part.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "base/file.h"
#include "ingest/ingest.h"
#include "nlohmann/json.hpp"
#include "text/normalize.h"
#include "trace/text_trace.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string Relative(const std::string& path, const std::string& root) {
  if (path.rfind(root, 0) == 0) {
    std::string r = path.substr(root.size());
    while (!r.empty() && r.front() == '/') r.erase(r.begin());
    return r;
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR QUERIES.jsonl RESULTS.jsonl [--archive DIR]\n", argv[0]);
    return 2;
  }
  std::string corpus = uncut::AbsolutePath(argv[1]);
  std::string queries_path = argv[2], results_path = argv[3];
  std::string archive_dir;
  for (int i = 4; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--archive") archive_dir = argv[i + 1];
  }
  if (archive_dir.empty()) {
    char tmpl[] = "/tmp/uncut-bench-XXXXXX";
    archive_dir = std::string(::mkdtemp(tmpl)) + "/archive";
  }
  if (uncut::PathExists(uncut::JoinPath(archive_dir, "catalog.sqlite"))) {
    std::fprintf(stderr, "%s already holds an archive; give a fresh directory\n", archive_dir.c_str());
    return 2;
  }
  auto archive = uncut::Archive::Open(archive_dir, uncut::Archive::Mode::kCreate);
  if (!archive.ok()) {
    std::fprintf(stderr, "%s\n", std::string(archive.status().message()).c_str());
    return 1;
  }

  // Index.
  struct rusage ru0;
  ::getrusage(RUSAGE_SELF, &ru0);
  auto t0 = Clock::now();
  uint64_t text_bytes = 0, file_bytes = 0;
  size_t files = 0, failed = 0;
  {
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return 1;
    uncut::WalkFiles(
        corpus,
        [&](const std::string& path) {
          auto out = uncut::AddFile(batch->get(), path, {});
          if (!out.ok()) {
            ++failed;
            std::fprintf(stderr, "not added: %s\n", std::string(out.status().message()).c_str());
            return;
          }
          ++files;
          file_bytes += out->item.size;
          if ((*batch)->pending_bytes() > (64u << 20)) (*batch)->Commit().IgnoreError();
        },
        [&](const std::string& p, const absl::Status& s) { ++failed; });
    absl::Status s = (*batch)->Commit();
    if (s.ok()) s = (*batch)->Compact();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  double index_s = Ms(Clock::now() - t0) / 1000.0;
  struct rusage ru1;
  ::getrusage(RUSAGE_SELF, &ru1);
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  double index_user_s = secs(ru1.ru_utime) - secs(ru0.ru_utime);
  double index_cpu_s = index_user_s + secs(ru1.ru_stime) - secs(ru0.ru_stime);
  auto items = (*archive)->ListItems();
  for (const auto& it : *items) {
    auto t = (*archive)->LoadText(it.id);
    if (t.ok()) text_bytes += t->text.text.size();
  }

  // Trace.
  std::ifstream in(queries_path);
  std::ofstream out(results_path);
  std::string line;
  std::vector<double> all_ms, q30_ms;
  size_t n = 0, errors = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json q = nlohmann::json::parse(line, nullptr, false);
    if (q.is_discarded() || !q.contains("id")) continue;
    std::string text = q.value("text", "");
    auto ts = Clock::now();
    auto report = uncut::TraceText((*archive)->storage(), text);
    double ms = Ms(Clock::now() - ts);
    all_ms.push_back(ms);
    size_t words = uncut::Normalize(text).tokens.size();
    if (words >= 25 && words <= 35) q30_ms.push_back(ms);
    nlohmann::json matches = nlohmann::json::array();
    if (report.ok()) {
      for (const auto& src : report->sources) {
        // `doc` is the file added; a message stored inside its mailbox's
        // bytes reports offsets into the mailbox file.
        int64_t shift = 0;
        uncut::Item top = src.item;
        while (top.parent_id) {
          auto parent = (*archive)->GetItem(*top.parent_id);
          if (!parent.ok()) break;
          top = *parent;
        }
        if (top.id != src.item.id && src.item.object == top.object) {
          shift = static_cast<int64_t>(src.item.object_offset) - static_cast<int64_t>(top.object_offset);
        }
        for (const auto& seg : src.segments) {
          matches.push_back({{"doc", Relative(src.item.added_from, corpus)},
                             {"start", static_cast<int64_t>(seg.source_start) + shift},
                             {"end", static_cast<int64_t>(seg.source_end) + shift}});
        }
      }
    } else {
      ++errors;
    }
    out << nlohmann::json({{"id", q["id"]}, {"matches", matches}}).dump() << "\n";
    ++n;
  }
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  std::printf("indexed %zu files (%zu failed): %.1f MB of files, %.1f MB of extracted text in %.2f s\n",
              files, failed, file_bytes / 1e6, text_bytes / 1e6, index_s);
  std::printf(
      "indexing throughput (one thread): %.1f MB/s of extracted text by wall clock; by CPU time "
      "%.1f MB/s (user+system), %.1f MB/s (user)\n",
      text_bytes / 1e6 / std::max(index_s, 1e-9), text_bytes / 1e6 / std::max(index_cpu_s, 1e-9),
      text_bytes / 1e6 / std::max(index_user_s, 1e-9));
  std::printf("traced %zu queries (%zu errors): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", n, errors,
              Percentile(all_ms, 0.5), Percentile(all_ms, 0.99),
              all_ms.empty() ? 0.0 : *std::max_element(all_ms.begin(), all_ms.end()));
  std::printf("25-35-word extracts (%zu): p50 %.2f ms, p99 %.2f ms\n", q30_ms.size(),
              Percentile(q30_ms, 0.5), Percentile(q30_ms, 0.99));
  std::printf("peak memory: %.1f MB\n", ru.ru_maxrss / 1024.0);
  auto megabytes = [](const std::filesystem::path& p) {
    std::error_code ec;
    uintmax_t bytes = 0;
    if (std::filesystem::is_regular_file(p, ec)) return std::filesystem::file_size(p, ec) / 1e6;
    for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) bytes += it->file_size(ec);
    }
    return bytes / 1e6;
  };
  const std::filesystem::path dir(archive_dir);
  const double catalog = megabytes(dir / "catalog.sqlite") + megabytes(dir / "catalog.sqlite-wal");
  const double index = megabytes(dir / "index"), originals = megabytes(dir / "objects");
  std::printf("archive on disk: %.1f MB (catalog %.1f MB, index %.1f MB, originals %.1f MB)\n",
              catalog + index + originals, catalog, index, originals);
  std::printf("archive: %s\n", archive_dir.c_str());
  return 0;
}
