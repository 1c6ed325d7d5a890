// A connection to a PostgreSQL server through libpq, with RAII handles and
// errors as Status values that name the server, as store/sqlite.h does for
// SQLite.
#ifndef UNCUT_STORAGE_PG_CONN_H_
#define UNCUT_STORAGE_PG_CONN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct pg_conn;
struct pg_result;

namespace uncut {

// Whether `archive` names a PostgreSQL archive (a libpq connection URI,
// postgresql://… or postgres://…) rather than a directory.
bool IsPostgresUri(std::string_view archive);

// The URI without a password, for messages.
std::string RedactedUri(std::string_view uri);

// Array literals for a text parameter cast to bigint[] or text[]: the
// numbers, and values that hold no quote or backslash (hex digests, tids,
// ranges), each quoted.
inline std::string PgIntArray(const std::vector<int64_t>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "}";
}
template <typename Strings>
std::string PgQuotedArray(const Strings& v) {
  std::string out = "{";
  for (const std::string& s : v) out += (out.size() > 1 ? ",\"" : "\"") + s + "\"";
  return out + "}";
}

// Whether an error of a PostgreSQL archive is the cluster's rather than one
// item's: a server out of reach, a statement that failed or was aborted,
// resources exhausted (the codes a server error gets here). A command that
// goes through many items stops on one; an item's own error (a damaged or
// undecodable original) names the item and the command goes on.
bool IsClusterError(const absl::Status& s);

// A query parameter: text, or bytes sent as binary (bytea), or NULL.
struct PgParam {
  static PgParam Text(std::string v) { return PgParam{std::move(v), false, false}; }
  static PgParam Bytes(std::string_view v) { return PgParam{std::string(v), true, false}; }
  static PgParam Int(int64_t v) { return PgParam{std::to_string(v), false, false}; }
  static PgParam Null() { return PgParam{"", false, true}; }
  static PgParam OptText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(); }
  std::string value;
  bool binary = false;
  bool null = false;
};

// A query's rows. Cells are read as text, or as bytes when the query asked
// for binary results.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r);
  int rows() const;
  bool IsNull(int row, int col) const;
  std::string_view Get(int row, int col) const;
  std::optional<std::string> GetOpt(int row, int col) const;
  // A text cell as a number (0 when NULL).
  int64_t GetInt(int row, int col) const;

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> r_;
};

class PgConn {
 public:
  // Connects; the error names the server and libpq's reason (kUnavailable).
  static absl::StatusOr<std::unique_ptr<PgConn>> Connect(const std::string& uri);
  // The same with libpq's connection string (URI or key=value pairs) and
  // the name messages give the server.
  static absl::StatusOr<std::unique_ptr<PgConn>> Connect(const std::string& conninfo,
                                                         std::string name);
  ~PgConn();

  // Runs one statement. Results come as text, or as raw bytes when
  // `binary_results` (then select only bytea and text columns).
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params = {},
                                bool binary_results = false);
  // Sends one statement without waiting for its result, so that several
  // servers can work at once; Receive waits for it. Until then the
  // connection runs nothing else.
  absl::Status Send(const std::string& sql, const std::vector<PgParam>& params = {},
                    bool binary_results = false);
  absl::StatusOr<PgResult> Receive();

  // Runs statements without parameters (several, separated by semicolons).
  absl::Status ExecScript(const std::string& sql);

  const std::string& name() const { return name_; }
  // Connected, and in no transaction.
  bool Idle() const;
  // The connection was lost (the server stopped or cut it): every call
  // fails until a new one is made.
  bool Broken() const;
  // Quotes a literal for SQL text (DDL takes no parameters).
  std::string Literal(std::string_view s) const;

 private:
  explicit PgConn(pg_conn* c, std::string name);
  absl::Status ErrorOf(pg_result* r) const;

  struct Finish {
    void operator()(pg_conn* c) const;
  };
  std::unique_ptr<pg_conn, Finish> c_;
  std::string name_;
};

// The host, port, database and user of a connection URI, as libpq reads it.
struct PgTarget {
  std::string host, port, dbname, user;
};
absl::StatusOr<PgTarget> ParsePgUri(const std::string& uri);

}  // namespace uncut

#endif  // UNCUT_STORAGE_PG_CONN_H_
