// What compaction costs and gives as a cluster grows by adds: write
// amplification (postings rewritten by compactions / postings added) and
// the posting blocks a lookup of one key reads (rows whose span holds it).
//
//   uncut_compaction_bench ARCHIVE_URI POLICY [BATCHES] [ITEMS] [POSTINGS]
//
// ARCHIVE_URI: a new archive (`uncut init`); POLICY: what runs after each
// add: `levels` (what `add` runs now: PgCompactScope::kSmallRuns),
// `full` (every server's runs merged into one: what a compaction after
// each add did before levels), or `none` (nothing: adds before levels,
// which compacted only at `sweep`). Each add is one batch of ITEMS items
// (default 10) of POSTINGS postings each (default 30000), keys drawn at
// random from 2 Mi random 64-bit hashes (as picture and sound keys are),
// so that a batch's blocks span the whole key range. Prints one line per
// add and a summary; a lookup's blocks are counted for 400 keys drawn from
// those added.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/strings.h"
#include "storage/pg_conn.h"
#include "storage/postgres_storage.h"

namespace uncut {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Rows of text postings whose span holds each key: mean and most.
std::pair<double, int64_t> BlocksPerKey(PgConn* c, const std::vector<uint64_t>& keys) {
  std::vector<int64_t> stored;
  for (uint64_t k : keys) stored.push_back(StoredKey(k));
  auto r = c->Exec("SELECT count(p.*)::text FROM unnest($1::int8[]) k LEFT JOIN postings p "
                   "ON p.modality = 1 AND p.span @> k GROUP BY k",
                   {PgParam::Text(PgIntArray(stored))});
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
    std::exit(1);
  }
  int64_t sum = 0, most = 0;
  for (int i = 0; i < r->rows(); ++i) {
    sum += r->GetInt(i, 0);
    most = std::max(most, r->GetInt(i, 0));
  }
  return {r->rows() ? static_cast<double>(sum) / r->rows() : 0, most};
}

int Run(const std::string& uri, const std::string& policy, int batches, int items,
        int postings) {
  auto archive = PgArchive::Open(uri);
  auto conn = PgConn::Connect(uri);
  if (!archive.ok() || !conn.ok()) {
    std::fprintf(stderr, "%s\n", std::string((archive.ok() ? conn.status() : archive.status()).message()).c_str());
    return 1;
  }
  std::mt19937_64 rng(7);
  std::vector<uint64_t> vocabulary(2u << 20);
  for (uint64_t& k : vocabulary) k = rng();
  std::vector<uint64_t> sample;
  uint64_t added = 0, rewritten = 0;
  double add_s = 0, compact_s = 0;
  std::printf("add  added_postings  rewritten  write_amp  blocks/key(mean)  blocks/key(max)  "
              "add_s  compact_s  this_compact_s  plan_rows  merges\n");
  for (int b = 0; b < batches; ++b) {
    auto start = std::chrono::steady_clock::now();
    auto batch = (*archive)->BeginWrite();
    if (!batch.ok()) return 1;
    for (int i = 0; i < items; ++i) {
      const std::string bytes = StrCat("synthetic item ", b, " ", i);
      PgNewItem n;
      n.item.sha256 = n.item.object = Sha256Hex(bytes);
      n.item.size = bytes.size();
      n.item.kind = "text";
      n.item.name = bytes;
      for (int p = 0; p < postings; ++p) {
        n.postings[Modality::kText].push_back(
            {vocabulary[rng() % vocabulary.size()], 0, static_cast<uint32_t>(p)});
      }
      if (sample.size() < 400 && i == 0 && b % 2 == 0) {
        for (int s = 0; s < 40; ++s) sample.push_back(n.postings[Modality::kText][s].key);
      }
      if (!(*batch)->PutObjectBytes(n.item.object, bytes).ok() || !(*batch)->AddItem(std::move(n)).ok()) {
        return 1;
      }
    }
    if (absl::Status s = (*batch)->Commit(); !s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      return 1;
    }
    batch->reset();
    add_s += Seconds(start);
    added += static_cast<uint64_t>(items) * postings;
    start = std::chrono::steady_clock::now();
    uint64_t plan_rows = 0, merges = 0;
    if (policy != "none") {
      auto r = (*archive)->Compact("", policy == "full" ? PgCompactScope::kFull
                                                        : PgCompactScope::kSmallRuns);
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
        return 1;
      }
      rewritten += r->postings;
      plan_rows = r->plan_rows;
      merges = r->merges;
    }
    const double this_compact_s = Seconds(start);
    compact_s += this_compact_s;
    const auto [mean, most] = BlocksPerKey(conn->get(), sample);
    std::printf("%3d  %14" PRIu64 "  %9" PRIu64 "  %9.2f  %16.2f  %15" PRId64 "  %5.1f  %9.1f  %14.3f  %9" PRIu64 "  %6" PRIu64 "\n",
                b + 1, added, rewritten, static_cast<double>(rewritten) / added, mean, most, add_s,
                compact_s, this_compact_s, plan_rows, merges);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace uncut

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ARCHIVE_URI levels|full|none [BATCHES] [ITEMS] [POSTINGS]\n", argv[0]);
    return 2;
  }
  return uncut::Run(argv[1], argv[2], argc > 3 ? std::atoi(argv[3]) : 20,
                    argc > 4 ? std::atoi(argv[4]) : 10, argc > 5 ? std::atoi(argv[5]) : 30000);
}
