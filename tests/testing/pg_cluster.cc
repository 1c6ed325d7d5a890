#include "testing/pg_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "absl/strings/str_join.h"
#include "testing/temp_dir.h"

namespace uncut::testing {
namespace {

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";

std::string Script() { return std::string(UNCUT_SOURCE_DIR) + "/scripts/cluster.sh"; }

std::map<std::string, std::string> ReadEnv(const std::string& dir) {
  std::map<std::string, std::string> env;
  std::ifstream in(dir + "/cluster.env");
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

std::string Psql(const std::map<std::string, std::string>& env, const std::string& server,
                 const std::string& sql) {
  return StrCat(kPgBin, "/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ", env.at("PORT_" + server),
                " -U ", env.at("OWNER"), " -d postgres -c ", ShellQuote(sql));
}

}  // namespace

TestCluster* TestCluster::Get(std::string* why) {
  static std::mutex mu;
  static std::unique_ptr<TestCluster> cluster;
  static std::string failure;
  std::lock_guard<std::mutex> lock(mu);
  if (cluster) return cluster.get();
  if (!failure.empty()) {
    *why = failure;
    return nullptr;
  }
  std::unique_ptr<TestCluster> c(new TestCluster());
  const char* env = std::getenv("UNCUT_TEST_CLUSTER");
  const std::string shared = env && *env ? env : UNCUT_TEST_CLUSTER_DIR;
  if (::access((shared + "/cluster.env").c_str(), R_OK) == 0) {
    c->dir_ = shared;
  } else if (::access((std::string(kPgBin) + "/initdb").c_str(), X_OK) != 0) {
    failure = StrCat("PostgreSQL 15 is not installed (", kPgBin,
                     "/initdb); scripts/install-deps.sh installs it");
    *why = failure;
    return nullptr;
  } else {
    // A directory of its own, which the servers' user can reach.
    char tmpl[] = "/tmp/uncut-cluster-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr || ::chmod(tmpl, 0755) != 0) {
      failure = "cannot make a directory for the cluster";
      *why = failure;
      return nullptr;
    }
    c->dir_ = tmpl;
    c->owned_ = true;
    RunResult r = RunShell(StrCat("UNCUT_CLUSTER_FAST=1 UNCUT_CLUSTER_INIT=0 ", Script(),
                                  " start 3 ", ShellQuote(c->dir_ + "/c")));
    if (r.exit_code != 0) {
      failure = StrCat("scripts/cluster.sh start failed: ", r.err);
      *why = failure;
      RunShell(StrCat(Script(), " stop ", ShellQuote(c->dir_ + "/c")));
      RunShell(StrCat("rm -rf ", ShellQuote(c->dir_)));
      return nullptr;
    }
    c->dir_ += "/c";
  }
  c->env_ = ReadEnv(c->dir_);
  cluster = std::move(c);
  return cluster.get();
}

TestCluster::~TestCluster() {
  if (!owned_) return;
  RunShell(StrCat(Script(), " stop ", ShellQuote(dir_)));
  std::string parent = dir_.substr(0, dir_.rfind('/'));
  RunShell(StrCat("rm -rf ", ShellQuote(parent)));
}

std::string TestCluster::Uri(const std::string& server, const std::string& db) const {
  return StrCat("postgresql://", env_.at("OWNER"), "@127.0.0.1:", env_.at("PORT_" + server), "/",
                db);
}

std::string TestCluster::Databases::ShardList() const { return absl::StrJoin(shards, ","); }

TestCluster::Databases TestCluster::NewDatabases() {
  static std::atomic<int> counter{0};
  const std::string db = StrCat("t", ::getpid(), "_", counter++);
  Databases out;
  const int shards = std::atoi(env_.at("SHARDS").c_str());
  for (int i = 0; i <= shards; ++i) {
    const std::string server = i == 0 ? "coordinator" : StrCat("shard", i);
    RunResult r = RunShell(Psql(env_, server, StrCat("CREATE DATABASE ", db)));
    if (r.exit_code != 0) throw std::runtime_error("CREATE DATABASE failed: " + r.err);
    if (i == 0) {
      out.coordinator = Uri(server, db);
    } else {
      out.shards.push_back(Uri(server, db));
    }
  }
  return out;
}

namespace {

// Runs a PostgreSQL program as the servers' owner (postgres, when root).
std::string AsOwner(const std::string& command) {
  return ::getuid() == 0 ? StrCat("runuser -u postgres -- ", command) : command;
}

}  // namespace

std::unique_ptr<OwnCluster> OwnCluster::Start(int shards, std::string* why) {
  if (::access((std::string(kPgBin) + "/initdb").c_str(), X_OK) != 0) {
    *why = StrCat("PostgreSQL 15 is not installed (", kPgBin, "/initdb)");
    return nullptr;
  }
  char tmpl[] = "/tmp/uncut-own-cluster-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr || ::chmod(tmpl, 0755) != 0) {
    *why = "cannot make a directory for the cluster";
    return nullptr;
  }
  std::unique_ptr<OwnCluster> c(new OwnCluster());
  c->parent_ = tmpl;
  c->dir_ = c->parent_ + "/c";
  RunResult r = RunShell(StrCat("UNCUT_CLUSTER_FAST=1 UNCUT_BIN=", ShellQuote(UncutBinary()), " ",
                                Script(), " start ", shards, " ", ShellQuote(c->dir_)));
  if (r.exit_code != 0) {
    *why = StrCat("scripts/cluster.sh start failed: ", r.err);
    return nullptr;  // the destructor stops what started
  }
  c->env_ = ReadEnv(c->dir_);
  c->uri_ = c->env_["URI"];
  return c;
}

OwnCluster::~OwnCluster() {
  RunShell(StrCat(Script(), " stop ", ShellQuote(dir_)));
  RunShell(StrCat("rm -rf ", ShellQuote(parent_)));
}

std::string OwnCluster::StopServer(const std::string& server) {
  RunResult r = RunShell(AsOwner(StrCat(kPgBin, "/pg_ctl -D ", ShellQuote(dir_ + "/" + server),
                                        " -m fast -w -t 120 stop")));
  return r.exit_code == 0 ? "" : r.err;
}

std::string OwnCluster::StartServer(const std::string& server) {
  RunResult r = RunShell(AsOwner(StrCat(kPgBin, "/pg_ctl -D ", ShellQuote(dir_ + "/" + server),
                                        " -l ", ShellQuote(dir_ + "/" + server + ".log"),
                                        " -w -t 120 start")));
  return r.exit_code == 0 ? "" : r.err;
}

}  // namespace uncut::testing
