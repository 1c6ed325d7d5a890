// Content transfer encodings of MIME parts (quoted-printable, base64,
// uuencode) decoded with GMime, keeping where each decoded byte came from,
// so a passage of a decoded body can still be reported as a span of the
// message's bytes.
#ifndef UNCUT_EXTRACT_TRANSFER_DECODE_H_
#define UNCUT_EXTRACT_TRANSFER_DECODE_H_

#include <gmime/gmime.h>

#include <string>
#include <string_view>

#include "extract/offset_map.h"

namespace uncut {

struct TransferDecoded {
  std::string bytes;
  OffsetMap map;  // decoded byte -> byte of `encoded`
};

// Decodes `encoded` line by line. For 7bit, 8bit, binary and unknown
// encodings the bytes are kept as they are (an identity map). For
// quoted-printable, literal characters map one to one and each =XX escape
// maps to its three bytes; base64 and uuencode map whole encoded lines to
// the bytes they decode to.
TransferDecoded DecodeTransfer(std::string_view encoded, GMimeContentEncoding encoding);

}  // namespace uncut

#endif  // UNCUT_EXTRACT_TRANSFER_DECODE_H_
