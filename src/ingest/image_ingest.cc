#include "ingest/image_ingest.h"

#include "base/file.h"
#include "base/named_message.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "decode/frame_grabber.h"
#include "decode/jpeg_encoder.h"
#include "extract/ocr_text.h"
#include "image/exif.h"
#include "image/image_format.h"
#include "image/image_signature.h"
#include "image/picture.h"
#include "ingest/media_ingest.h"
#include "ingest/stored_item.h"
#include "ocr/ocr.h"
#include "text/fingerprint.h"

namespace uncut {
namespace {

// A small JPEG of the picture, for the server's item list.
std::optional<std::string> Thumbnail(const MediaSource& source, int orientation) {
  auto rgb = DecodePicture(source, 320, /*rgb=*/true, orientation);
  if (!rgb.ok()) return std::nullopt;
  auto jpeg = EncodeJpeg(*rgb, 5);
  if (!jpeg.ok()) return std::nullopt;
  return *jpeg;
}

// Pictures are read by OCR at up to this size (longer side, pixels).
constexpr int kOcrSide = 4000;

// The picture's text, read by OCR from the picture turned upright, with
// each word's box in the upright picture's pixels; nothing when it holds no
// text.
absl::StatusOr<std::optional<ExtractedText>> ReadPictureText(const MediaSource& source,
                                                      const PictureInfo& info, int orientation,
                                                      nlohmann::json* item_info,
                                                      std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(VideoFrame gray, DecodePicture(source, kOcrSide, /*rgb=*/false, orientation));
  ASSIGN_OR_RETURN(OcrResult ocr,
                   RecognizeText(gray.pixels.data(), gray.width, gray.height, gray.width));
  if (ocr.timed_out) warnings->push_back("OCR ran out of time; part of the picture is unread");
  if (ocr.words.empty()) return std::nullopt;
  (*item_info)["ocr"] = {{"engine", "tesseract"}, {"languages", ocr.languages},
                         {"words", ocr.words.size()}};
  std::vector<OcrPageText> pages(1);
  const int upright_width = OrientationSwapsSides(orientation) ? info.height : info.width;
  pages[0].box_scale = static_cast<double>(upright_width) / gray.width;
  pages[0].ocr = std::move(ocr);
  return OcrToText(pages, /*paged=*/false, "px");
}

}  // namespace

FileAnalysis AnalyseImage(const std::string& read_path, std::string_view bytes,
                          const std::string& path, const std::string& format) {
  FileAnalysis a;
  // Errors name the user's file, not the one read.
  auto fail = [&](const absl::Status& s) {
    std::string msg(s.message());
    for (size_t at; (at = msg.find(read_path)) != std::string::npos;) {
      msg.replace(at, read_path.size(), path);
    }
    if (msg.rfind(path + ": ", 0) == 0) msg = msg.substr(path.size() + 2);
    a.status = absl::Status(s.code(), NamedMessage(path, msg));
    return std::move(a);
  };
  std::string fmt = format;
  if (fmt.empty()) {
    auto sniffed = SniffImageFormat(bytes.substr(0, 64));
    if (!sniffed) {
      return fail(absl::InvalidArgumentError(
          StrCat("named .", Extension(path), " but its bytes are not a picture uncut reads")));
    }
    fmt = *sniffed;
  }
  if (auto declared = ReadDeclaredSize(fmt, bytes)) {
    absl::Status size = CheckPictureSize(path, declared->width, declared->height);
    if (!size.ok()) return fail(size);
  }
  absl::Status whole = CheckImageComplete(fmt, bytes);
  if (!whole.ok()) return fail(whole);
  const MediaSource source = MediaSource::File(read_path);
  auto info = ProbePicture(source);
  if (!info.ok()) return fail(info.status());
  // The picture is hashed and read as a viewer shows it; the bytes are kept as they are.
  nlohmann::json exif = ReadExif(fmt, bytes);
  const int orientation = exif.value("orientation", 1);
  auto gray = DecodePicture(source, kPictureHashSide, /*rgb=*/false, orientation);
  if (!gray.ok()) return fail(gray.status());
  VideoSignature sig = SignPicture(*gray);

  NewItem& n = a.item;
  Item& it = n.item;
  it.kind = "image";
  it.format = fmt;
  if (Extension(path) != fmt && !(fmt == "jpg" && Extension(path) == "jpeg") &&
      !(fmt == "tiff" && Extension(path) == "tif")) {
    a.warnings.push_back(StrCat(Extension(path).empty() ? "has no extension"
                                                        : StrCat("is named .", Extension(path)),
                                " but holds a ", fmt, " picture; added as a picture"));
  }
  it.info["image"] = {{"width", info->width}, {"height", info->height}, {"codec", info->codec}};
  const FrameSig& f = sig.frames[0];
  it.info["image"]["pdq"] = f.main.ToHex();
  it.info["image"]["pdq_quality"] = f.main_quality;
  if (!OrientationText(orientation).empty()) {
    it.info["image"]["orientation"] = {{"exif", orientation}, {"shown", OrientationText(orientation)}};
  }
  if (!exif.empty()) it.info["exif"] = std::move(exif);
  n.postings[kImageModality] = PicturePostings(sig);
  if (n.postings[kImageModality].empty()) {
    a.warnings.push_back("the picture is too plain to fingerprint: it cannot be traced by picture");
  }
  n.blobs[kImageSignatureBlob] = sig.Serialize();
  auto text = ReadPictureText(source, *info, orientation, &it.info, &a.warnings);
  if (!text.ok()) return fail(text.status());
  if (*text) {
    // Offsets of OCR text are offsets into the text, as for PDF.
    it.info["offsets"] = "text";
    n.postings[kTextModality] = TextPostings((*text)->text, DefaultTextWinnowParams());
    n.text = std::move(**text);
  }
  if (auto thumb = Thumbnail(source, orientation)) n.blobs[kThumbnailBlob] = std::move(*thumb);
  // EXIF strings are whatever the camera wrote; the catalog's JSON must be UTF-8.
  MakeValidUtf8(&it.info);
  return a;
}

absl::StatusOr<AddOutcome> AddImage(WriteBatch* batch, const std::string& path,
                                    const std::string& format, const AddOptions& options,
                                    const std::string& prepared_sha256, FileAnalysis* prepared) {
  AddOutcome out;
  ASSIGN_OR_RETURN(std::optional<StagedObject> staged, StageNewFile(batch, path, &out));
  if (!staged) return out;
  const StagedObject& obj = *staged;
  auto fail = [&](const absl::Status& s) {
    batch->Discard(obj);
    return s;
  };
  // The analysis of the user's file holds only if it has the stored bytes;
  // otherwise the stored copy is analysed now.
  FileAnalysis analysed;
  if (prepared == nullptr || prepared_sha256 != obj.sha256) {
    auto mapped = MappedFile::Open(obj.path);
    if (!mapped.ok()) return fail(absl::Status(mapped.status().code(),
                                               NamedMessage(path, mapped.status().message())));
    analysed = AnalyseImage(obj.path, mapped->data().substr(obj.offset, obj.size), path, format);
    prepared = &analysed;
  }
  if (!prepared->status.ok()) return fail(prepared->status);
  NewItem n = std::move(prepared->item);
  out.warnings = std::move(prepared->warnings);
  Item& it = n.item;
  FillStoredItem(obj, path, options, &it);
  out.item = it;
  auto id = batch->AddItem(std::move(n));
  if (!id.ok()) return fail(absl::Status(id.status().code(), NamedMessage(path, id.status().message())));
  out.item.id = *id;
  return out;
}

}  // namespace uncut
