// End-to-end tests of the uncut command line on text sources.
#include <gtest/gtest.h>

#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using testing::RunResult;
using testing::RunShell;
using testing::ShellQuote;
using testing::TempDir;

constexpr const char* kSpeech = testing::kSampleSpeech;

class CliText : public ::testing::Test {
 protected:
  RunResult Uncut(const std::string& args) { return testing::RunUncut(dir_.File("archive"), args); }
  TempDir dir_;
};

TEST_F(CliText, TracesAQuoteToItsExactBytes) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  std::string quote = "We will rebuild every bridge that the floods destroyed";
  RunResult r = Uncut("trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "uncut.trace/1");
  ASSERT_EQ(j["sources"].size(), 1u);
  const auto& seg = j["sources"][0]["segments"][0];
  size_t start = std::string(kSpeech).find(quote);
  EXPECT_EQ(seg["source"]["start"], start);
  EXPECT_EQ(seg["source"]["end"], start + quote.size());
  EXPECT_EQ(seg["source"]["location"]["line"], 3);
  EXPECT_EQ(seg["verdict"], "verbatim");
  EXPECT_EQ(j["sources"][0]["verdict"], "verbatim");
}

TEST_F(CliText, ReportsSilentOmissionAsOneSpanWithTheSkippedWords) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut(
      "trace --json --text 'We will rebuild every bridge that the floods destroyed. No family "
      "will be left without shelter.'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  const auto& seg = j["sources"][0]["segments"][0];
  EXPECT_EQ(seg["verdict"], "verbatim_with_omissions");
  bool saw_omitted = false;
  for (const auto& e : seg["edits"]) {
    if (e["kind"] == "omitted") {
      EXPECT_EQ(e["source_text"], "and we will do it before the winter comes");
      saw_omitted = true;
    }
  }
  EXPECT_TRUE(saw_omitted) << seg.dump(2);
}

TEST_F(CliText, ReportsAChangedWord) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut(
      "trace --json --text 'Our soldiers have guarded it with cruelty, and they deserve our "
      "thanks.'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  const auto& seg = j["sources"][0]["segments"][0];
  EXPECT_EQ(seg["verdict"], "altered");
  bool saw_change = false;
  for (const auto& e : seg["edits"]) {
    if (e["kind"] == "changed") {
      EXPECT_EQ(e["source_text"], "courage");
      EXPECT_EQ(e["query_text"], "cruelty");
      saw_change = true;
    }
  }
  EXPECT_TRUE(saw_change);
}

TEST_F(CliText, SplicedExtractComesBackAsTwoPiecesWithTheCutBetween) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut(
      "trace --json --text 'The harvest failed in the north, and the rivers rose in the south "
      "... Our soldiers have guarded it with courage, and they deserve our thanks'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  const auto& m = j["sources"][0];
  ASSERT_EQ(m["segments"].size(), 2u);
  EXPECT_LT(m["segments"][0]["source"]["start"], m["segments"][1]["source"]["start"]);
  bool saw_cut = false;
  for (const auto& iv : m["intervals"]) {
    if (iv["role"] == "cut") {
      saw_cut = true;
      EXPECT_NE(iv["text"].get<std::string>().find("rebuild every bridge"), std::string::npos);
    }
  }
  EXPECT_TRUE(saw_cut);
}

TEST_F(CliText, SaysNotFoundForTextThatIsNotArchived) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r =
      Uncut("trace --text 'the committee adjourned without agreement on the budget for next year'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Not found"), std::string::npos);
}

TEST_F(CliText, MatchesPersianSpellingVariants) {
  // ZWNJ, Arabic yeh/kaf and harakat variants of the same sentence.
  std::string src = dir_.Write("fa.txt",
                               "ماده ۱ – تمام افراد بشر آزاد بدنیا می‌آیند و از لحاظ حیثیت و "
                               "حقوق با هم برابرند. همه "
                               "دارای عقل و وجدان می‌باشند و باید نسبت به یکدیگر با روح برادری "
                               "رفتار کنند.\n");
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult r = Uncut(
      "trace --json --text 'همه دارای عقل و وجدان مي باشند و بايد نسبت به يكديگر با روح "
      "برادری'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["segments"][0]["verdict"], "verbatim");
}

TEST_F(CliText, TracesAQuoteToPersianTextInWindows1256) {
  // Legacy Persian text: Arabic yeh (windows-1256 has no Persian yeh), the
  // Persian letters پ چ ژ گ ک, ZWNJ.
  std::string utf8 = dir_.Write(
      "fa-utf8.txt",
      "پژوهشگران دانشگاه تهران اعلام کردند که گزارش نهايي درباره کيفيت آب رودخانه‌ها در ماه "
      "آينده منتشر خواهد شد. به گفته آنها، چند نمونه از آب چشمه‌هاي کوهستاني نيز بررسي شده "
      "است و نتيجه‌ها نشان مي‌دهد که آلودگي در برخي مناطق بيشتر از پيش بوده است.\n");
  std::string src = dir_.File("fa-1256.txt");
  ASSERT_EQ(RunShell("iconv -f UTF-8 -t WINDOWS-1256 " + ShellQuote(utf8) + " > " +
                     ShellQuote(src)).exit_code,
            0);
  RunResult add = Uncut("add " + ShellQuote(src));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.err.find("windows-1256"), std::string::npos) << add.err;
  // Typed as Persian is typed today: Persian yeh, a space for the ZWNJ.
  std::string quote = "نمونه از آب چشمه های کوهستانی نیز بررسی شده است";
  RunResult r = Uncut("trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["verdict"], "verbatim");
}

TEST_F(CliText, StillDetectsFrenchInWindows1252) {
  std::string src = dir_.Write(
      "fr.txt",
      "Le ministre a d\xE9" "clar\xE9 que la r\xE9" "forme serait appliqu\xE9" "e \xE0 partir de "
      "l'ann\xE9" "e prochaine, apr\xE8s un d\xE9" "bat tr\xE8s long au parlement.\n");
  RunResult add = Uncut("add " + ShellQuote(src));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  RunResult r = Uncut("trace --json --text " +
                      ShellQuote("la réforme serait appliquée à partir de l'année prochaine"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["verdict"], "verbatim");
}

TEST_F(CliText, AddingTheSameBytesTwiceReportsTheExistingItem) {
  std::string a = dir_.Write("a.txt", kSpeech);
  std::string b = dir_.Write("copy/b.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(a)).exit_code, 0);
  RunResult r = Uncut("add " + ShellQuote(b));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("exists"), std::string::npos) << r.out;
  RunResult list = Uncut("list --json");
  EXPECT_EQ(nlohmann::json::parse(list.out).size(), 1u);
}

TEST_F(CliText, VerifyCatchesAFlippedByteInAStoredOriginal) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  EXPECT_EQ(Uncut("verify").exit_code, 0);
  RunResult show = Uncut("show --json 1");
  nlohmann::json item = nlohmann::json::parse(show.out);
  std::string stored = item["stored_at"];
  // Small originals share a pack; the item is a range of it.
  uint64_t offset = item.contains("stored_in") ? item["stored_in"]["offset"].get<uint64_t>() : 0;
  RunShell("chmod u+w " + ShellQuote(stored) + " && printf 'X' | dd of=" + ShellQuote(stored) +
           " bs=1 seek=" + std::to_string(offset + 10) + " conv=notrunc 2>/dev/null");
  RunResult r = Uncut("verify");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("original has changed"), std::string::npos) << r.err;
}

TEST_F(CliText, BadFilesGetOneLineErrorsAndLeaveTheArchiveUnchanged) {
  std::string good = dir_.Write("in/good.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(good)).exit_code, 0);
  std::string before = Uncut("list --json").out;
  struct Case {
    std::string name, content, reason;
  } cases[] = {
      {"empty.txt", "", "empty file"},
      {"binary.txt",
       std::string("\x7f"
                   "ELF\x02\x01\x01\0\0\0\0",
                   12),
       "binary"},
      {"broken.txt", "caf\xc3\xa9 and then \xff\xfe broken", "invalid UTF-8"},
      {"image.png", "\x89PNG\r\n\x1a\n", "truncated PNG"},
  };
  for (const Case& c : cases) {
    std::string p = dir_.Write("bad/" + c.name, c.content);
    RunResult r = Uncut("add " + ShellQuote(p));
    EXPECT_EQ(r.exit_code, 3) << c.name;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(p), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
  }
  RunResult missing = Uncut("add " + ShellQuote(dir_.File("nope.txt")));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("nope.txt"), std::string::npos);
  EXPECT_EQ(Uncut("list --json").out, before);
  EXPECT_EQ(Uncut("verify").exit_code, 0);
}

TEST_F(CliText, AddingAFolderContinuesPastBadFilesAndListsThem) {
  dir_.Write("in/a.txt", kSpeech);
  dir_.Write("in/sub/b.md", "A second document about something else entirely, for the archive.");
  dir_.Write("in/sub/bad.txt", std::string("\0\0\0\0", 4));
  RunResult r = Uncut("add " + ShellQuote(dir_.File("in")));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("added 2, failed 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("bad.txt"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(Uncut("list --json").out).size(), 2u);
}

TEST_F(CliText, RejectsEmptyAndOneWordExtracts) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  RunResult empty = Uncut("trace --text ''");
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_EQ(std::count(empty.err.begin(), empty.err.end(), '\n'), 1);
  RunResult one = Uncut("trace --text 'harvest'");
  EXPECT_EQ(one.exit_code, 3);
  EXPECT_NE(one.err.find("too short"), std::string::npos) << one.err;
}

TEST_F(CliText, FailedFirstAddLeavesNoArchiveBehind) {
  std::string p = dir_.Write("empty.txt", "");
  RunResult r = Uncut("add " + ShellQuote(p));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(RunShell("test -e " + ShellQuote(dir_.File("archive"))).exit_code == 0);
}

TEST_F(CliText, RemovedItemIsNoLongerFound) {
  std::string src = dir_.Write("speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(src)).exit_code, 0);
  ASSERT_EQ(Uncut("remove --yes 1").exit_code, 0);
  RunResult r = Uncut("trace --text 'We will rebuild every bridge that the floods destroyed'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Uncut("verify").exit_code, 0);
}

TEST_F(CliText, ShowTextPrintsWhatWasExtractedFromPlainTextAndHtml) {
  std::string txt = dir_.Write("in/speech.txt", kSpeech);
  std::string html = dir_.Write(
      "in/page.html",
      "<html><body><nav>Menu</nav><p>The council met on Tuesday &amp; agreed.</p></body></html>");
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.File("in"))).exit_code, 0);
  RunResult list = Uncut("list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& item : nlohmann::json::parse(list.out)) {
    std::string id = std::to_string(item["id"].get<int64_t>());
    RunResult shown = Uncut("show --text " + id);
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    if (item["name"] == "speech.txt") {
      // A plain UTF-8 file's text is its bytes.
      EXPECT_EQ(shown.out, std::string(kSpeech) + "\n");
    } else {
      EXPECT_NE(shown.out.find("The council met on Tuesday & agreed."), std::string::npos);
      EXPECT_EQ(shown.out.find("<p>"), std::string::npos);
      EXPECT_EQ(shown.out.find("Menu"), std::string::npos);
    }
  }
}

TEST_F(CliText, RemovingOneOfTwoFilesAddedTogetherLeavesTheOtherIntact) {
  const std::string other =
      "The harbour authority published its annual report on shipping volumes, "
      "noting that container traffic rose for the third year in a row.\n";
  dir_.Write("in/a-other.txt", other);
  dir_.Write("in/b-speech.txt", kSpeech);
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_.File("in"))).exit_code, 0);
  RunResult list = Uncut("list --json");
  int64_t other_id = 0, speech_id = 0;
  for (const auto& item : nlohmann::json::parse(list.out)) {
    (item["name"] == "a-other.txt" ? other_id : speech_id) = item["id"].get<int64_t>();
  }
  ASSERT_EQ(Uncut("remove --yes " + std::to_string(other_id)).exit_code, 0);
  // The remaining original moved within the archive's storage; its bytes,
  // text and index entries still agree.
  EXPECT_EQ(Uncut("verify").exit_code, 0);
  RunResult shown = Uncut("show --text " + std::to_string(speech_id));
  EXPECT_EQ(shown.out, std::string(kSpeech) + "\n");
  std::string quote = "We will rebuild every bridge that the floods destroyed";
  RunResult r = Uncut("trace --json --text " + ShellQuote(quote));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["sources"].size(), 1u);
  EXPECT_EQ(j["sources"][0]["segments"][0]["source"]["start"], std::string(kSpeech).find(quote));
  EXPECT_EQ(Uncut("trace --text 'container traffic rose for the third year in a row'").exit_code, 1);
}

}  // namespace
}  // namespace uncut
