// A local PostgreSQL cluster of three shard servers and a coordinator for
// tests (scripts/cluster.sh), shared by the tests of one process.
#ifndef UNCUT_TESTS_TESTING_PG_CLUSTER_H_
#define UNCUT_TESTS_TESTING_PG_CLUSTER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace uncut::testing {

class TestCluster {
 public:
  // The cluster: the one in $UNCUT_TEST_CLUSTER, or in the directory where
  // CTest's fixture postgres_cluster starts one (CMakeLists.txt), else one started in a temporary directory on
  // first use and stopped when the process exits. nullptr, with the reason
  // in *why, when PostgreSQL is not installed; a cluster that fails to
  // start is a test failure (the reason is in *why too).
  static TestCluster* Get(std::string* why);

  // Empty databases of their own, one per server.
  struct Databases {
    std::string coordinator;          // URI
    std::vector<std::string> shards;  // URIs
    // The shards' URIs as `init --shards` takes them (comma-separated).
    std::string ShardList() const;
  };
  Databases NewDatabases();

  ~TestCluster();

 private:
  TestCluster() = default;
  std::string dir_;
  bool owned_ = false;
  std::map<std::string, std::string> env_;
  std::string Uri(const std::string& server, const std::string& db) const;
};

// A cluster of its own (scripts/cluster.sh start N, with an archive made
// by `uncut init`), for tests that stop and start its servers; stopped and
// removed when destroyed.
class OwnCluster {
 public:
  // nullptr, with the reason in *why, when it cannot be started.
  static std::unique_ptr<OwnCluster> Start(int shards, std::string* why);
  ~OwnCluster();

  const std::string& uri() const { return uri_; }  // the archive's
  // The TCP port of a server: "coordinator", "shard1", ...
  std::string Port(const std::string& server) const { return env_.at("PORT_" + server); }
  // Stops (fast: sessions are cut) or starts one server; "" or the error.
  std::string StopServer(const std::string& server);
  std::string StartServer(const std::string& server);

 private:
  OwnCluster() = default;
  std::string parent_, dir_, uri_;
  std::map<std::string, std::string> env_;
};

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_PG_CLUSTER_H_
