#include "storage/pg_conn.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <utility>

#include "base/strings.h"

namespace uncut {
namespace {

// The first line of a libpq message, without its trailing newline.
std::string FirstLine(std::string_view s) {
  size_t end = s.find('\n');
  std::string out(s.substr(0, end));
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  return out;
}

// A server error's SQLSTATE class decides the code: connections lost or
// refused (08), a server shutting down (57P) or out of resources (53) are
// kUnavailable; a unique violation is kAlreadyExists.
absl::StatusCode CodeFor(std::string_view sqlstate) {
  if (sqlstate.substr(0, 2) == "08" || sqlstate.substr(0, 3) == "57P" ||
      sqlstate.substr(0, 2) == "53" || sqlstate.empty()) {
    return absl::StatusCode::kUnavailable;
  }
  if (sqlstate == "23505") return absl::StatusCode::kAlreadyExists;
  if (sqlstate == "40001" || sqlstate == "40P01") return absl::StatusCode::kAborted;
  if (sqlstate.substr(0, 2) == "42") return absl::StatusCode::kFailedPrecondition;
  return absl::StatusCode::kInternal;
}

}  // namespace

bool IsPostgresUri(std::string_view archive) {
  return archive.rfind("postgresql://", 0) == 0 || archive.rfind("postgres://", 0) == 0;
}

bool IsClusterError(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsInternal(s) || absl::IsAborted(s) ||
         absl::IsFailedPrecondition(s) || absl::IsResourceExhausted(s);
}

std::string RedactedUri(std::string_view uri) {
  // postgresql://user:password@host/... -> postgresql://user@host/...
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  size_t at = uri.find('@', scheme + 3);
  size_t slash = uri.find('/', scheme + 3);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(uri);
  }
  size_t colon = uri.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(uri);
  return StrCat(uri.substr(0, colon), uri.substr(at));
}

PgResult::PgResult(pg_result* r) : r_(r) {}
void PgResult::Clear::operator()(pg_result* r) const { PQclear(r); }
int PgResult::rows() const { return r_ ? PQntuples(r_.get()) : 0; }
bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
std::string_view PgResult::Get(int row, int col) const {
  return std::string_view(PQgetvalue(r_.get(), row, col),
                          static_cast<size_t>(PQgetlength(r_.get(), row, col)));
}
std::optional<std::string> PgResult::GetOpt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Get(row, col));
}
int64_t PgResult::GetInt(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

void PgConn::Finish::operator()(pg_conn* c) const { PQfinish(c); }

PgConn::PgConn(pg_conn* c, std::string name) : c_(c), name_(std::move(name)) {}
PgConn::~PgConn() = default;

absl::StatusOr<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& uri) {
  return Connect(uri, RedactedUri(uri));
}

absl::StatusOr<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo,
                                                        std::string name) {
  pg_conn* c = PQconnectdb(conninfo.c_str());
  if (c == nullptr) return absl::ResourceExhaustedError(StrCat(name, ": out of memory"));
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = FirstLine(PQerrorMessage(c));
    PQfinish(c);
    return absl::UnavailableError(StrCat(name, ": cannot connect: ", why));
  }
  // Messages from the server come in English whatever its locale, and
  // notices (IF NOT EXISTS) are not printed.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  std::unique_ptr<PgConn> conn(new PgConn(c, std::move(name)));
  return conn;
}

absl::Status PgConn::ErrorOf(pg_result* r) const {
  std::string sqlstate, primary, detail;
  if (r != nullptr) {
    if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) sqlstate = s;
    if (const char* s = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) primary = s;
    if (const char* s = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) detail = FirstLine(s);
  }
  if (primary.empty()) primary = FirstLine(PQerrorMessage(c_.get()));
  if (PQstatus(c_.get()) == CONNECTION_BAD) sqlstate = "08006";
  std::string msg = StrCat(name_, ": ", primary);
  if (!detail.empty()) msg += StrCat(": ", detail);
  return absl::Status(CodeFor(sqlstate), msg);
}

absl::StatusOr<PgResult> PgConn::Exec(const std::string& sql, const std::vector<PgParam>& params,
                                      bool binary_results) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].null ? nullptr : params[i].value.data();
    lengths[i] = static_cast<int>(params[i].value.size());
    formats[i] = params[i].binary ? 1 : 0;
  }
  pg_result* r = PQexecParams(c_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                              values.data(), lengths.data(), formats.data(),
                              binary_results ? 1 : 0);
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    absl::Status s = ErrorOf(r);
    PQclear(r);
    return s;
  }
  return PgResult(r);
}

absl::Status PgConn::Send(const std::string& sql, const std::vector<PgParam>& params,
                          bool binary_results) {
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].null ? nullptr : params[i].value.data();
    lengths[i] = static_cast<int>(params[i].value.size());
    formats[i] = params[i].binary ? 1 : 0;
  }
  if (PQsendQueryParams(c_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                        values.data(), lengths.data(), formats.data(),
                        binary_results ? 1 : 0) != 1) {
    return ErrorOf(nullptr);
  }
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PgConn::Receive() {
  // One statement gives one result, then NULL; the first error is kept.
  PgResult out;
  absl::Status error;
  while (pg_result* r = PQgetResult(c_.get())) {
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      if (error.ok()) error = ErrorOf(r);
      PQclear(r);
    } else {
      out = PgResult(r);
    }
  }
  if (!error.ok()) return error;
  return out;
}

absl::Status PgConn::ExecScript(const std::string& sql) {
  pg_result* r = PQexec(c_.get(), sql.c_str());
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  absl::Status s = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? absl::OkStatus() : ErrorOf(r);
  PQclear(r);
  return s;
}

std::string PgConn::Literal(std::string_view s) const {
  char* q = PQescapeLiteral(c_.get(), s.data(), s.size());
  if (q == nullptr) return "''";
  std::string out(q);
  PQfreemem(q);
  return out;
}

absl::StatusOr<PgTarget> ParsePgUri(const std::string& uri) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(uri.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err ? FirstLine(err) : "cannot parse";
    if (err) PQfreemem(err);
    return absl::InvalidArgumentError(StrCat(RedactedUri(uri), ": ", why));
  }
  PgTarget t;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view k = o->keyword;
    if (k == "host") t.host = o->val;
    if (k == "port") t.port = o->val;
    if (k == "dbname") t.dbname = o->val;
    if (k == "user") t.user = o->val;
  }
  PQconninfoFree(opts);
  return t;
}

bool PgConn::Broken() const { return PQstatus(c_.get()) == CONNECTION_BAD; }

bool PgConn::Idle() const {
  return PQstatus(c_.get()) == CONNECTION_OK && PQtransactionStatus(c_.get()) == PQTRANS_IDLE;
}

}  // namespace uncut
