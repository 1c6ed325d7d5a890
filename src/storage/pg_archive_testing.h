// Test fixture for tests that need an empty PostgreSQL archive of their
// own on the shared test cluster (tests/testing/pg_cluster.h).
#ifndef UNCUT_STORAGE_PG_ARCHIVE_TESTING_H_
#define UNCUT_STORAGE_PG_ARCHIVE_TESTING_H_

#include <gtest/gtest.h>

#include <string>

#include "storage/postgres_storage.h"
#include "testing/pg_cluster.h"

namespace uncut::testing {

// Makes, for each test, an archive (`uncut init` on new databases, one per
// server) whose URI is `uri_`; skips the test when PostgreSQL is not
// installed. A subclass that adds to SetUp calls this one first and returns
// when IsSkipped() or HasFatalFailure().
class ClusterArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    TestCluster* cluster = TestCluster::Get(&why);
    if (cluster == nullptr && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    TestCluster::Databases dbs = cluster->NewDatabases();
    ASSERT_TRUE(PgArchive::Init(dbs.coordinator, dbs.shards).ok());
    uri_ = dbs.coordinator;
    shard_uris_ = dbs.shards;
  }

  std::string uri_;
  std::vector<std::string> shard_uris_;
};

}  // namespace uncut::testing

#endif  // UNCUT_STORAGE_PG_ARCHIVE_TESTING_H_
