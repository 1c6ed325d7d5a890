// Add throughput for documents: messages per second for mailboxes, pages
// per second for PDFs.
//
//   uncut_docs_bench FILE... [--archive DIR]
//
// Adds each file to a fresh archive (one batch per file, committed), and
// prints for each: items added, messages or pages, seconds, throughput;
// then totals and peak memory.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "base/file.h"
#include "ingest/ingest.h"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  std::string archive_dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--archive" && i + 1 < argc) {
      archive_dir = argv[++i];
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s FILE... [--archive DIR]\n", argv[0]);
    return 2;
  }
  if (archive_dir.empty()) {
    char tmpl[] = "/tmp/uncut-docs-bench-XXXXXX";
    archive_dir = std::string(::mkdtemp(tmpl)) + "/archive";
  }
  auto archive = uncut::Archive::Open(archive_dir, uncut::Archive::Mode::kCreate);
  if (!archive.ok()) return 1;
  double messages = 0, message_s = 0, pages = 0, page_s = 0;
  for (const std::string& f : files) {
    auto t0 = std::chrono::steady_clock::now();
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return 1;
    auto out = uncut::AddFile(batch->get(), f, {});
    absl::Status s = out.ok() ? (*batch)->Commit() : out.status();
    batch->reset();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      std::printf("%s: failed: %s\n", f.c_str(), std::string(s.message()).c_str());
      continue;
    }
    const uncut::Item& it = out->item;
    if (it.format == "mbox") {
      double n = it.info.value("messages", 0);
      messages += n;
      message_s += secs;
      std::printf("%s: %.0f messages, %zu items, %.1f MB in %.2f s: %.0f messages/s, %.1f MB/s\n",
                  uncut::BaseName(f).c_str(), n, out->children + 1, it.size / 1e6, secs, n / secs,
                  it.size / 1e6 / secs);
    } else if (it.format == "pdf") {
      double n = it.info.value("pages", 0);
      pages += n;
      page_s += secs;
      std::printf("%s: %.0f pages in %.2f s: %.1f pages/s\n", uncut::BaseName(f).c_str(), n, secs,
                  n / secs);
    } else {
      std::printf("%s: %s, %zu items in %.2f s\n", uncut::BaseName(f).c_str(), it.format.c_str(),
                  out->children + 1, secs);
    }
  }
  if (message_s > 0) std::printf("mailboxes: %.0f messages/s\n", messages / message_s);
  if (page_s > 0) std::printf("PDFs: %.1f pages/s\n", pages / page_s);
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  std::printf("peak memory: %.1f MB\narchive: %s\n", ru.ru_maxrss / 1024.0, archive_dir.c_str());
  return 0;
}
