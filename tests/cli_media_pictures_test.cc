// End-to-end tests of pictures: added as items (metadata, picture hash,
// text read by OCR), traced as excerpts (a still of an archived video, a
// smaller copy of an archived picture), quotes traced into a screenshot
// and into a scanned PDF, and bad pictures refused.
//
// The suite makes its media once with ffmpeg: a generated video, and
// pictures of text drawn with DejaVu Sans (drawtext).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/sha256.h"
#include "base/strings.h"
#include "nlohmann/json.hpp"
#include "testing/media.h"
#include "testing/media_suite.h"
#include "testing/pdf.h"
#include "testing/temp_dir.h"

namespace uncut {
namespace {

using nlohmann::json;
using testing::Ffmpeg;
using testing::RunResult;
using testing::ShellQuote;

constexpr char kFont[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

constexpr char kMemo[] =
    "The harbour commission met on Tuesday to discuss the breakwater.\n"
    "Engineers said the storm in March had damaged the northern pier.\n"
    "The mayor promised that boats would return before the summer.";

constexpr char kLetter[] =
    "Dear minister, the ferry timetable\n"
    "will change on the first of June\n"
    "because the old quay is closing.";

// Persian, drawn right-aligned (drawtext shapes it with fribidi).
constexpr char kPersian[] =
    "گزارش کمیسیون بندر درباره موج‌شکن جدید\n"
    "مهندسان گفتند طوفان اسفند اسکله شمالی را ویران کرد";

class CliPictures : public testing::MediaSuite<CliPictures> {
 protected:
  static void SetUpTestSuite() { SetUpSuite(&MakeMedia); }


  // Black text on white, drawn from a file so that no quoting is needed.
  static std::string DrawText(const std::string& text, const std::string& size, int font_size,
                              const std::string& out, const std::string& x = "20") {
    std::string text_file = dir_->Write(out + ".txt", text);
    return Ffmpeg(StrCat("-f lavfi -i color=white:size=", size, " -vf drawtext=fontfile=", kFont,
                         ":textfile=", ShellQuote(text_file), ":fontsize=", font_size,
                         ":fontcolor=black:x=", x, ":y=20:line_spacing=12 -frames:v 1 ",
                         ShellQuote(File(out))));
  }

  // A PDF of the given objects (numbered from 1; object 1 the catalog).
  static void WritePdf(const std::vector<std::string>& objects, const std::string& out) {
    dir_->Write(out, testing::PdfOfObjects(objects));
  }

  static std::string Stream(const std::string& dict, const std::string& bytes) {
    return StrCat("<< ", dict, " /Length ", bytes.size(), " >>\nstream\n", bytes, "\nendstream");
  }

  // A PDF whose last page is only a JPEG picture (a scan, 150 dpi); with
  // `typed_first`, a page with a text layer saying it comes before it.
  static std::string WrapJpegInPdf(const std::string& jpeg_path, int width_px, int height_px,
                                   const std::string& out, const std::string& typed_first = "") {
    auto jpeg = ReadFileToString(jpeg_path);
    if (!jpeg.ok()) return std::string(jpeg.status().message());
    const int w_pt = width_px * 72 / 150, h_pt = height_px * 72 / 150;
    std::string kids = typed_first.empty() ? "[3 0 R]" : "[6 0 R 3 0 R]";
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        StrCat("<< /Type /Pages /Kids ", kids, " /Count ", typed_first.empty() ? 1 : 2, " >>"),
        StrCat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ", w_pt, " ", h_pt,
               "] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"),
        Stream(StrCat("/Type /XObject /Subtype /Image /Width ", width_px, " /Height ", height_px,
                      " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"),
               *jpeg),
        Stream("", StrCat("q ", w_pt, " 0 0 ", h_pt, " 0 0 cm /Im0 Do Q")),
    };
    if (!typed_first.empty()) {
      objects.push_back(
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 7 0 R "
          ">> >> /Contents 8 0 R >>");
      objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
      objects.push_back(Stream("", StrCat("BT /F1 14 Tf 72 700 Td (", typed_first, ") Tj ET")));
    }
    WritePdf(objects, out);
    return "";
  }

  static std::string MakeMedia() {
    std::string err = Ffmpeg(StrCat("-f lavfi -i testsrc2=size=320x180:rate=25:duration=8 ",
                                    "-c:v libx264 -preset veryfast -pix_fmt yuv420p ",
                                    ShellQuote(File("programme.mp4"))));
    // Dark, low-contrast footage turning fast: at 3 sampled frames a
    // second, a frame between two samples is far from both.
    if (err.empty()) {
      err = Ffmpeg(StrCat("-f lavfi -i testsrc=size=320x240:rate=25:duration=6 -vf ",
                          "rotate=a=2.5*t:fillcolor=black,eq=brightness=-0.25:contrast=0.5 ",
                          "-c:v libx264 -preset veryfast -pix_fmt yuv420p ",
                          ShellQuote(File("spin.mp4"))));
    }
    // A static shot: one picture held for 2 s, then turning.
    if (err.empty()) {
      err = Ffmpeg(StrCat("-f lavfi -i mandelbrot=size=320x180:start_x=-0.745:start_y=0.11:",
                          "start_scale=0.05 -frames:v 1 ", ShellQuote(File("shot.png"))));
    }
    if (err.empty()) {
      err = Ffmpeg(StrCat("-loop 1 -framerate 25 -t 4 -i ", ShellQuote(File("shot.png")),
                          " -vf rotate=a='if(lt(t\\,2)\\,0\\,(t-2)*2)' -c:v libx264 -preset veryfast ",
                          "-pix_fmt yuv420p ", ShellQuote(File("shot.mp4"))));
    }
    // A shot still above and moving below (a ticker strip): under a
    // caption band over the strip, its frames cannot be told apart.
    if (err.empty()) {
      err = Ffmpeg(StrCat("-f lavfi -i mandelbrot=size=320x144:start_x=-1.25:start_y=0.02:",
                          "start_scale=0.3 -frames:v 1 ", ShellQuote(File("top.png"))));
    }
    if (err.empty()) {
      err = Ffmpeg(StrCat("-loop 1 -framerate 25 -t 8 -i ", ShellQuote(File("top.png")),
                          " -f lavfi -i testsrc2=size=320x36:rate=25:duration=8 -filter_complex ",
                          "[0][1]vstack -c:v libx264 -preset veryfast -pix_fmt yuv420p ",
                          ShellQuote(File("ticker.mp4"))));
    }
    if (err.empty()) err = DrawText(kMemo, "900x150", 24, "memo.png");
    if (err.empty()) err = DrawText(kLetter, "600x200", 26, "letter.jpg");
    if (err.empty()) err = WrapJpegInPdf(File("letter.jpg"), 600, 200, "scan.pdf");
    if (err.empty()) {
      err = WrapJpegInPdf(File("letter.jpg"), 600, 200, "bound.pdf",
                          "The harbour office files this letter with its yearly report.");
    }
    if (err.empty()) err = DrawText(kPersian, "900x140", 30, "persian.png", "w-tw-20");
    if (!err.empty()) return err;
    RunResult r = Uncut(StrCat("add ", ShellQuote(File("programme.mp4")), " ",
                               ShellQuote(File("spin.mp4")), " ", ShellQuote(File("shot.mp4")), " ",
                               ShellQuote(File("ticker.mp4")), " ",
                               ShellQuote(File("memo.png")), " ", ShellQuote(File("scan.pdf")), " ",
                               ShellQuote(File("persian.png")), " ", ShellQuote(File("bound.pdf"))));
    return r.exit_code == 0 ? "" : r.err;
  }

  // The id of the archived item named `name`, as a string ("" if none).
  static std::string IdOf(const std::string& name) {
    RunResult r = Uncut("list --json");
    json items = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    if (!items.is_array()) return "";
    for (const json& it : items) {
      if (it.value("name", "") == name) return std::to_string(it["id"].get<int64_t>());
    }
    return "";
  }

  static json Json(const RunResult& r) {
    json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }

  // The first source `trace --json PICTURE` names, checked to be `name`
  // ({} when the trace fails or finds nothing, which fails the test).
  static json FirstSource(const std::string& picture, const std::string& name) {
    RunResult r = Uncut("trace --json " + ShellQuote(File(picture)));
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    json report = Json(r);
    if (!report.is_object() || !report.contains("sources") || report["sources"].empty()) {
      ADD_FAILURE() << picture << " found no source: " << r.out;
      return json::object();
    }
    EXPECT_EQ(report["sources"][0]["item"]["name"], name) << r.out;
    return report["sources"][0];
  }

};


TEST_F(CliPictures, APictureIsKeptWithItsSizeHashAndTheTextOcrReadsInIt) {
  const std::string id = IdOf("memo.png");
  ASSERT_NE(id, "");
  RunResult r = Uncut("show --json " + id);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json item = Json(r);
  EXPECT_EQ(item["kind"], "image");
  EXPECT_EQ(item["format"], "png");
  EXPECT_EQ(item["info"]["image"]["width"], 900);
  EXPECT_EQ(item["info"]["image"]["height"], 150);
  EXPECT_EQ(item["info"]["image"]["pdq"].get<std::string>().size(), 64u);
  EXPECT_EQ(item["info"]["ocr"]["engine"], "tesseract");
  // Kept byte for byte: the archive's SHA-256 is the file's.
  RunResult sha = testing::RunShell("sha256sum " + ShellQuote(File("memo.png")));
  EXPECT_EQ(sha.out.substr(0, 64), item["sha256"]);
  RunResult text = Uncut("show --text " + id);
  EXPECT_NE(text.out.find("northern pier"), std::string::npos) << text.out;
}

TEST_F(CliPictures, AQuoteInAScreenshotIsTracedToThePictureAndTheRegionOfItsWords) {
  RunResult r = Uncut(
      "trace --json --text 'Engineers said the storm in March had damaged the northern pier'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = Json(r);
  ASSERT_FALSE(report["sources"].empty()) << r.out;
  json source = report["sources"][0];
  EXPECT_EQ(source["item"]["name"], "memo.png");
  json anchors = source["segments"][0]["source"]["location"]["anchors"];
  EXPECT_EQ(anchors["ocr"]["engine"], "tesseract") << anchors;
  json region = anchors["region"];
  // The second of three lines drawn at x = 20 from y = 20, 24 px high with
  // 12 px between lines: the region starts near (20, 56) and spans most
  // of the line.
  EXPECT_EQ(region["unit"], "px");
  EXPECT_NEAR(region["x"].get<double>(), 20, 6) << region;
  EXPECT_NEAR(region["y"].get<double>(), 56, 10) << region;
  EXPECT_GT(region["w"].get<double>(), 500) << region;
  EXPECT_LT(region["h"].get<double>(), 40) << region;
  RunResult text = Uncut("trace --text 'Engineers said the storm in March had damaged the northern pier'");
  EXPECT_NE(text.out.find("text read by OCR"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("region "), std::string::npos) << text.out;
}

TEST_F(CliPictures, AQuoteInAScannedPdfIsTracedToItsPageAndRegion) {
  RunResult r = Uncut("trace --json --text 'the ferry timetable will change on the first of June'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json report = Json(r);
  ASSERT_FALSE(report["sources"].empty()) << r.out;
  json source;
  for (const json& s : report["sources"]) {
    if (s["item"]["name"] == "scan.pdf") source = s;
  }
  ASSERT_FALSE(source.is_null()) << r.out;
  EXPECT_EQ(source["item"]["info"]["ocr"]["pages"], 1);
  json anchors = source["segments"][0]["source"]["location"]["anchors"];
  EXPECT_EQ(anchors["page"], 1);
  EXPECT_TRUE(anchors.contains("ocr")) << anchors;
  // In points of the page (150 dpi scan: 600x200 px is 288x96 pt).
  EXPECT_EQ(anchors["region"]["unit"], "pt");
  EXPECT_LT(anchors["region"]["x"].get<double>() + anchors["region"]["w"].get<double>(), 290);
  EXPECT_LT(anchors["region"]["y"].get<double>(), 50) << anchors;
}

TEST_F(CliPictures, AScannedPageBoundIntoATypedPdfIsReadByOcrAndMarkedSo) {
  const std::string id = IdOf("bound.pdf");
  ASSERT_NE(id, "");
  json item = Json(Uncut("show --json " + id));
  EXPECT_EQ(item["info"]["ocr"]["page_numbers"], json::array({2})) << item["info"];
  // The letter is the second page here (and the only page of scan.pdf).
  RunResult r = Uncut("trace --json --text 'the ferry timetable will change on the first of June'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json bound, report = Json(r);
  for (const json& s : report["sources"]) {
    if (s["item"]["name"] == "bound.pdf") bound = s;
  }
  ASSERT_FALSE(bound.is_null()) << r.out;
  json anchors = bound["segments"][0]["source"]["location"]["anchors"];
  EXPECT_EQ(anchors["page"], 2) << anchors;
  EXPECT_TRUE(anchors.contains("ocr")) << anchors;
  // The typed page's words are its own text layer, not OCR.
  RunResult typed = Uncut("trace --json --text 'the harbour office files this letter with its yearly report'");
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  json first = Json(typed)["sources"][0];
  EXPECT_EQ(first["item"]["name"], "bound.pdf");
  json typed_anchors = first["segments"][0]["source"]["location"]["anchors"];
  EXPECT_EQ(typed_anchors["page"], 1) << typed_anchors;
  EXPECT_FALSE(typed_anchors.contains("ocr")) << typed_anchors;
}

TEST_F(CliPictures, PersianReadByOcrIsNormalizedLikeTypedText) {
  // Typed with the Arabic forms of yeh and kaf (U+064A, U+0643), as many
  // keyboards give them; the picture's text has the Persian forms.
  RunResult r = Uncut(
      "trace --json --text '\u0645\u0647\u0646\u062f\u0633\u0627\u0646 \u06af\u0641\u062a\u0646\u062f "
      "\u0637\u0648\u0641\u0627\u0646 \u0627\u0633\u0641\u0646\u062f \u0627\u0633\u0643\u0644\u0647 "
      "\u0634\u0645\u0627\u0644\u064a \u0631\u0627 \u0648\u064a\u0631\u0627\u0646 \u0643\u0631\u062f'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json source = Json(r)["sources"][0];
  EXPECT_EQ(source["item"]["name"], "persian.png");
  json anchors = source["segments"][0]["source"]["location"]["anchors"];
  EXPECT_TRUE(anchors.contains("ocr")) << anchors;
  // The second line, drawn right-aligned.
  EXPECT_GT(anchors["region"]["y"].get<double>(), 50) << anchors;
  EXPECT_GT(anchors["region"]["x"].get<double>() + anchors["region"]["w"].get<double>(), 850)
      << anchors;
}

TEST_F(CliPictures, AStillOfAnArchivedVideoIsTracedToItsFrame) {
  // A frame 5.2 s in, enlarged and saved as a JPEG, as a screenshot is.
  ASSERT_EQ(Ffmpeg(StrCat("-ss 5.2 -i ", ShellQuote(File("programme.mp4")),
                          " -frames:v 1 -vf scale=640:360 -q:v 4 ", ShellQuote(File("still.jpg")))),
            "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("still.jpg")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json report = Json(r);
  EXPECT_EQ(report["query"]["kind"], "image");
  ASSERT_FALSE(report["sources"].empty());
  json source = report["sources"][0];
  EXPECT_EQ(source["item"]["name"], "programme.mp4");
  EXPECT_EQ(source["verdict"], "frame");
  json seg = source["segments"][0];
  EXPECT_NEAR(seg["source"]["start"].get<double>(), 5.2, 0.05) << seg;
  EXPECT_EQ(seg["evidence"], json::array({"picture"}));
  EXPECT_TRUE(seg["details"]["picture"]["refined"].get<bool>());
}

TEST_F(CliPictures, AFrameOfFastDarkMotionBetweenSampledFramesIsFoundAtItsTime) {
  // 2.16 s lies between the sampled frames at 2.0 and 2.33 s, each turned
  // some 24 degrees from it.
  ASSERT_EQ(Ffmpeg(StrCat("-ss 2.16 -i ", ShellQuote(File("spin.mp4")), " -frames:v 1 ",
                          ShellQuote(File("between.png")))),
            "");
  json source = FirstSource("between.png", "spin.mp4");
  ASSERT_FALSE(source.empty());
  json picture = source["segments"][0]["details"]["picture"];
  EXPECT_NEAR(picture["time_s"].get<double>(), 2.16, 0.05) << picture;
  EXPECT_NEAR(source["segments"][0]["source"]["start"].get<double>(), 2.16, 0.05);
  EXPECT_FALSE(picture["static"].get<bool>());
}

TEST_F(CliPictures, AScreenshotOfAPlayerShowingAFrameIsTracedToIt) {
  // The frame scaled into a player: a grey surround, a title bar with its
  // text above, a dark control bar below.
  ASSERT_EQ(Ffmpeg(StrCat("-ss 3.1 -i ", ShellQuote(File("programme.mp4")),
                          " -frames:v 1 -vf scale=640:-2,pad=iw+24:ih+84:12:44:color=0x3c3c3c,",
                          "drawbox=x=0:y=ih-28:w=iw:h=28:color=0x111111:t=fill,drawtext=fontfile=",
                          kFont, ":text=Player:fontcolor=white:fontsize=18:x=14:y=12 ",
                          ShellQuote(File("player.png")))),
            "");
  json source = FirstSource("player.png", "programme.mp4");
  ASSERT_FALSE(source.empty());
  EXPECT_NEAR(source["segments"][0]["details"]["picture"]["time_s"].get<double>(), 3.1, 0.05);
}

TEST_F(CliPictures, AStillOfAStaticShotIsReportedAsTheShotsSpan) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 1.0 -i ", ShellQuote(File("shot.mp4")), " -frames:v 1 -q:v 3 ",
                          ShellQuote(File("held.jpg")))),
            "");
  json source = FirstSource("held.jpg", "shot.mp4");
  ASSERT_FALSE(source.empty());
  json seg = source["segments"][0];
  EXPECT_TRUE(seg["details"]["picture"]["static"].get<bool>()) << seg;
  // The picture is held from 0 to 2 s: the span says so, not one moment.
  EXPECT_LE(seg["source"]["start"].get<double>(), 0.1) << seg;
  EXPECT_GE(seg["source"]["end"].get<double>(), 1.9) << seg;
  EXPECT_LE(seg["source"]["end"].get<double>(), 2.5) << seg;
  EXPECT_NE(source["notes"].dump().find("cannot be told"), std::string::npos) << source["notes"];
}

TEST_F(CliPictures, ACaptionedStillOfAShotMovingOnlyUnderTheCaptionSpansTheWholeShot) {
  // The caption band hides the moving strip: every frame of the 8 s shot
  // shows what the picture shows, though the index's hashes of whole
  // frames (strip included) differ from one sampled frame to the next.
  ASSERT_EQ(Ffmpeg(StrCat("-ss 6.5 -i ", ShellQuote(File("ticker.mp4")), " -frames:v 1 -vf ",
                          ShellQuote(StrCat("drawbox=x=0:y=ih*0.8:w=iw:h=ih*0.2:color=black@0.6:",
                                            "t=fill,drawtext=fontfile=", kFont, ":text=Watch:",
                                            "fontcolor=white:fontsize=h/16:x=(w-tw)/2:y=h*0.86")),
                          " ", ShellQuote(File("ticker.png")))),
            "");
  json source = FirstSource("ticker.png", "ticker.mp4");
  ASSERT_FALSE(source.empty());
  json seg = source["segments"][0];
  EXPECT_TRUE(seg["details"]["picture"]["static"].get<bool>()) << seg;
  EXPECT_LE(seg["source"]["start"].get<double>(), 0.5) << seg;
  EXPECT_GE(seg["source"]["end"].get<double>(), 7.5) << seg;
}

// `jpeg` with an EXIF block (APP1, little-endian TIFF, IFD0 holding only
// Orientation) saying viewers turn it 90 degrees clockwise (Orientation 6).
std::string TaggedTurnedClockwise(const std::string& jpeg) {
  const std::string tiff("II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0", 26);
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  std::string app1 = "\xff\xe1";
  app1.push_back(static_cast<char>((payload.size() + 2) >> 8));
  app1.push_back(static_cast<char>((payload.size() + 2) & 0xff));
  return jpeg.substr(0, 2) + app1 + payload + jpeg.substr(2);
}

// Stores `upright` as a JPEG turned 90 degrees counter-clockwise and tagged
// Orientation 6, as a phone that was held sideways does; "" on success.
std::string WriteTurned(const std::string& upright, const std::string& out) {
  const std::string raw = out + ".raw.jpg";
  std::string err = Ffmpeg(StrCat("-i ", ShellQuote(upright), " -vf transpose=2 -q:v 3 ",
                                  ShellQuote(raw)));
  if (!err.empty()) return err;
  auto jpeg = ReadFileToString(raw);
  if (!jpeg.ok()) return std::string(jpeg.status().message());
  absl::Status written = WriteFileAtomic(out, TaggedTurnedClockwise(*jpeg));
  return written.ok() ? "" : std::string(written.message());
}

TEST_F(CliPictures, AStillStoredSidewaysWithAnExifOrientationIsTracedUprightToItsFrame) {
  ASSERT_EQ(Ffmpeg(StrCat("-ss 5.2 -i ", ShellQuote(File("programme.mp4")),
                          " -frames:v 1 -vf scale=640:360 ", ShellQuote(File("upright.png")))),
            "");
  ASSERT_EQ(WriteTurned(File("upright.png"), File("sideways.jpg")), "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("sideways.jpg")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json report = Json(r);
  EXPECT_EQ(report["parameters"]["picture"]["orientation"]["exif"], 6);
  ASSERT_FALSE(report["sources"].empty());
  json source = report["sources"][0];
  EXPECT_EQ(source["item"]["name"], "programme.mp4");
  EXPECT_NEAR(source["segments"][0]["source"]["start"].get<double>(), 5.2, 0.05);
}

TEST_F(CliPictures, AScreenshotOfAQuoteIsTracedToTheDocumentEvenWhenStoredSideways) {
  const std::string report_text =
      "The river authority published its flood report on Monday. It found that the eastern "
      "levee had been raised too late to protect the mill district. Residents will be offered "
      "new insurance terms from the autumn.\n";
  ASSERT_EQ(Uncut("add " + ShellQuote(dir_->Write("flood_report.txt", report_text))).exit_code, 0);
  ASSERT_EQ(DrawText("It found that the eastern levee had been raised\n"
                     "too late to protect the mill district.",
                     "760x110", 26, "quote.png"),
            "");
  ASSERT_EQ(WriteTurned(File("quote.png"), File("quote_sideways.jpg")), "");
  const size_t quoted = report_text.find("It found");
  for (const char* name : {"quote.png", "quote_sideways.jpg"}) {
    RunResult r = Uncut(StrCat("trace --json ", ShellQuote(File(name))));
    ASSERT_EQ(r.exit_code, 0) << name << r.err << r.out;
    json report = Json(r);
    EXPECT_EQ(report["verdict"], "found") << name;
    ASSERT_TRUE(report.contains("text_trace")) << name << report;
    json text = report["text_trace"];
    EXPECT_EQ(text["query"]["kind"], "text");
    EXPECT_EQ(text["parameters"]["ocr"]["engine"], "tesseract");
    ASSERT_FALSE(text["sources"].empty()) << name << text;
    EXPECT_EQ(text["sources"][0]["item"]["name"], "flood_report.txt") << name;
    json seg = text["sources"][0]["segments"][0];
    EXPECT_NEAR(seg["source"]["start"].get<double>(), quoted, 3) << name << seg;
  }
  RunResult terminal = Uncut(StrCat("trace ", ShellQuote(File("quote_sideways.jpg"))));
  EXPECT_EQ(terminal.exit_code, 0) << terminal.err;
  EXPECT_NE(terminal.out.find("Text in the picture"), std::string::npos) << terminal.out;
  EXPECT_NE(terminal.out.find("flood_report.txt"), std::string::npos) << terminal.out;
}

TEST_F(CliPictures, APictureStoredSidewaysIsKeptAsItsBytesAndReadUpright) {
  ASSERT_EQ(DrawText("Ferry services resume on Thursday morning\nafter the harbour repairs.",
                     "760x110", 26, "notice.png"),
            "");
  ASSERT_EQ(WriteTurned(File("notice.png"), File("notice_sideways.jpg")), "");
  RunResult add = Uncut("add " + ShellQuote(File("notice_sideways.jpg")));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = IdOf("notice_sideways.jpg");
  ASSERT_FALSE(id.empty());
  json item = Json(Uncut("show --json " + id));
  EXPECT_EQ(item["info"]["exif"]["orientation"], 6);
  EXPECT_EQ(item["info"]["image"]["orientation"]["exif"], 6);
  EXPECT_EQ(item["info"]["image"]["orientation"]["shown"], "turned 90 degrees clockwise");
  // The stored bytes are the file's, tag and all.
  auto bytes = ReadFileToString(File("notice_sideways.jpg"));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(item["sha256"], Sha256Hex(*bytes));
  RunResult shown = Uncut("show " + id);
  EXPECT_NE(shown.out.find("turned 90 degrees clockwise"), std::string::npos) << shown.out;
  // OCR read it upright: the words come out, with regions inside the upright picture.
  RunResult text = Uncut("show --text " + id);
  EXPECT_NE(text.out.find("Ferry services resume"), std::string::npos) << text.out;
  RunResult traced = Uncut("trace --json --text 'Ferry services resume on Thursday morning'");
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  json region =
      Json(traced)["sources"][0]["segments"][0]["source"]["location"]["anchors"]["region"];
  // The first line, drawn at (20, 20) in the 760x110 picture as shown.
  EXPECT_EQ(region["unit"], "px");
  EXPECT_NEAR(region["x"].get<double>(), 20, 8) << region;
  EXPECT_NEAR(region["y"].get<double>(), 20, 8) << region;
  EXPECT_GT(region["w"].get<double>(), 400) << region;
  EXPECT_LT(region["h"].get<double>(), 45) << region;
}

TEST_F(CliPictures, ASmallerMirroredCopyOfAnArchivedPictureIsTracedToIt) {
  ASSERT_EQ(Ffmpeg(StrCat("-i ", ShellQuote(File("memo.png")), " -vf scale=600:100,hflip ",
                          ShellQuote(File("copy.jpg")))),
            "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("copy.jpg")));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json source = Json(r)["sources"][0];
  EXPECT_EQ(source["item"]["name"], "memo.png");
  EXPECT_EQ(source["verdict"], "same_picture");
  EXPECT_TRUE(source["segments"][0]["details"]["picture"]["mirrored"].get<bool>());
}

TEST_F(CliPictures, APictureFromNowhereIsNotFound) {
  ASSERT_EQ(Ffmpeg(StrCat("-f lavfi -i mandelbrot=size=320x240 -frames:v 1 ",
                          ShellQuote(File("elsewhere.png")))),
            "");
  RunResult r = Uncut("trace --json " + ShellQuote(File("elsewhere.png")));
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_EQ(Json(r)["verdict"], "not_found");
}

// A PNG header that declares `width` x `height` pixels, with a tiny IDAT.
std::string PngDeclaring(uint32_t width, uint32_t height) {
  auto crc = [](const std::string& s) {
    uint32_t c = 0xffffffff;
    for (unsigned char b : s) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320 & (0 - (c & 1)));
    }
    return c ^ 0xffffffff;
  };
  auto be = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    return be(data.size()) + type + data + be(crc(type + data));
  };
  std::string ihdr = be(width) + be(height) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
         chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) + chunk("IEND", "");
}

TEST_F(CliPictures, BadPicturesGetOneLineEachAndLeaveTheArchiveAsItWas) {
  RunResult before = Uncut("list --json");
  ASSERT_EQ(before.exit_code, 0);
  auto jpeg = ReadFileToString(File("letter.jpg"));
  ASSERT_TRUE(jpeg.ok());
  std::string noise(4000, '\0');
  std::mt19937 rng(7);
  for (char& c : noise) c = static_cast<char>(rng());
  noise[0] = 'x';  // no signature by chance
  struct Case {
    std::string name, bytes, reason;
  } cases[] = {
      {"cut.jpg", jpeg->substr(0, jpeg->size() / 2), "truncated JPEG"},
      {"noise.jpg", noise, "not a picture"},
      {"huge.png", PngDeclaring(200000, 200000), "200000x200000"},
      {"phone.heic", std::string("\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24) + noise, "HEIC"},
  };
  for (const Case& c : cases) {
    std::string path = dir_->Write(c.name, c.bytes);
    RunResult r = Uncut("add " + ShellQuote(path));
    EXPECT_EQ(r.exit_code, 3) << c.name << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.name), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
  }
  EXPECT_EQ(Uncut("list --json").out, before.out);
  RunResult verify = Uncut("verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace uncut
