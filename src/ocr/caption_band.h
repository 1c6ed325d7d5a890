// Burned-in captions: where they change, found cheaply on the small grey
// frames a video's fingerprint already decodes, and the cues their text
// makes once read.
//
// Captions sit in the bottom of the picture. For each frame the detector
// reduces that band to a coarse map of edge density (a grid of cells, each
// the share of its pixels where the grey level steps sharply, as the
// strokes of letters do) and compares it with the map at the last change:
// the normalised L1 distance between the two maps. Smooth motion behind a
// caption moves few sharp edges; a new caption line, or none, moves many.
// A change is reported once the band has settled (the next frame is close
// to it), so a caption fading in is read when it is whole. A settled band
// is "text-like" when a row of cells holds a run of dense edges of some
// width, as a line of lettering does; only text-like changes are worth
// OCR. The number of reads is capped per minute of video, so a busy
// background cannot make indexing slow.
//
// All of this is arithmetic on a few thousand pixels a frame; no OCR and
// no decoding happen here.
#ifndef UNCUT_OCR_CAPTION_BAND_H_
#define UNCUT_OCR_CAPTION_BAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ocr/ocr.h"

namespace uncut {

struct CaptionBandOptions {
  double band_share = 0.3;   // the bottom share of the picture that is watched
  int grid_cols = 48, grid_rows = 6;
  int edge_step = 40;        // grey-level step between neighbours that counts as an edge
  double min_change = 0.3;   // band distance (0..1) that counts as a change
  double max_settle = 0.15;  // distance to the next frame under which a change has settled
  int max_settle_frames = 3; // a band still moving after this many frames is taken as it is
  // Text-like: some row of cells has a run of at least this share of the
  // columns whose cells have at least this edge density.
  double text_cell_density = 0.06;
  double text_run_share = 0.08;
  int max_reads_per_minute = 40;
};

// A change of the caption band.
struct CaptionChange {
  double start_s = 0;      // the first frame that showed the new band
  double read_s = 0;       // a frame where it had settled: the one to read
  bool text_like = false;  // worth reading
  bool read = false;       // text-like and within the read budget
};

class CaptionChangeDetector {
 public:
  explicit CaptionChangeDetector(CaptionBandOptions options = CaptionBandOptions())
      : options_(options) {}

  // The first row of the watched band of a picture `height` rows high
  // whose content (without bars) spans rows [content_y, content_y +
  // content_h): the bottom band_share of the content, down to the frame's
  // bottom edge (captions are often burned into a letterbox bar).
  int BandTop(int height, int content_y, int content_h) const;

  // Watches rows [band_top, height) of an 8-bit grey frame shown from
  // `time_s` (frames in time order).
  void Observe(double time_s, const uint8_t* gray, int width, int height, int stride,
               int band_top);
  // Ends the watch: a change still settling is reported as it stands.
  void Finish();

  const std::vector<CaptionChange>& changes() const { return changes_; }
  int frames() const { return frames_; }

  // The edge-density map of a band (grid_rows x grid_cols, row-major), and
  // what the detector derives from two of them and from one.
  std::vector<float> BandMap(const uint8_t* gray, int width, int height, int stride,
                             int band_top) const;
  double Distance(const std::vector<float>& a, const std::vector<float>& b) const;
  bool TextLike(const std::vector<float>& map) const;
  // The cells that hold lettering (text_cell_density or more), grown by a
  // cell on every side: [col0, col1) x [row0, row1); empty when none.
  struct CellBox {
    int col0 = 0, col1 = 0, row0 = 0, row1 = 0;
  };
  CellBox TextCells(const std::vector<float>& map) const;
  const CaptionBandOptions& options() const { return options_; }

 private:
  void Emit(double read_s, const std::vector<float>& map);

  CaptionBandOptions options_;
  std::vector<float> reference_;  // the band at the last change
  std::vector<float> previous_;   // the band of the previous frame
  double previous_s_ = 0;
  bool pending_ = false;          // a change not yet settled
  double pending_start_s_ = 0;
  int pending_frames_ = 0;
  int frames_ = 0;
  std::vector<double> reads_s_;   // times of the reads granted
  std::vector<CaptionChange> changes_;
};

// A caption on screen from start_s to end_s.
struct CaptionCue {
  double start_s = 0, end_s = 0;
  std::string text;
  float confidence = 0;  // Tesseract's mean word confidence, 0..100
};

// A change's reading: the text OCR found (empty: none, or not read).
struct CaptionRead {
  std::string text;
  float confidence = 0;
};

// The cues that `changes` (in time order) and their readings `reads`
// (one per change) make: each text runs from its change to the next
// change; identical texts in a row, as OCR reads them (ignoring case,
// spacing, punctuation and a few misread letters), are one cue; changes
// without text end the cue before. The last cue ends at `end_s`.
std::vector<CaptionCue> CaptionCues(const std::vector<CaptionChange>& changes,
                                    const std::vector<CaptionRead>& reads, double end_s);

// Whether two readings are the same caption (see CaptionCues).
bool SameCaption(const std::string& a, const std::string& b);

// The characters of a word read by OCR (UTF-8): letters of the scripts
// captions are read in (Latin, Arabic, Persian), digits, and all visible
// ones (joiners and direction marks are not).
struct CaptionCharacters {
  int letters = 0, digits = 0, visible = 0;
};
CaptionCharacters CountCaptionCharacters(const std::string& word);

// OCR's reading of a caption band without the lines that do not read as
// words, which is what OCR makes of a textured picture behind the caption
// or of the band's edges ("~ -- ,. |", "1l| ;'"). A line is kept when it
// has at least three letters, a word of two letters or more, and two in
// three of its visible characters other than digits are letters. The first
// word kept of a line starts it.
std::vector<OcrWord> CaptionWordsWithoutJunkLines(const std::vector<OcrWord>& words);

}  // namespace uncut

#endif  // UNCUT_OCR_CAPTION_BAND_H_
