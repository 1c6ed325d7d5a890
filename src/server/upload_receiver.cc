#include "server/upload_receiver.h"

#include <unistd.h>

#include <memory>
#include <random>

#include "base/file.h"
#include "base/file_name.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "store/archive.h"

namespace uncut::server {

void RemoveUploadDir(const Upload& up) {
  for (size_t n = 0; n < up.files.size(); ++n) {
    RemoveFile(up.files[n].path).IgnoreError();
    ::rmdir(JoinPath(up.dir, StrCat(n)).c_str());
  }
  ::rmdir(JoinPath(up.dir, StrCat(up.files.size())).c_str());  // made for a file that failed
  ::rmdir(up.dir.c_str());
}

absl::StatusOr<Upload> ReceiveUpload(const std::string& uploads_dir, const UploadRules& rules,
                                     const httplib::ContentReader& reader) {
  Upload up;
  std::random_device rd;
  up.dir = JoinPath(uploads_dir, StrCat(NowRfc3339().substr(0, 10), "-", rd(), rd()));
  RETURN_IF_ERROR(MakeDirs(up.dir));
  std::unique_ptr<File> current;
  std::string* field = nullptr;
  std::string field_name;
  absl::Status failure;
  bool ok = reader(
      [&](const httplib::MultipartFormData& part) {
        if (current) failure.Update(current->Close());
        current.reset();
        field = nullptr;
        if (!failure.ok()) return false;
        if (!part.filename.empty()) {
          if (!rules.file_field.empty() && part.name != rules.file_field) {
            failure.Update(
                absl::InvalidArgumentError(StrCat("unexpected file in field \"", part.name,
                                                  "\" (send it as \"", rules.file_field, "\")")));
            return false;
          }
          if (rules.max_files > 0 && up.files.size() >= rules.max_files) {
            failure.Update(absl::InvalidArgumentError(
                StrCat("send at most ", rules.max_files, " file(s) in \"", part.name, "\"")));
            return false;
          }
          UploadedFile f;
          f.field = part.name;
          f.name = SafeFileName(part.filename);
          std::string sub = JoinPath(up.dir, StrCat(up.files.size()));
          failure.Update(MakeDirs(sub));
          f.path = JoinPath(sub, f.name);
          auto created = File::Create(f.path, 0600);
          if (!created.ok()) failure.Update(created.status());
          if (!failure.ok()) return false;
          current = std::make_unique<File>(std::move(*created));
          up.files.push_back(std::move(f));
          return true;
        }
        if (rules.fields.count(part.name)) {
          field = &up.fields[part.name];
          field_name = part.name;
        }
        return true;  // unknown fields are ignored
      },
      [&](const char* data, size_t n) {
        if (current) {
          absl::Status s = current->WriteAll(std::string_view(data, n));
          if (!s.ok()) {
            failure.Update(s);
            return false;
          }
          up.files.back().size += n;
        } else if (field) {
          if (field->size() + n > rules.max_field_bytes) {
            failure.Update(absl::ResourceExhaustedError(StrCat(
                "the form field \"", field_name, "\" is longer than ", rules.max_field_bytes >> 10,
                " KiB")));
            return false;
          }
          field->append(data, n);
        }
        return true;
      });
  if (current) failure.Update(current->Close());
  if (!ok && failure.ok()) {
    failure = absl::InvalidArgumentError(
        StrCat("the upload was cut short, or is larger than this server's limit of ",
               rules.max_upload_bytes, " bytes"));
  }
  if (failure.ok() && up.files.empty() && !rules.missing_file_error.empty()) {
    failure = absl::InvalidArgumentError(rules.missing_file_error);
  }
  if (!failure.ok()) {
    RemoveUploadDir(up);
    return failure;
  }
  return up;
}

}  // namespace uncut::server
