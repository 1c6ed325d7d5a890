// Text add throughput against references measured in the same run.
//
//   uncut_text_add_bench --prose PATH... [--messages N] [--text-mb M]
//                        [--rounds R] [--work DIR]
//
// From the words of the --prose files (or folders) it makes two inputs in
// DIR (default: a fresh temporary folder): a plain-text file of M MB
// (default 20) and a mailbox of N short messages (default 100,000; 40-150
// words each, wrapped at 72 columns, a few headers). Each round adds each
// input to a fresh archive the way `uncut add` does (one batch, committed,
// then compacted) and, interleaved with the adds, measures two references
// over the same bytes:
//   wc -w      `LC_ALL=C wc -w FILE` as a child process (its CPU time);
//   tokenise   reading the file and uncut's Normalize (tokens + folded
//              skeleton), in this process.
// It prints, per input, min and median over the rounds of: add CPU time
// (user + system, one thread) as MB/s of extracted text, add wall time (as
// messages/s for the mailbox), and the references as MB/s of the file's
// bytes.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/file.h"
#include "ingest/ingest.h"
#include "text/normalize.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Cost {
  double cpu_s = 0;
  double wall_s = 0;
};

double Seconds(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

double SelfCpu() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return Seconds(ru.ru_utime) + Seconds(ru.ru_stime);
}

template <typename F>
Cost Measure(F f) {
  const double c0 = SelfCpu();
  const auto t0 = Clock::now();
  f();
  return {SelfCpu() - c0, std::chrono::duration<double>(Clock::now() - t0).count()};
}

// A deterministic generator (Knuth's MMIX LCG), the same on every machine.
struct Lcg {
  uint64_t s;
  uint32_t Next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : Next() % n; }
};

std::vector<std::string> Words(const std::vector<std::string>& paths, std::string* all) {
  std::vector<std::string> words;
  for (const std::string& root : paths) {
    std::vector<std::string> files;
    uncut::WalkFiles(root, [&](const std::string& f) { files.push_back(f); },
                     [](const std::string&, const absl::Status&) {});
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      auto text = uncut::ReadFileToString(f, 64u << 20);
      if (!text.ok()) continue;
      all->append(*text);
      all->push_back('\n');
      size_t i = 0;
      while (i < text->size()) {
        while (i < text->size() && std::isspace(static_cast<unsigned char>((*text)[i]))) ++i;
        size_t j = i;
        while (j < text->size() && !std::isspace(static_cast<unsigned char>((*text)[j]))) ++j;
        if (j > i) words.push_back(text->substr(i, j - i));
        i = j;
      }
    }
  }
  return words;
}

bool MakeInputs(const std::vector<std::string>& prose, size_t messages, double text_mb,
                const std::string& text_path, const std::string& mbox_path) {
  std::string all;
  std::vector<std::string> words = Words(prose, &all);
  if (words.size() < 200 || all.empty()) return false;
  {
    // The prose again and again, each copy headed by its number, so that
    // no two copies are the same bytes.
    std::ofstream out(text_path, std::ios::binary);
    const uint64_t want = static_cast<uint64_t>(text_mb * 1e6);
    uint64_t written = 0;
    for (int copy = 1; written < want; ++copy) {
      std::string head = "Copy " + std::to_string(copy) + ".\n";
      std::string_view body(all);
      if (written + head.size() + body.size() > want) body = body.substr(0, want - written - head.size());
      out << head << body;
      written += head.size() + body.size();
    }
    if (!out) return false;
  }
  std::ofstream out(mbox_path, std::ios::binary);
  Lcg rng{20250101};
  for (size_t i = 0; i < messages; ++i) {
    const size_t n = 40 + rng.Below(111);
    const size_t start = rng.Below(words.size() - n);
    const unsigned sender = rng.Below(500), minute = i % 60, day = 1 + i % 28;
    char head[512];
    std::snprintf(head, sizeof(head),
                  "From sender%u@example.org Mon Mar %2u 10:%02u:00 2015\n"
                  "From: Sender %u <sender%u@example.org>\n"
                  "To: list@example.org\n"
                  "Subject: note %zu on %s\n"
                  "Date: Mon, %u Mar 2015 10:%02u:00 +0000\n"
                  "Message-ID: <%zu.%u@example.org>\n"
                  "Content-Type: text/plain; charset=utf-8\n\n",
                  sender, day, minute, sender, sender, i, words[start].c_str(), day, minute, i,
                  sender);
    std::string body;
    size_t line = 0;
    for (size_t w = start; w < start + n; ++w) {
      // A body line that starts "From " would be quoted in a real mailbox.
      const std::string& word = words[w];
      if (line > 0 && line + 1 + word.size() > 72) {
        body += '\n';
        line = 0;
      }
      if (line == 0 && word == "From") body += '>';
      if (line > 0) {
        body += ' ';
        ++line;
      }
      body += word;
      line += word.size();
    }
    out << head << body << "\n\n";
  }
  return static_cast<bool>(out);
}

// `LC_ALL=C wc -w path` as a child: its CPU time and wall time.
Cost WcReference(const std::string& path) {
  const auto t0 = Clock::now();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {"wc", "-w", path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = {"LC_ALL=C", "PATH=/usr/bin:/bin"};
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  Cost c{-1, -1};
  if (posix_spawnp(&pid, "wc", &actions, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    struct rusage ru;
    if (::wait4(pid, &status, 0, &ru) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      c.cpu_s = Seconds(ru.ru_utime) + Seconds(ru.ru_stime);
      c.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  return c;
}

// Reading the file and tokenising it with Normalize.
Cost TokeniseReference(const std::string& path, size_t* tokens) {
  return Measure([&] {
    auto bytes = uncut::ReadFileToString(path, 4ull << 30);
    if (!bytes.ok()) return;
    *tokens = uncut::Normalize(*bytes).tokens.size();
  });
}

struct AddResult {
  Cost cost;
  bool ok = false;
  uint64_t text_bytes = 0;  // of every item's extracted text
  size_t items = 0;
};

// Adds `path` to a fresh archive as `uncut add` does: one batch, committed,
// then compacted.
AddResult Add(const std::string& path, const std::string& archive_dir, bool count_text) {
  std::filesystem::remove_all(archive_dir);
  AddResult r;
  r.cost = Measure([&] {
    auto archive = uncut::Archive::Open(archive_dir, uncut::Archive::Mode::kCreate);
    if (!archive.ok()) return;
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return;
    auto out = uncut::AddFile(batch->get(), path, {});
    absl::Status s = out.ok() ? (*batch)->Commit() : out.status();
    if (s.ok()) s = (*batch)->Compact();
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(s.message()).c_str());
      return;
    }
    r.ok = true;
    r.items = out->children + 1;
  });
  if (r.ok && count_text) {
    auto archive = uncut::Archive::Open(archive_dir, uncut::Archive::Mode::kReadOnly);
    if (archive.ok()) {
      auto items = (*archive)->ListItems();
      if (items.ok()) {
        for (const auto& it : *items) {
          auto t = (*archive)->LoadText(it.id);
          if (t.ok()) r.text_bytes += t->text.text.size();
        }
      }
    }
  }
  std::filesystem::remove_all(archive_dir);
  return r;
}

double Min(std::vector<double> v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct Series {
  std::vector<double> add_cpu, add_wall, wc_cpu, tok_cpu;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> prose;
  size_t messages = 100000;
  double text_mb = 20;
  int rounds = 3;
  std::string work;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--messages") {
      messages = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--text-mb") {
      text_mb = std::atof(value().c_str());
    } else if (a == "--rounds") {
      rounds = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--work") {
      work = value();
    } else if (a == "--prose") {
      prose.push_back(value());
    } else {
      prose.push_back(a);
    }
  }
  if (prose.empty()) {
    std::fprintf(stderr,
                 "usage: %s --prose PATH... [--messages N] [--text-mb M] [--rounds R] "
                 "[--work DIR]\n",
                 argv[0]);
    return 2;
  }
  if (work.empty()) {
    char tmpl[] = "/tmp/uncut-add-bench-XXXXXX";
    work = ::mkdtemp(tmpl);
  }
  std::filesystem::create_directories(work);
  const std::string text_path = work + "/prose.txt";
  const std::string mbox_path = work + "/short-messages.mbox";
  if (!MakeInputs(prose, messages, text_mb, text_path, mbox_path)) {
    std::fprintf(stderr, "could not make the inputs from the prose given\n");
    return 1;
  }
  struct Input {
    std::string label, path;
    uint64_t bytes = 0, text_bytes = 0;
    size_t items = 0, tokens = 0;
    Series s;
  };
  std::vector<Input> inputs = {{"plain text", text_path}, {"mailbox", mbox_path}};
  for (Input& in : inputs) in.bytes = std::filesystem::file_size(in.path);
  for (int r = 0; r < rounds; ++r) {
    for (Input& in : inputs) {
      Cost wc = WcReference(in.path);
      Cost tok = TokeniseReference(in.path, &in.tokens);
      AddResult add = Add(in.path, work + "/archive", r == 0);
      if (!add.ok) return 1;
      if (r == 0) {
        in.text_bytes = add.text_bytes;
        in.items = add.items;
      }
      in.s.wc_cpu.push_back(wc.cpu_s);
      in.s.tok_cpu.push_back(tok.cpu_s);
      in.s.add_cpu.push_back(add.cost.cpu_s);
      in.s.add_wall.push_back(add.cost.wall_s);
      std::printf("round %d %-10s add %.2f s CPU, %.2f s wall; wc -w %.3f s; tokenise %.3f s\n",
                  r + 1, in.label.c_str(), add.cost.cpu_s, add.cost.wall_s, wc.cpu_s, tok.cpu_s);
    }
  }
  std::printf("\n%zu rounds, min / median; MB/s of extracted text for the add, of file bytes "
              "for the references\n",
              static_cast<size_t>(rounds));
  for (const Input& in : inputs) {
    const double mb = in.bytes / 1e6, text = in.text_bytes / 1e6;
    const double msgs = static_cast<double>(in.items - 1);
    std::printf("%s: %.1f MB file, %.1f MB extracted text, %zu items, %zu tokens\n",
                in.label.c_str(), mb, text, in.items, in.tokens);
    auto line = [](const char* what, const std::vector<double>& secs, double amount,
                   const char* unit) {
      std::printf("  %-26s %7.3f / %7.3f s   %9.1f / %9.1f %s\n", what, Min(secs), Median(secs),
                  amount / std::max(Min(secs), 1e-9), amount / std::max(Median(secs), 1e-9), unit);
    };
    line("add, CPU", in.s.add_cpu, text, "MB/s");
    line("add, wall", in.s.add_wall, text, "MB/s");
    if (in.items > 1) {
      line("add, CPU", in.s.add_cpu, msgs, "messages/s");
      line("add, wall", in.s.add_wall, msgs, "messages/s");
    }
    line("reference wc -w, CPU", in.s.wc_cpu, mb, "MB/s");
    line("reference tokenise, CPU", in.s.tok_cpu, mb, "MB/s");
    std::printf("  add / tokenise (CPU, median): %.1fx\n",
                Median(in.s.add_cpu) / std::max(Median(in.s.tok_cpu), 1e-9));
  }
  std::printf("inputs: %s\n", work.c_str());
  return 0;
}
