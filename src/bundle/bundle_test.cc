#include "bundle/bundle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include "base/file.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "zip/zip_file.h"
#include "nlohmann/json.hpp"
#include "store/saved_traces.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

std::vector<std::string> EntryNames(const ZipReader& zip) {
  std::vector<std::string> names;
  for (const ZipEntry& e : zip.entries()) names.push_back(e.name);
  return names;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = Archive::Open(dir_.File("archive"), Archive::Mode::kCreate);
    ASSERT_TRUE(a.ok());
    archive_ = std::move(*a);
  }
  Item Add(const std::string& name, const std::string& bytes) {
    auto batch = archive_->BeginWrite();
    EXPECT_TRUE(batch.ok());
    auto staged = (*batch)->StageBytes(bytes);
    EXPECT_TRUE(staged.ok());
    NewItem n;
    n.item.sha256 = staged->sha256;
    n.item.kind = "text";
    n.item.format = "txt";
    n.item.size = bytes.size();
    n.item.name = name;
    n.item.added_from = "/x/" + name;
    n.item.added_at = NowRfc3339();
    n.item.meta.source_url = "https://example.org/" + name;
    n.item.object = staged->object;
    n.item.object_offset = staged->offset;
    auto id = (*batch)->AddItem(std::move(n));
    EXPECT_TRUE((*batch)->Commit().ok());
    return *archive_->GetItem(*id);
  }
  std::string Export(const std::vector<Item>& items) {
    std::string out = dir_.File("bundle.zip");
    auto s = ExportBundle(archive_->storage(), items, out, {"test", true});
    EXPECT_TRUE(s.ok()) << s.status();
    return out;
  }
  // Copies `from` to a new zip, letting `edit` change, drop or add entries.
  std::string Rewrite(const std::string& from,
                      const std::function<bool(const std::string&, std::string*)>& keep,
                      const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    auto in = ZipReader::Open(from);
    EXPECT_TRUE(in.ok());
    std::string out = dir_.File("rewritten.zip");
    auto w = ZipWriter::Create(out);
    EXPECT_TRUE(w.ok());
    for (const ZipEntry& e : in->entries()) {
      std::string bytes = *in->ReadEntry(e, 1 << 30);
      if (keep(e.name, &bytes)) {
        EXPECT_TRUE(w->AddBytes(e.name, bytes).ok());
      }
    }
    for (const auto& [name, bytes] : extra) EXPECT_TRUE(w->AddBytes(name, bytes).ok());
    EXPECT_TRUE(w->Close().ok());
    return out;
  }
  std::vector<std::string> Problems(const std::string& zip) {
    auto check = VerifyBundle(zip);
    EXPECT_TRUE(check.ok()) << check.status();
    std::vector<std::string> out;
    for (const BundleProblem& p : check->problems) out.push_back(p.path + ": " + p.problem);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(BundleTest, AnExportedBundleVerifiesWithUncutAndWithSha256sum) {
  Item a = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  Item b = Add("../odd \"name\".txt", "No family will be left without shelter.");
  SavedTrace t;
  t.traced_at = "2026-01-01T00:00:00Z";
  t.query_kind = "text";
  t.query_sha256 = std::string(64, 'e');
  t.verdict = "found";
  t.item_ids = {a.id};
  t.report_json = "{}";
  t.report_html = "<!DOCTYPE html>";
  ASSERT_TRUE(SaveTrace(archive_.get(), t).ok());
  std::string zip = Export({a, b});
  auto check = VerifyBundle(zip);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->problems.empty());
  EXPECT_EQ(check->items, 2u);
  EXPECT_EQ(check->traces, 1u);
  auto reader = ZipReader::Open(zip);
  std::vector<std::string> names = EntryNames(*reader);
  EXPECT_NE(std::find(names.begin(), names.end(), StrCat("items/", b.id, "/original/odd name.txt")),
            names.end());
  std::string out = dir_.File("unpacked");
  testing::RunResult r = testing::RunShell(
      StrCat("python3 -m zipfile -e ", testing::ShellQuote(zip), " ", testing::ShellQuote(out),
             " && cd ", testing::ShellQuote(out), " && sha256sum -c SHA256SUMS"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(StrCat("items/", a.id, "/original/speech.txt: OK")), std::string::npos);
}

TEST_F(BundleTest, FindsAChangedOriginal) {
  Item a = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  std::string zip = Rewrite(Export({a}), [](const std::string& name, std::string* bytes) {
    if (name.find("/original/") != std::string::npos) (*bytes)[3] = 'X';
    return true;
  });
  std::vector<std::string> problems = Problems(zip);
  ASSERT_GE(problems.size(), 2u);
  EXPECT_NE(problems[0].find("SHA256SUMS says"), std::string::npos) << problems[0];
}

TEST_F(BundleTest, FindsFilesAddedOrRemoved) {
  Item a = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  std::string zip = Rewrite(
      Export({a}), [](const std::string& name, std::string*) { return name != "README.txt"; },
      {{"items/1/original/extra.txt", "smuggled"}});
  std::vector<std::string> problems = Problems(zip);
  std::string all;
  for (const std::string& p : problems) all += p + "\n";
  EXPECT_NE(all.find("items/1/original/extra.txt: is not listed in SHA256SUMS"), std::string::npos)
      << all;
  EXPECT_NE(all.find("README.txt: is listed in SHA256SUMS but not in the bundle"),
            std::string::npos)
      << all;
}

TEST_F(BundleTest, RejectsNamesThatEscapeTheBundle) {
  Item a = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  std::string zip = Rewrite(Export({a}), [](const std::string&, std::string*) { return true; },
                            {{"../../etc/cron.d/evil", "x"}, {"/etc/passwd", "x"}});
  std::string all;
  for (const std::string& p : Problems(zip)) all += p + "\n";
  EXPECT_NE(all.find("../../etc/cron.d/evil: the name has a \"..\" component"), std::string::npos)
      << all;
  EXPECT_NE(all.find("/etc/passwd: the name has an absolute path"), std::string::npos) << all;
}

TEST_F(BundleTest, RefusesToExportAnOriginalThatNoLongerMatchesItsDigest) {
  Item a = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  std::string object = archive_->ObjectPath(a.object);
  ::chmod(object.c_str(), 0644);
  std::ofstream(object, std::ios::binary) << "We will rebuild NO bridge that the floods destroyed.";
  auto s = ExportBundle(archive_->storage(), {a}, dir_.File("b.zip"), {"test", true});
  EXPECT_TRUE(absl::IsDataLoss(s.status())) << s.status();
}

TEST_F(BundleTest, ADamagedLastByteFailsTheExportNamingTheItemAndWritesNoBundle) {
  std::string text(3 << 20, 'w');  // read by the zip writer in several pieces
  Item a = Add("long.txt", text);
  std::string object = archive_->ObjectPath(a.object);
  ::chmod(object.c_str(), 0644);
  std::fstream f(object, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(static_cast<std::streamoff>(a.object_offset + a.size - 1));
  f.put('X');
  f.close();
  std::string out = dir_.File("b.zip");
  auto s = ExportBundle(archive_->storage(), {a}, out, {"test", true});
  ASSERT_TRUE(absl::IsDataLoss(s.status())) << s.status();
  EXPECT_NE(s.status().message().find(
                StrCat("item ", a.id, " (long.txt): stored original does not match its SHA-256")),
            std::string::npos)
      << s.status();
  EXPECT_FALSE(PathExists(out));
}

TEST_F(BundleTest, ANameThatIsNotUtf8GivesAValidEntryNameAndItsBytesInTheMetadata) {
  Item a = Add("r\xe9sum\xe9.txt", "We will rebuild every bridge that the floods destroyed.");
  std::string zip = Export({a});
  auto check = VerifyBundle(zip);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->problems.empty());
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.ok());
  const std::vector<std::string> names = EntryNames(*reader);
  auto original = std::find(names.begin(), names.end(),
                            StrCat("items/", a.id, "/original/r\xEF\xBF\xBDsum\xEF\xBF\xBD.txt"));
  ASSERT_NE(original, names.end());
  auto meta = std::find(names.begin(), names.end(), StrCat("items/", a.id, "/metadata.json"));
  ASSERT_NE(meta, names.end());
  auto bytes = reader->ReadEntry(reader->entries()[meta - names.begin()], 1 << 20);
  ASSERT_TRUE(bytes.ok());
  nlohmann::json j = nlohmann::json::parse(*bytes);
  EXPECT_EQ(j["name_bytes_hex"], "72e973756de92e747874");
  EXPECT_EQ(j["added_from_bytes_hex"], "2f782f72e973756de92e747874");
  EXPECT_EQ(j["source_url_bytes_hex"],
            "68747470733a2f2f6578616d706c652e6f72672f72e973756de92e747874");
}

class SignedBundleTest : public BundleTest {
 protected:
  void SetUp() override {
    BundleTest::SetUp();
    ASSERT_TRUE(GenerateKeyPair(dir_.File("desk.key")).ok());
    ASSERT_TRUE(GenerateKeyPair(dir_.File("other.key")).ok());
    key_ = *SigningKey::Load(dir_.File("desk.key"));
    other_ = *SigningKey::Load(dir_.File("other.key"));
    item_ = Add("speech.txt", "We will rebuild every bridge that the floods destroyed.");
  }
  std::string ExportSigned() {
    std::string out = dir_.File("signed.zip");
    ExportOptions options{"test", true};
    options.sign_with = &*key_;
    auto s = ExportBundle(archive_->storage(), {item_}, out, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return out;
  }
  BundleCheck Check(const std::string& zip, const SigningKey* trusted) {
    VerifyBundleOptions options;
    options.trusted_key = trusted ? &trusted->public_key() : nullptr;
    auto check = VerifyBundle(zip, options);
    EXPECT_TRUE(check.ok()) << check.status();
    return check.ok() ? *check : BundleCheck();
  }
  static std::string All(const BundleCheck& c) {
    std::string all;
    for (const BundleProblem& p : c.problems) all += p.path + ": " + p.problem + "\n";
    return all;
  }
  // Rewrites datapackage.json and SHA256SUMS to match `files` and writes
  // them (and any SHA256SUMS.sig, unchanged) as a zip.
  std::string WriteForged(std::map<std::string, std::string> files, const std::string& name) {
    nlohmann::json package = nlohmann::json::parse(files["datapackage.json"]);
    nlohmann::json resources = nlohmann::json::array();
    for (auto& r : package["resources"]) {
      auto f = files.find(r["path"].get<std::string>());
      if (f == files.end()) continue;
      r["hash"] = "sha256:" + Sha256Hex(f->second);
      r["bytes"] = f->second.size();
      resources.push_back(r);
    }
    package["resources"] = resources;
    files["datapackage.json"] = package.dump(2) + "\n";
    std::string sums;
    for (const auto& [path, bytes] : files) {
      if (path != "SHA256SUMS" && path != "SHA256SUMS.sig") {
        sums += Sha256Hex(bytes) + "  " + path + "\n";
      }
    }
    files["SHA256SUMS"] = sums;
    std::string zip = dir_.File(name);
    auto w = ZipWriter::Create(zip);
    EXPECT_TRUE(w.ok());
    for (const auto& [path, bytes] : files) EXPECT_TRUE(w->AddBytes(path, bytes).ok());
    EXPECT_TRUE(w->Close().ok());
    return zip;
  }
  std::optional<SigningKey> key_, other_;
  Item item_;
};

TEST_F(SignedBundleTest, VerifiesWithTheSignersKeyAndNamesItsFingerprint) {
  BundleCheck c = Check(ExportSigned(), &*key_);
  EXPECT_TRUE(c.problems.empty()) << All(c);
  EXPECT_EQ(c.signature, BundleCheck::Signature::kTrustedKey);
  EXPECT_EQ(c.signer, key_->public_key().fingerprint());
  // Without a key given, against the bundle's own signer.pub.
  BundleCheck own = Check(ExportSigned(), nullptr);
  EXPECT_TRUE(own.problems.empty()) << All(own);
  EXPECT_EQ(own.signature, BundleCheck::Signature::kOwnKey);
  EXPECT_EQ(own.signer, key_->public_key().fingerprint());
}

TEST_F(SignedBundleTest, AnotherKeyFails) {
  BundleCheck c = Check(ExportSigned(), &*other_);
  ASSERT_EQ(c.problems.size(), 1u) << All(c);
  EXPECT_EQ(c.signature, BundleCheck::Signature::kBad);
  EXPECT_NE(All(c).find(StrCat("SHA256SUMS.sig: signed by key ", key_->public_key().fingerprint(),
                               ", not by the key given")),
            std::string::npos)
      << All(c);
}

TEST_F(SignedBundleTest, AnotherKeyFailsEvenWhenSignerPubIsReplacedWithIt) {
  std::string other_pub = other_->public_key().Pem();
  std::string zip = Rewrite(ExportSigned(), [&](const std::string& name, std::string* bytes) {
    if (name == "signer.pub") *bytes = other_pub;
    return true;
  });
  BundleCheck c = Check(zip, &*other_);
  EXPECT_EQ(c.signature, BundleCheck::Signature::kBad);
  EXPECT_NE(All(c).find("SHA256SUMS.sig: the signature of SHA256SUMS does not verify with key " +
                        other_->public_key().fingerprint()),
            std::string::npos)
      << All(c);
}

TEST_F(SignedBundleTest, ARemovedSignatureFailsWhenAKeyIsGiven) {
  std::string zip = Rewrite(ExportSigned(), [](const std::string& name, std::string*) {
    return name != "SHA256SUMS.sig";
  });
  BundleCheck c = Check(zip, &*key_);
  ASSERT_EQ(c.problems.size(), 1u) << All(c);
  EXPECT_EQ(All(c), "SHA256SUMS.sig: missing: the bundle is not signed\n");
  // Without a key it reads as an unsigned bundle, and says so.
  BundleCheck unkeyed = Check(zip, nullptr);
  EXPECT_TRUE(unkeyed.problems.empty()) << All(unkeyed);
  EXPECT_EQ(unkeyed.signature, BundleCheck::Signature::kNone);
}

TEST_F(SignedBundleTest, AnEditedFileFails) {
  std::string zip = Rewrite(ExportSigned(), [](const std::string& name, std::string* bytes) {
    if (name.find("/original/") != std::string::npos) (*bytes)[3] = 'X';
    return true;
  });
  BundleCheck c = Check(zip, &*key_);
  EXPECT_FALSE(c.problems.empty());
  EXPECT_NE(All(c).find("SHA256SUMS says"), std::string::npos) << All(c);
}

// The forgery a digest list alone cannot catch: an original edited and every
// manifest rewritten to match it.
TEST_F(SignedBundleTest, AnEditedOriginalWithRewrittenManifestsFailsOnlyOnTheSignature) {
  std::string forged = "We will rebuild NO bridge that the floods destroyed.";
  std::string forged_sha = Sha256Hex(forged);
  std::map<std::string, std::string> files;
  {
    auto in = ZipReader::Open(ExportSigned());
    ASSERT_TRUE(in.ok());
    for (const ZipEntry& e : in->entries()) files[e.name] = *in->ReadEntry(e, 1 << 20);
  }
  for (auto& [name, bytes] : files) {
    if (name.find("/original/") != std::string::npos) bytes = forged;
    if (name.find("/metadata.json") != std::string::npos) {
      nlohmann::json j = nlohmann::json::parse(bytes);
      j["sha256"] = forged_sha;
      bytes = j.dump(2) + "\n";
    }
  }
  BundleCheck c = Check(WriteForged(files, "forged.zip"), &*key_);
  EXPECT_EQ(All(c), StrCat("SHA256SUMS.sig: the signature of SHA256SUMS does not verify with key ",
                           key_->public_key().fingerprint(), "\n"));
  // Unsigned, the same forgery passes: what the signature adds.
  files.erase("SHA256SUMS.sig");
  files.erase("signer.pub");
  BundleCheck passes = Check(WriteForged(files, "forged-unsigned.zip"), nullptr);
  EXPECT_TRUE(passes.problems.empty()) << All(passes);
  EXPECT_EQ(passes.signature, BundleCheck::Signature::kNone);
}

TEST_F(BundleTest, SaysWhenAFileIsNotAZip) {
  std::string path = dir_.Write("not.zip", "hello");
  EXPECT_FALSE(VerifyBundle(path).ok());
}

}  // namespace
}  // namespace uncut
