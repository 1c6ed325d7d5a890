// The audit log: written with the change it records, append-only, and
// added to catalogs made before it was kept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file.h"
#include "store/archive.h"
#include "store/archive_testing.h"

namespace uncut {
namespace {

class AuditLog : public ArchiveTest {
 protected:
  int64_t Add(const std::string& bytes, const std::string& name) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    auto id = (*batch)->AddItem(StagedItem(batch->get(), bytes, "text", name));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *id;
  }
  std::vector<AuditEntry> Log(Archive* a) {
    auto log = a->AuditLog();
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *log : std::vector<AuditEntry>();
  }
  std::string Catalog() { return JoinPath(dir_.File("archive"), "catalog.sqlite"); }
};

TEST_F(AuditLog, AddsAndRemovalsAreRecordedWithTheActorTheBatchNames) {
  int64_t id = Add("first bytes", "a.txt");
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    (*batch)->SetActor("token", "192.0.2.7");
    ASSERT_TRUE((*batch)->RemoveItem(id).ok());
    ASSERT_TRUE((*batch)->Commit().ok());
  }
  std::vector<AuditEntry> log = Log(archive_.get());
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "add");
  EXPECT_EQ(log[0].actor, CurrentUserName());
  EXPECT_EQ(log[0].client, "");
  EXPECT_EQ(log[1].action, "remove");
  EXPECT_EQ(log[1].actor, "token");
  EXPECT_EQ(log[1].client, "192.0.2.7");
  EXPECT_EQ(log[1].details["items"][0]["name"], "a.txt");
  EXPECT_EQ(log[1].details["items"][0]["sha256"], log[0].details["items"][0]["sha256"]);
  EXPECT_TRUE(ValidateRfc3339(log[1].at).ok()) << log[1].at;
}

TEST_F(AuditLog, ABatchThatIsNotCommittedLeavesNoEntry) {
  {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->AddItem(StagedItem(batch->get(), "never", "text", "n.txt")).ok());
    (*batch)->Record("export", {{"count", 0}});
  }
  EXPECT_TRUE(Log(archive_.get()).empty());
  EXPECT_TRUE(archive_->ListItems()->empty());
}

TEST_F(AuditLog, SettingsAreKeptWithTheCatalogAndEachChangeIsRecorded) {
  auto set = [&](const std::string& name, std::optional<std::string> value) {
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok()) << batch.status();
    (*batch)->SetSetting(name, std::move(value));
    ASSERT_TRUE((*batch)->Commit().ok());
  };
  set("tsa", "http://127.0.0.1:9/tsr");
  set("tsa", "http://127.0.0.1:10/tsr");
  set("tsa-ca", "/etc/ca.pem");
  {  // not committed: not kept
    auto batch = archive_->BeginWrite();
    ASSERT_TRUE(batch.ok());
    (*batch)->SetSetting("tsa", "http://never/");
  }
  auto reopened = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto all = (*reopened)->Settings();
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, (std::map<std::string, std::string>{{"tsa", "http://127.0.0.1:10/tsr"},
                                                      {"tsa-ca", "/etc/ca.pem"}}));
  set("tsa", std::nullopt);
  EXPECT_EQ(*(*reopened)->Setting("tsa"), std::nullopt);
  EXPECT_EQ(*(*reopened)->Setting("tsa-ca"), "/etc/ca.pem");
  std::vector<AuditEntry> log = Log(reopened->get());
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[1].action, "config");
  EXPECT_EQ(log[1].details["setting"], "tsa");
  EXPECT_EQ(log[1].details["old"], "http://127.0.0.1:9/tsr");
  EXPECT_EQ(log[1].details["new"], "http://127.0.0.1:10/tsr");
  EXPECT_TRUE(log[3].details["new"].is_null());
  // Settings are not items: the archive holds none.
  EXPECT_TRUE(archive_->ListItems()->empty());
}

TEST_F(AuditLog, EntriesCannotBeChangedOrDeletedThroughSqlite) {
  Add("first bytes", "a.txt");
  EXPECT_FALSE(archive_->db()->Exec("UPDATE audit_log SET actor = 'someone else'").ok());
  EXPECT_FALSE(archive_->db()->Exec("DELETE FROM audit_log").ok());
  std::vector<AuditEntry> log = Log(archive_.get());
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].actor, CurrentUserName());
}

TEST_F(AuditLog, AnOlderCatalogGainsTheTableWhenOpenedForWriting) {
  Add("first bytes", "a.txt");
  archive_.reset();
  {
    auto db = SqliteDb::Open(Catalog(), false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update; "
                            "DROP TABLE audit_log")
                    .ok());
  }
  auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kReadOnly);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(Log(a->get()).empty());
  archive_ = std::move(*a);
  Add("second bytes", "b.txt");
  std::vector<AuditEntry> log = Log(archive_.get());
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].details["items"][0]["name"], "b.txt");
  EXPECT_FALSE(archive_->db()->Exec("DELETE FROM audit_log").ok());
}

}  // namespace
}  // namespace uncut
