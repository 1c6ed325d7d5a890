// Forced alignment of a known text to a recording, for the speech
// benchmark's reference times: PocketSphinx decodes the recording with a
// grammar that allows only the text's words in order (silences and noises
// between them, and an optional spoken heading such as "sonnet one" before),
// so each word's time comes from the acoustic model alone, independent of
// the language-model decoding that `uncut transcribe` does.
//
//   uncut_speech_align AUDIO TEXT   prints "word start_s end_s" per word
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/strings.h"
#include "decode/audio_reader.h"
#include "speech/pronunciation.h"
#include "speech/recognizer.h"

using namespace uncut;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: uncut_speech_align AUDIO TEXT\n");
    return 2;
  }
  auto text = ReadFileToString(argv[2]);
  if (!text.ok()) {
    std::fprintf(stderr, "%s\n", std::string(text.status().message()).c_str());
    return 1;
  }
  RecognizerOptions ro;
  auto dict = PronouncingDictionary::Load(ro.model_dir + "/cmudict-en-us.dict");
  if (!dict.ok()) return 1;
  err_set_logfp(nullptr);
  std::string hmm = ro.model_dir + "/en-us", lm = ro.model_dir + "/en-us.lm.bin",
              dic = ro.model_dir + "/cmudict-en-us.dict";
  cmd_ln_t* config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(),
                                 "-dict", dic.c_str(), "-logfn", "/dev/null", "-remove_silence",
                                 "no", "-dither", "yes", "-seed", "1", nullptr);
  ps_decoder_t* ps = ps_init(config);
  if (ps == nullptr) return 1;
  std::string words;
  for (const SpokenWord& w : SpokenWords(*text)) {
    std::string word = w.word;
    for (char& c : word) {
      if (c == '\'') c = 'q';  // JSGF tokens: no apostrophes
    }
    char* known = ps_lookup_word(ps, w.word.c_str());
    std::string phones;
    if (known != nullptr) {
      phones = known;
      ckd_free(known);
    } else {
      for (Phone p : dict->Phones(w.word)) StrAppend(&phones, phones.empty() ? "" : " ", PhoneName(p));
    }
    if (phones.empty()) continue;
    ps_add_word(ps, word.c_str(), phones.c_str(), FALSE);
    StrAppend(&words, " ", word);
  }
  std::string grammar =
      StrCat("#JSGF V1.0;\ngrammar text;\npublic <text> = [sonnet] [one | two | three] "
             "[one | two | three]",
             words, ";\n");
  if (ps_set_jsgf_string(ps, "text", grammar.c_str()) < 0 || ps_set_search(ps, "text") < 0) {
    std::fprintf(stderr, "grammar refused\n");
    return 1;
  }
  auto samples = DecodeAudio(argv[1], kSpeechSampleRate);
  if (!samples.ok()) {
    std::fprintf(stderr, "%s\n", std::string(samples.status().message()).c_str());
    return 1;
  }
  std::vector<int16_t> pcm;
  for (float f : *samples) pcm.push_back(static_cast<int16_t>(std::max(-1.0f, std::min(1.0f, f)) * 32767));
  ps_start_utt(ps);
  ps_process_raw(ps, pcm.data(), pcm.size(), FALSE, TRUE);
  ps_end_utt(ps);
  int n = 0;
  for (ps_seg_t* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
    std::string w = ps_seg_word(seg);
    if (w.empty() || w[0] == '<' || w[0] == '[') continue;
    int sf, ef;
    ps_seg_frames(seg, &sf, &ef);
    std::printf("%s %.2f %.2f\n", w.c_str(), sf * 0.01, (ef + 1) * 0.01);
    ++n;
  }
  ps_free(ps);
  cmd_ln_free_r(config);
  return n > 0 ? 0 : 1;
}
