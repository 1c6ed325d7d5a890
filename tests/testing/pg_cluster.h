// A local PostgreSQL cluster of three shard servers and a coordinator for
// tests (scripts/cluster.sh), shared by the tests of one process.
#ifndef UNCUT_TESTS_TESTING_PG_CLUSTER_H_
#define UNCUT_TESTS_TESTING_PG_CLUSTER_H_

#include <map>
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

}  // namespace uncut::testing

#endif  // UNCUT_TESTS_TESTING_PG_CLUSTER_H_
