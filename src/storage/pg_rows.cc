#include "storage/pg_rows.h"

#include <algorithm>

#include "base/status_macros.h"

namespace uncut {

std::string ByteaArrayOf(const std::vector<std::string_view>& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    out += i ? ",\"\\\\x" : "\"\\\\x";
    for (unsigned char c : v[i]) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    out += '"';
  }
  return out + "}";
}

absl::StatusOr<bool> TakeSweepTurn(PgConn* c) {
  ASSIGN_OR_RETURN(PgResult locked,
                   c->Exec("SELECT pg_try_advisory_xact_lock(hashtext('uncut sweep'))::text"));
  return locked.Get(0, 0) == "true";
}

absl::StatusOr<std::map<int64_t, std::string>> EndedBatches(PgConn* c, const std::set<int64_t>& batches,
                                                            uint64_t* running) {
  std::map<int64_t, std::string> ended;
  if (batches.empty()) return ended;
  ASSIGN_OR_RETURN(PgResult st,
                   c->Exec("SELECT x::text, coalesce(pg_xact_status(x::text::xid8), 'unknown') "
                           "FROM unnest($1::bigint[]) x",
                           {PgParam::Text(PgIntArray({batches.begin(), batches.end()}))}));
  for (int i = 0; i < st.rows(); ++i) {
    const std::string s(st.Get(i, 1));
    if (s == "in progress") {
      ++*running;
    } else {
      ended[st.GetInt(i, 0)] = s;
    }
  }
  return ended;
}

absl::StatusOr<std::vector<uint32_t>> ReadPostingItems(PgConn* c) {
  RETURN_IF_ERROR(c->ExecScript(
      "DECLARE uncut_posting_items NO SCROLL CURSOR FOR SELECT id::text FROM items "
      "WHERE id BETWEEN 0 AND 4294967295"));
  std::vector<uint32_t> live;
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, c->Exec("FETCH 50000 FROM uncut_posting_items"));
    if (r.rows() == 0) break;
    for (int i = 0; i < r.rows(); ++i) live.push_back(static_cast<uint32_t>(r.GetInt(i, 0)));
  }
  std::sort(live.begin(), live.end());
  RETURN_IF_ERROR(c->ExecScript("CLOSE uncut_posting_items"));
  return live;
}

absl::StatusOr<std::set<int64_t>> CountedBatches(PgConn* c, const std::vector<int64_t>& batches) {
  std::set<int64_t> counted;
  if (batches.empty()) return counted;
  ASSIGN_OR_RETURN(PgResult r, c->Exec("SELECT DISTINCT batch::text FROM index_batches "
                                       "WHERE batch = ANY($1::bigint[])",
                                       {PgParam::Text(PgIntArray(batches))}));
  for (int i = 0; i < r.rows(); ++i) counted.insert(r.GetInt(i, 0));
  return counted;
}

}  // namespace uncut
