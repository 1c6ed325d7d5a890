#include "extract/html.h"

#include <gtest/gtest.h>

namespace uncut {
namespace {

Extraction MustExtract(const std::string& html) {
  HtmlExtractor e;
  auto r = e.Extract(html, {});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Extraction();
}

TEST(HtmlExtractor, KeepsVisibleTextAndDropsScriptsNavigationAndHiddenElements) {
  Extraction x = MustExtract(
      "<html><head><title>T</title><script>var a = 'secret';</script></head><body>"
      "<nav>Home | About</nav><header>Site</header><p>First para.</p>"
      "<div hidden>hidden one</div><p style='display: none'>hidden two</p>"
      "<span aria-hidden=\"true\">hidden three</span><p>Second para.</p>"
      "<footer>Copyright</footer></body></html>");
  EXPECT_EQ(x.text.text, "First para.\n\nSecond para.");
  EXPECT_EQ(x.info["title"], "T");
}

TEST(HtmlExtractor, MapsDecodedEntitiesBackToTheirBytes) {
  std::string html = "<p>Fish &amp; chips &mdash; &#233;t&eacute;</p>";
  Extraction x = MustExtract(html);
  EXPECT_EQ(x.text.text, "Fish & chips \xE2\x80\x94 \xC3\xA9t\xC3\xA9");
  size_t amp = x.text.text.find('&');
  EXPECT_EQ(x.text.map.SourceStart(amp), html.find("&amp;"));
  EXPECT_EQ(x.text.map.SourceEnd(amp + 1), html.find("&amp;") + 5);
  size_t last = x.text.text.size();
  EXPECT_EQ(x.text.map.SourceEnd(last), html.find("</p>"));
}

TEST(HtmlExtractor, CollapsesWhitespaceAndSeparatesBlocks) {
  Extraction x = MustExtract("<div>  one\n   two </div><ul><li>a</li><li>b</li></ul>x<br>y");
  EXPECT_EQ(x.text.text, "one two\n\na\nb\n\nx\ny");
}

TEST(HtmlExtractor, SpansOfTheTextAreSpansOfTheFile) {
  std::string html = "<html><body><p>We will\n  rebuild every <b>bridge</b>.</p></body></html>";
  Extraction x = MustExtract(html);
  size_t t = x.text.text.find("rebuild");
  size_t e = x.text.text.find("bridge") + 6;
  uint64_t s = x.text.map.SourceStart(t), end = x.text.map.SourceEnd(e);
  EXPECT_EQ(html.substr(s, end - s), "rebuild every <b>bridge");
}

TEST(HtmlExtractor, ReadsTheDeclaredLegacyCharset) {
  std::string html = "<meta charset=\"windows-1252\"><p>caf\xE9</p>";
  Extraction x = MustExtract(html);
  EXPECT_EQ(x.text.text, "caf\xC3\xA9");
  size_t e = x.text.text.find("\xC3\xA9");
  EXPECT_EQ(x.text.map.SourceStart(e), html.find('\xE9'));
}

TEST(HtmlExtractor, RefusesAPageWithNoVisibleText) {
  HtmlExtractor e;
  EXPECT_FALSE(e.Extract("<html><script>x()</script></html>", {}).ok());
}

}  // namespace
}  // namespace uncut
