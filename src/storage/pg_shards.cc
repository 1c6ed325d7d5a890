#include "storage/pg_shards.h"

#include <libpq-fe.h>

#include <map>
#include <set>
#include <thread>
#include <utility>

#include "base/status_macros.h"
#include "base/strings.h"

namespace uncut {
namespace {

// The keywords libpq takes in a connection string.
std::set<std::string> LibpqKeywords() {
  std::set<std::string> out;
  PQconninfoOption* opts = PQconndefaults();
  if (opts == nullptr) return out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) out.insert(o->keyword);
  PQconninfoFree(opts);
  return out;
}

// key='value' as a libpq connection string wants it.
std::string ConnPair(const std::string& key, const std::string& value) {
  std::string quoted;
  for (char c : value) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  return StrCat(key, "='", quoted, "' ");
}

// The user and password of the coordinator URI (the defaults for the shards).
std::map<std::string, std::string> Credentials(const std::string& uri) {
  std::map<std::string, std::string> out;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    const std::string k = o->keyword;
    if (o->val != nullptr && (k == "user" || k == "password" || k == "passfile")) out[k] = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgShards>> PgShards::Connect(PgConn* coord,
                                                            const std::string& coord_uri,
                                                            const std::vector<std::string>& tables,
                                                            bool wait) {
  std::unique_ptr<PgShards> shards(new PgShards());
  std::string names;
  for (const std::string& t : tables) names += StrCat(names.empty() ? "" : ",", t);
  ASSIGN_OR_RETURN(
      PgResult parts,
      coord->Exec("SELECT coalesce(s.srvname, ''), coalesce((SELECT option_value FROM "
                  "pg_options_to_table(ft.ftoptions) WHERE option_name = 'table_name'), c.relname) "
                  ", p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                  "LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid "
                  "LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver "
                  "JOIN pg_class p ON p.oid = i.inhparent "
                  "WHERE p.relname = ANY(string_to_array($1, ',')) AND "
                  "p.relnamespace = 'public'::regnamespace ORDER BY 1, c.oid",
                  {PgParam::Text(names)}));
  // By foreign server: the remote names of its partitions, by table.
  std::map<std::string, std::map<std::string, std::vector<std::string>>> held;
  for (int i = 0; i < parts.rows(); ++i) {
    // A partition kept on the coordinator: the coordinator answers for all.
    if (parts.Get(i, 0).empty()) return shards;
    held[std::string(parts.Get(i, 0))][std::string(parts.Get(i, 2))].push_back(
        std::string(parts.Get(i, 1)));
  }
  if (held.empty()) return shards;
  // Options of the servers, then of the user mappings (this role's before
  // PUBLIC's; rows the role may not read are absent).
  ASSIGN_OR_RETURN(
      PgResult opts,
      coord->Exec("SELECT s.srvname, o.option_name, o.option_value, 0 FROM pg_foreign_server s, "
                  "pg_options_to_table(s.srvoptions) o "
                  "UNION ALL SELECT um.srvname, o.option_name, o.option_value, "
                  "CASE WHEN um.usename = 'public' THEN 1 ELSE 2 END FROM pg_user_mappings um, "
                  "pg_options_to_table(um.umoptions) o "
                  "WHERE um.usename IN (current_user, 'public') ORDER BY 4",
                  {}));
  const std::set<std::string> keywords = LibpqKeywords();
  const std::map<std::string, std::string> defaults = Credentials(coord_uri);
  std::map<std::string, std::map<std::string, std::string>> conninfo;
  for (const auto& [server, unused] : held) conninfo[server] = defaults;
  for (int i = 0; i < opts.rows(); ++i) {
    auto it = conninfo.find(std::string(opts.Get(i, 0)));
    const std::string key(opts.Get(i, 1));
    if (it != conninfo.end() && keywords.count(key)) it->second[key] = std::string(opts.Get(i, 2));
  }
  for (auto& [server, names] : held) {
    const auto& o = conninfo[server];
    std::string info, where;
    for (const auto& [k, v] : o) info += ConnPair(k, v);
    for (const char* k : {"host", "port", "dbname"}) {
      auto v = o.find(k);
      if (v != o.end()) where += StrCat(where.empty() ? "" : " ", k, "=", v->second);
    }
    Server s;
    s.name = StrCat(server, " (", where, ")");
    s.tables = std::move(names);
    shards->servers_.push_back(std::move(s));
    shards->infos_.push_back(std::move(info));
  }
  // Every server at once: a connection costs a round trip or two and the
  // start of a server process.
  shards->errors_.resize(shards->servers_.size());
  for (size_t i = 0; i < shards->servers_.size(); ++i) {
    Server* s = &shards->servers_[i];
    absl::Status* error = &shards->errors_[i];
    const std::string* info = &shards->infos_[i];
    shards->connecting_.emplace_back([s, error, info] {
      auto c = PgConn::Connect(*info, s->name);
      if (c.ok()) {
        s->conn = std::move(*c);
      } else {
        *error = c.status();
      }
    });
  }
  if (wait) RETURN_IF_ERROR(shards->Connected());
  return shards;
}

PgShards::~PgShards() {
  for (std::thread& t : connecting_) t.join();
}

absl::Status PgShards::Connected() {
  for (std::thread& t : connecting_) t.join();
  connecting_.clear();
  for (const absl::Status& e : errors_) RETURN_IF_ERROR(e);
  return absl::OkStatus();
}

absl::Status PgShards::ForEachServer(
    const std::string& table, const std::string& with, const std::function<std::string(const std::string&)>& select,
    const std::vector<PgParam>& params,
    const std::function<absl::Status(const PgResult&)>& each) {
  RETURN_IF_ERROR(Connected());
  std::vector<absl::Status> sent(servers_.size(), absl::CancelledError());
  for (size_t i = 0; i < servers_.size(); ++i) {
    auto t = servers_[i].tables.find(table);
    if (t == servers_[i].tables.end()) continue;
    std::string sql;
    for (const std::string& name : t->second) {
      sql += StrCat(sql.empty() ? "" : " UNION ALL ", select(name));
    }
    sent[i] = servers_[i].conn->Send(with + sql, params, /*binary_results=*/true);
  }
  absl::Status first;
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (absl::IsCancelled(sent[i])) continue;  // holds none of the table
    if (!sent[i].ok()) {
      if (first.ok()) first = sent[i];
      continue;
    }
    absl::StatusOr<PgResult> r = servers_[i].conn->Receive();
    if (!r.ok()) {
      if (first.ok()) first = r.status();
      continue;
    }
    if (first.ok()) first = each(*r);
  }
  return first;
}

}  // namespace uncut
