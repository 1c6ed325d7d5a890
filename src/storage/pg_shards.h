// Direct connections from a reader to the shard servers of a PostgreSQL
// archive (storage/postgres_storage.h), for the reads that fan out to every
// partition: one statement per server covering all of its partitions, sent to
// every server before any answer is awaited.
//
// Why not through the coordinator's foreign tables: a fresh coordinator
// session plans a query over the partitioned table in hundreds of
// milliseconds (it loads the partitions' catalog entries and postgres_fdw,
// then opens its own connection to each shard), and then runs a cursor per
// partition, one after another on each server. A command-line trace pays
// that once per process. Going straight to the shards costs one connection
// per server, opened at once, and one round trip per server.
//
// Where the partitions are is read from the coordinator's own catalog
// (pg_foreign_table, pg_foreign_server, pg_user_mappings), so moving a
// partition to another server (docs/cluster.md) needs no client change.
// The connection takes the server's libpq options (host, port, dbname, ...),
// the user (and password) of its user mapping when this role may read them,
// else those of the coordinator URI.
#ifndef UNCUT_STORAGE_PG_SHARDS_H_
#define UNCUT_STORAGE_PG_SHARDS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/pg_conn.h"

namespace uncut {

class PgShards {
 public:
  // Reads where the partitions of `tables` are from the coordinator `coord`
  // and connects to each server that holds some, all at once. When any of
  // them is kept on the coordinator (an archive without --shards) the result
  // is empty: the coordinator answers.
  // The error of a server out of reach names it (its foreign server's name
  // and address) and libpq's reason, kUnavailable.
  // With `wait` false the connections are still being opened when it
  // returns (the catalog has been read): the first ForEachServer waits for
  // them and returns the error of one that failed, so a caller can do other
  // work meanwhile.
  static absl::StatusOr<std::unique_ptr<PgShards>> Connect(PgConn* coord,
                                                           const std::string& coord_uri,
                                                           const std::vector<std::string>& tables,
                                                           bool wait = true);
  ~PgShards();

  bool empty() const { return servers_.empty(); }

  // Runs, on every server at once, the union of `select(t)` over the remote
  // names t of the partitions of `table` it holds (each a complete SELECT whose
  // columns are bytea or text), binary results, and calls `row` for each
  // server's result. The first error is returned (every server's answer is
  // awaited first, so the connections stay usable).
  // `with` (a WITH clause, or "") comes before the union.
  absl::Status ForEachServer(const std::string& table, const std::string& with,
                             const std::function<std::string(const std::string&)>& select,
                             const std::vector<PgParam>& params,
                             const std::function<absl::Status(const PgResult&)>& each);

 private:
  struct Server {
    std::string name;  // the foreign server and where it is, for messages
    std::map<std::string, std::vector<std::string>> tables;  // remote names by table
    std::unique_ptr<PgConn> conn;
  };
  // Waits for the connections being opened; the first error, every time.
  absl::Status Connected();

  std::vector<Server> servers_;
  std::vector<std::string> infos_;  // each server's connection string
  std::vector<std::thread> connecting_;
  std::vector<absl::Status> errors_;  // of connecting_, one per server
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_PG_SHARDS_H_
