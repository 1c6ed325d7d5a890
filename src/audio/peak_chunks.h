// The peaks of one long recording found on several threads: its sound is
// cut into time chunks, each decoded by its own reader (seeked to a little
// before the chunk, resampled from the same phase as a read from the start)
// and searched for peaks by its own PeakStream, with enough of the
// neighbouring chunks that the frames it owns see the same whitening
// windows and peak neighbourhoods as in a whole pass. The parts merge into
// the peaks of a whole pass, bit for bit.
//
// That holds when decoding from a seek point gives, after a short
// pre-roll, the samples decoding from the start gives: true of PCM, FLAC,
// MP3, AAC and Vorbis, whose decoders forget their past within a frame or
// two. It is not assumed: the chunks overlap, the samples of each overlap
// are compared bit for bit between the two chunks that decoded them, and
// any difference (a codec with longer memory, such as Opus's, timestamps
// coarser than a sample, a seek that lands late, a file shorter than it
// declares) has the recording read whole instead, on one thread.
#ifndef UNCUT_AUDIO_PEAK_CHUNKS_H_
#define UNCUT_AUDIO_PEAK_CHUNKS_H_

#include <string>

#include "absl/status/statusor.h"
#include "audio/landmarks.h"

namespace uncut {

struct ChunkedPeakOptions {
  int jobs = 1;  // threads; 1 reads the recording whole
  // Chunks are at least this long; a recording shorter than two is read
  // whole. Each chunk costs about 4.4 s of sound decoded twice (1 s of
  // pre-roll and the overlaps with its neighbours).
  double min_chunk_s = 120;
  // Chunks per thread at most, so that a thread slowed by other work on
  // the machine holds up the end less.
  int chunks_per_job = 4;
};

struct ChunkedPeaks {
  AudioPeaks peaks;  // start_s set, as ReadPeaks gives
  int chunks = 1;    // chunks the sound was analysed in (1: read whole)
};

// The peaks of `path`'s sound at the index's density: what ReadPeaks on an
// AudioReader opened at kAudioSampleRate returns, on up to options.jobs
// threads. Errors are those of reading the file whole.
absl::StatusOr<ChunkedPeaks> ReadPeaksInChunks(const std::string& path,
                                               const ChunkedPeakOptions& options);

}  // namespace uncut

#endif  // UNCUT_AUDIO_PEAK_CHUNKS_H_
