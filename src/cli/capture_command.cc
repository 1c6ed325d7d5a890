// `uncut capture URL...`: a web page (or a file a URL serves, a recording
// too) fetched with GNU Wget into a WARC file, which is added as a web
// capture: the WARC an item with the URL, the capture time and the tool and
// its version in its note; each page or file in it an item with its URL
// and the capture time the WARC records.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "base/file.h"
#include "base/strings.h"
#include "cli/subcommands.h"
#include "store/archive.h"

namespace uncut {
namespace {

struct CaptureArgs {
  std::vector<std::string> urls;
  TsaOptions tsa;
  bool tsa_optional = false;
  std::string title, note;
};

// A temporary directory, removed with what it holds.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = StrCat(base && *base ? base : "/tmp", "/uncut-capture-XXXXXX");
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a shell command; its exit code, or -1 when it did not run.
int Run(const std::string& command) {
  int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// "GNU Wget 1.21.3", or "" when wget is not installed.
std::string WgetVersion(const std::string& scratch) {
  std::string out = JoinPath(scratch, "version");
  if (Run(StrCat("wget --version >", ShellQuote(out), " 2>/dev/null")) != 0) return "";
  auto text = ReadFileToString(out, 1 << 16);
  std::string line = text.ok() ? FirstLine(*text) : "";
  size_t built = line.find(" built on");
  return built == std::string::npos ? line : line.substr(0, built);
}

// Why wget failed, from its exit code and its -nv log.
std::string WgetFailure(int code, const std::string& log) {
  size_t error = log.find("ERROR ");
  if (code == 8 && error != std::string::npos) {
    std::string line = FirstLine(log.substr(error + 6));
    while (!line.empty() && (line.back() == '.' || line.back() == '\r')) line.pop_back();
    return StrCat("the server answered HTTP ", line);
  }
  switch (code) {
    case 4:
      return "unreachable (network failure)";
    case 5:
      return "the TLS certificate did not verify";
    case 6:
      return "the server asked for a login";
    case 7:
      return "the server's answer broke the protocol";
    case 8:
      return "the server answered with an error";
    default:
      return StrCat("wget failed (exit ", code, ")");
  }
}

// Fetches `url` into a WARC file under `scratch`; returns its path.
absl::StatusOr<std::string> Fetch(const std::string& url, const std::string& scratch) {
  std::string warc = JoinPath(scratch, "capture");
  std::string log = JoinPath(scratch, "wget.log");
  int code = Run(StrCat("wget -nv --tries=1 --timeout=30 --max-redirect=10 -e robots=off ",
                        "--directory-prefix=", ShellQuote(JoinPath(scratch, "files")),
                        " --warc-file=", ShellQuote(warc), " -- ", ShellQuote(url), " >",
                        ShellQuote(log), " 2>&1"));
  if (code != 0) {
    auto text = ReadFileToString(log, 1 << 20);
    return absl::UnavailableError(
        StrCat(url, ": not captured: ", WgetFailure(code, text.ok() ? *text : "")));
  }
  return warc + ".warc.gz";
}

int RunCapture(const GlobalOptions& g, const CaptureArgs& a) {
  for (const std::string& url : a.urls) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return ReportError(absl::InvalidArgumentError(
          StrCat(url, ": not an http:// or https:// URL; nothing captured")));
    }
  }
  int worst = kExitOk;
  for (const std::string& url : a.urls) {
    ScratchDir scratch;
    if (scratch.path().empty()) return ReportError(absl::InternalError("cannot make a temporary folder"));
    std::string tool = WgetVersion(scratch.path());
    if (tool.empty()) {
      return ReportError(absl::FailedPreconditionError(
          "capture needs GNU Wget, which is not installed (apt-get install wget)"));
    }
    std::string captured_at = NowRfc3339();
    auto warc = Fetch(url, scratch.path());
    if (!warc.ok()) {
      std::fprintf(stderr, "uncut: %s\n", std::string(warc.status().message()).c_str());
      worst = std::max(worst, kExitBadInput);
      continue;
    }
    AddCommand add;
    add.paths = {*warc};
    add.options.meta.source_url = url;
    add.options.meta.captured_at = captured_at;
    if (!a.title.empty()) add.options.meta.title = a.title;
    add.options.meta.note = StrCat("captured with ", tool, " by uncut capture",
                                   a.note.empty() ? "" : "; ", a.note);
    add.tsa = a.tsa;
    add.tsa_optional = a.tsa_optional;
    worst = std::max(worst, RunAdd(g, add));
  }
  return worst;
}

}  // namespace

Subcommand AddCaptureCommand(CLI::App* app, const GlobalOptions* g) {
  auto a = std::make_shared<CaptureArgs>();
  CLI::App* cmd = app->add_subcommand(
      "capture", "fetch web pages (or files at URLs) into the archive as WARC captures");
  cmd->add_option("urls", a->urls, "http:// or https:// URLs")->required();
  cmd->add_option("--title", a->title, "a title for the capture");
  cmd->add_option("--note", a->note, "a note kept with the capture");
  cmd->add_option("--tsa", a->tsa.url, "time-stamp each capture (RFC 3161), as for add");
  cmd->add_option("--tsa-ca", a->tsa.ca_file, "the authority's CA certificates (PEM)");
  cmd->add_flag("--tsa-optional", a->tsa_optional, "capture without a timestamp if the TSA fails");
  cmd->footer(
      "Fetches each URL with GNU Wget into a WARC file (the HTTP request and response,\n"
      "headers included) and adds it as a web capture: the source URL, the capture time and\n"
      "the tool and its version are kept with it. The page alone is fetched, not the images\n"
      "and scripts it loads; pages that need a browser to show their text, and video sites,\n"
      "are not captured as a reader sees them. A URL that cannot be fetched (unreachable, an\n"
      "HTTP error) is one line and leaves nothing in the archive; the others are captured.\n\n"
      "Examples:\n"
      "  uncut capture https://example.org/statement.html\n"
      "  uncut capture https://example.org/a https://example.org/b --tsa https://freetsa.org/tsr");
  return {cmd, [g, a] { return RunCapture(*g, *a); }};
}

}  // namespace uncut
