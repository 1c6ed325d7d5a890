// Receiving multipart/form-data uploads: file parts are streamed to a fresh
// directory under ARCHIVE/uploads/ (never held in memory), small text
// fields are kept. Used by adding sources (POST /api/items) and by tracing
// a clip (POST /api/trace).
#ifndef UNCUT_SERVER_UPLOAD_RECEIVER_H_
#define UNCUT_SERVER_UPLOAD_RECEIVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "httplib.h"

namespace uncut::server {

struct UploadedFile {
  std::string field;  // the form field it came in
  std::string name;   // as the client sent it (sanitised)
  std::string path;   // where it was written
  uint64_t size = 0;
};

struct Upload {
  // ARCHIVE/uploads/upload-<16 hex digits>, locked (flock) while this
  // upload or a copy of it lives, so that SweepStaleUploads can tell it from
  // the leftovers of a server that was killed.
  std::string dir;
  std::shared_ptr<const int> lock;  // the directory's descriptor
  std::vector<UploadedFile> files;
  std::map<std::string, std::string> fields;
};

struct UploadRules {
  std::set<std::string> fields;  // text fields kept; others are ignored
  size_t max_field_bytes = 64 << 10;
  std::string file_field;  // when set, file parts of other fields are refused
  size_t max_files = 0;    // 0: no limit
  // Said when the upload holds no file; empty: an upload without files is fine.
  std::string missing_file_error;
  uint64_t max_upload_bytes = 0;  // for the message when the client stops short
  bool allow_files = true;        // false: a file part is refused (it needs the token)
};

// Reads the whole multipart body into `uploads_dir`/<new directory>. On
// error nothing is left behind. File names and the kept fields must be
// UTF-8.
absl::StatusOr<Upload> ReceiveUpload(const std::string& uploads_dir, const UploadRules& rules,
                                     const httplib::ContentReader& reader);

// Removes the files of an upload and the directories made for them.
void RemoveUploadDir(const Upload& up);

// Removes what servers that were killed left in `uploads_dir`: directories
// named as ReceiveUpload names them whose lock no live process holds, and
// those of an older naming (YYYY-MM-DD-digits) a day or more old. Nothing
// else there is touched.
void SweepStaleUploads(const std::string& uploads_dir);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_UPLOAD_RECEIVER_H_
