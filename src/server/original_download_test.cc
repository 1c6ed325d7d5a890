// GET /api/items/ID/original over real HTTP: the bytes served are checked
// against the item's SHA-256, before sending for small originals and while
// streaming for large ones; names that are not UTF-8 still list as JSON.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "base/sha256.h"
#include "base/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "server/server.h"
#include "server/test_server.h"
#include "store/archive.h"
#include "testing/temp_dir.h"

namespace uncut::server {
namespace {

using nlohmann::json;

class OriginalDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(a.ok()) << a.status();
    archive_ = std::move(*a);
  }
  void Start() {
    ServerOptions o;
    o.archive_dir = dir_.File("archive");
    absl::Status started = server_.Start(o);
    ASSERT_TRUE(started.ok()) << started;
  }
  void TearDown() override { server_.Stop(); }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(60, 0);
    c.set_bearer_token_auth(server_->token().token);
    return c;
  }
  // Archives `bytes` as an item of its own file named `name`.
  // With text_in_original, `bytes` are also its text, kept in the original.
  Item Add(const std::string& name, const std::string& bytes, bool text_in_original = false) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok()) << batch.status();
    std::string path = dir_.Write(StrCat("in/", items_++), bytes);
    auto staged = (*batch)->StageFile(path, Placement::kOwnFile);
    EXPECT_TRUE(staged.ok()) << staged.status();
    NewItem n;
    n.item.sha256 = staged->sha256;
    n.item.size = staged->size;
    n.item.object = staged->object;
    n.item.object_offset = staged->offset;
    n.item.kind = "container";
    n.item.format = "bin";
    n.item.name = name;
    n.item.added_from = path;
    n.item.added_at = NowRfc3339();
    if (text_in_original) {
      n.item.kind = "text";
      n.item.format = "txt";
      n.text = ExtractedText{bytes, OffsetMap::Identity(bytes.size()), {}};
      n.text_is_original = true;
    }
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*batch)->Commit().ok());
    return *archive_->GetItem(*id);
  }
  void Damage(const Item& item, uint64_t at) {
    std::string path = archive_->ObjectPath(item.object);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    char x = 'X';
    ASSERT_EQ(::pwrite(fd, &x, 1, item.object_offset + at), 1);
    ::close(fd);
  }

  testing::TempDir dir_;
  std::unique_ptr<Archive> archive_;
  TestServer server_;
  int items_ = 0;
};

TEST_F(OriginalDownload, ASmallDamagedOriginalGetsAnErrorAndNoBytes) {
  Item item = Add("minutes.txt", std::string(4000, 'a') + "the end\n");
  Start();
  auto ok = Client().Get(StrCat("/api/items/", item.id, "/original"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(Sha256Hex(ok->body), item.sha256);
  Damage(item, 100);
  auto r = Client().Get(StrCat("/api/items/", item.id, "/original"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->has_header("X-Uncut-SHA256"));
  json j = json::parse(r->body);
  EXPECT_EQ(j["error"]["code"], "data_loss");
  EXPECT_EQ(j["error"]["message"],
            StrCat("item ", item.id,
                   " (minutes.txt): stored original does not match its SHA-256 \xE2\x80\x94 "
                   "archive damaged, run uncut verify"));
}

TEST_F(OriginalDownload, TheTextOfADamagedOriginalHoldingItGetsAnErrorAndNoText) {
  const std::string bytes = "the minister said the plan would work\n";
  Item item = Add("minutes.txt", bytes, /*text_in_original=*/true);
  Start();
  auto ok = Client().Get(StrCat("/api/items/", item.id, "/text"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, bytes);
  Damage(item, 27);
  auto r = Client().Get(StrCat("/api/items/", item.id, "/text"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  json j = json::parse(r->body);
  EXPECT_EQ(j["error"]["code"], "data_loss");
  EXPECT_EQ(j["error"]["message"],
            StrCat("item ", item.id,
                   " (minutes.txt): stored original does not match its SHA-256 \xE2\x80\x94 "
                   "archive damaged, run uncut verify"));
}

TEST_F(OriginalDownload, ALargeDamagedOriginalIsCutOffBeforeItsEnd) {
  std::string bytes(17 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  Item item = Add("recording.bin", bytes);
  Start();
  auto ok = Client().Get(StrCat("/api/items/", item.id, "/original"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body.size(), bytes.size());
  EXPECT_EQ(Sha256Hex(ok->body), item.sha256);
  Damage(item, bytes.size() - 1);
  // The headers went out before the end was read: the connection is closed
  // short of Content-Length, which a client sees as a failed download.
  auto r = Client().Get(StrCat("/api/items/", item.id, "/original"));
  EXPECT_TRUE(!r || r->body.size() < bytes.size());
  // A part of it is served only after the whole was checked.
  auto part = Client().Get(StrCat("/api/items/", item.id, "/original"),
                           {{"Range", "bytes=0-99"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 500);
}

TEST_F(OriginalDownload, ANameThatIsNotUtf8ListsAsValidJsonWithItsBytes) {
  Item item = Add("r\xe9sum\xe9.txt", "a short original\n");
  Start();
  auto list = Client().Get("/api/items");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200) << list->body;
  json items = json::parse(list->body);
  ASSERT_EQ(items["items"].size(), 1u);
  EXPECT_EQ(items["items"][0]["name"], "r\xEF\xBF\xBDsum\xEF\xBF\xBD.txt");
  EXPECT_EQ(items["items"][0]["name_bytes_hex"], "72e973756de92e747874");
  auto one = Client().Get(StrCat("/api/items/", item.id));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200) << one->body;
  auto original = Client().Get(StrCat("/api/items/", item.id, "/original"));
  ASSERT_TRUE(original);
  EXPECT_EQ(original->status, 200);
  EXPECT_EQ(original->body, "a short original\n");
}

}  // namespace
}  // namespace uncut::server
