#include "report/rerun_command.h"

#include "base/strings.h"

namespace uncut {

std::string RerunCommand(const std::string& archive_dir, const TraceReport& r,
                         const std::string& query_file, size_t max_inline_bytes) {
  std::string cmd = StrCat("uncut --archive ", ShellQuote(archive_dir), " trace");
  if (r.query_kind != "text") {
    return StrCat(cmd, " ", ShellQuote(query_file.empty() ? r.query_name : query_file));
  }
  if (query_file.empty() && r.query_text.size() <= max_inline_bytes) {
    StrAppend(&cmd, " --text ", ShellQuote(r.query_text));
  } else {
    StrAppend(
        &cmd, " --text-file ",
        ShellQuote(query_file.empty() ? StrCat(r.query_sha256.substr(0, 12), ".txt") : query_file));
  }
  auto context = r.parameters.find("context_sentences");
  if (context != r.parameters.end() && context->is_number_integer()) {
    StrAppend(&cmd, " --context ", context->get<int>());
  }
  return cmd;
}

}  // namespace uncut
