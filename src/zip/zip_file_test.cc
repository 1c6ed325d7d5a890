#include "zip/zip_file.h"

#include <gtest/gtest.h>

#include <string>

#include "base/file.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

class ZipFileTest : public ::testing::Test {
 protected:
  // Writes a zip holding `entries` (name, bytes), deflated, and returns its path.
  std::string Write(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string path = dir_.File("test.zip");
    auto w = ZipWriter::Create(path);
    EXPECT_TRUE(w.ok()) << w.status();
    for (const auto& [name, bytes] : entries) EXPECT_TRUE(w->AddBytes(name, bytes).ok());
    EXPECT_TRUE(w->Close().ok());
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(ZipFileTest, WhatIsWrittenReadsBackFromTheFileAndFromMemory) {
  std::string path = Write({{"a.txt", "alpha"}, {"dir/b.txt", std::string(100000, 'b')}});
  auto file = ZipReader::Open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->entries().size(), 2u);
  EXPECT_EQ(file->entries()[1].name, "dir/b.txt");
  EXPECT_EQ(file->entries()[1].size, 100000u);
  EXPECT_EQ(*file->ReadEntry(*file->Find("a.txt"), 100), "alpha");

  std::string bytes = *ReadFileToString(path, 1 << 30);
  auto memory = ZipReader::OpenBuffer(bytes);
  ASSERT_TRUE(memory.ok()) << memory.status();
  std::string streamed;
  ASSERT_TRUE(memory->Read(*memory->Find("dir/b.txt"), [&](std::string_view c) {
                      streamed.append(c);
                    }).ok());
  EXPECT_EQ(streamed, std::string(100000, 'b'));
  EXPECT_EQ(memory->Find("missing"), nullptr);
}

TEST_F(ZipFileTest, AnEntryLargerThanAllowedIsRefusedBeforeItIsRead) {
  std::string path = Write({{"big.txt", std::string(5000, 'x')}});
  auto zip = ZipReader::Open(path);
  ASSERT_TRUE(zip.ok());
  auto text = zip->ReadEntry(zip->entries()[0], 4999);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(text.status().message().find("big.txt"), std::string::npos) << text.status();
}

TEST_F(ZipFileTest, AZipBombInMemoryIsRefusedButTheSameFileOnDiskStreams) {
  // 80 MiB of zeros deflate to about 80 KiB: a ratio of about 1000.
  std::string path = Write({{"zeros", std::string(80u << 20, '\0')}});
  std::string bytes = *ReadFileToString(path, 1 << 30);
  auto memory = ZipReader::OpenBuffer(bytes);
  ASSERT_TRUE(memory.ok());
  auto opened = memory->OpenEntry(memory->entries()[0]);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(opened.status().message().find("zip bomb"), std::string::npos) << opened.status();

  auto file = ZipReader::Open(path);
  ASSERT_TRUE(file.ok());
  uint64_t read = 0;
  ASSERT_TRUE(file->Read(file->entries()[0], [&](std::string_view c) { read += c.size(); }).ok());
  EXPECT_EQ(read, 80u << 20);
}

TEST_F(ZipFileTest, AMissingOrForeignFileIsAnErrorNamingIt) {
  auto missing = ZipReader::Open(dir_.File("absent.zip"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("absent.zip"), std::string::npos);
  std::string text = dir_.File("text.zip");
  ASSERT_TRUE(WriteFileAtomic(text, "this is not a zip file at all").ok());
  auto foreign = ZipReader::Open(text);
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(ZipReader::OpenBuffer("PK\x03\x04 truncated").ok());
}

}  // namespace
}  // namespace uncut
