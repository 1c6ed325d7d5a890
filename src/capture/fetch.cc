#include "capture/fetch.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <regex>
#include <vector>

#include "base/file.h"
#include "base/strings.h"

namespace uncut {
namespace {

constexpr int kTimeoutExit = 124;  // timeout(1): the time limit ran out

// Runs a shell command; its exit code, or -1 when it did not run.
int Run(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// `command` bounded in time and in the size of any file it writes.
std::string Bounded(const std::string& command, const FetchLimits& limits) {
  return StrCat("timeout -k 10 ", std::max(1, limits.time_limit_s), " prlimit --fsize=",
                limits.max_bytes, " -- ", command);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string ReadLog(const std::string& path) {
  auto text = ReadFileToString(path, 1 << 20);
  return text.ok() ? *text : "";
}

std::string MiB(uint64_t bytes) { return StrCat(bytes >> 20, " MiB"); }

absl::Status NotCaptured(const std::string& url, const std::string& reason, bool gone = false) {
  std::string message = StrCat(url, ": not captured: ", reason);
  return gone ? absl::NotFoundError(message) : absl::UnavailableError(message);
}

// The first line of the tool's --version output, or "".
std::string VersionLine(const std::string& command, const std::string& scratch) {
  std::string out = JoinPath(scratch, "version");
  if (Run(StrCat(command, " --version >", ShellQuote(out), " 2>/dev/null")) != 0) return "";
  return FirstLine(ReadLog(out));
}

// Why wget failed, from its exit code and its log.
absl::Status WgetFailure(const std::string& url, int code, const std::string& log,
                         const FetchLimits& limits) {
  size_t error = log.find("ERROR ");
  if (code == 8 && error != std::string::npos) {
    std::string line = FirstLine(log.substr(error + 6));
    while (!line.empty() && (line.back() == '.' || line.back() == '\r')) line.pop_back();
    if (line.size() > 3 && line.compare(3, 2, ": ") == 0) line.erase(3, 1);  // "404: Not Found"
    bool gone = line.rfind("404", 0) == 0 || line.rfind("410", 0) == 0;
    return NotCaptured(url, StrCat("the server answered HTTP ", line), gone);
  }
  if (code == kTimeoutExit) {
    return NotCaptured(url, StrCat("took longer than the limit of ", limits.time_limit_s, " s"));
  }
  switch (code) {
    case 3:  // file I/O: the size limit stops the write
    case 128 + SIGXFSZ:
      return NotCaptured(url, StrCat("larger than the limit of ", MiB(limits.max_bytes)));
    case 4:
      return NotCaptured(url, "unreachable (network failure)");
    case 5:
      return NotCaptured(url, "the TLS certificate did not verify");
    case 6:
      return NotCaptured(url, "the server asked for a login");
    case 7:
      return NotCaptured(url, "the server's answer broke the protocol");
    case 8:
      return NotCaptured(url, "the server answered with an error");
    default:
      return NotCaptured(url, StrCat("wget failed (exit ", code, ")"));
  }
}

// Why yt-dlp failed, from its exit code and its log.
absl::Status YtDlpFailure(const std::string& url, int code, const std::string& log,
                          const FetchLimits& limits) {
  if (code == kTimeoutExit) {
    return NotCaptured(url, StrCat("took longer than the limit of ", limits.time_limit_s, " s"));
  }
  std::string error;
  for (size_t at = log.find("ERROR: "); at != std::string::npos; at = log.find("ERROR: ", at + 1)) {
    error = FirstLine(log.substr(at + 7));
  }
  std::string lower = Lower(error + "\n" + log);
  std::smatch m;
  static const std::regex kHttp(R"(HTTP Error (\d{3}): ([^(;\n]*))");
  if (std::regex_search(error, m, kHttp)) {
    std::string status = m[1].str();
    return NotCaptured(url, StrCat("the server answered HTTP ", status, " ", Trim(m[2].str())),
                       status == "404" || status == "410");
  }
  if (lower.find("larger than max-filesize") != std::string::npos ||
      lower.find("file too large") != std::string::npos || code == 128 + SIGXFSZ) {
    return NotCaptured(url, StrCat("larger than the limit of ", MiB(limits.max_bytes)));
  }
  if (error.find("Unsupported URL") != std::string::npos) {
    return NotCaptured(url, "yt-dlp finds no media there (unsupported URL)");
  }
  for (const char* wall : {"sign in", "log in", "login", "--cookies", "members only", "private video"}) {
    if (Lower(error).find(wall) != std::string::npos) {
      return NotCaptured(url, "behind a login wall (the site asks to sign in)");
    }
  }
  for (const char* net : {"connection refused", "name or service not known", "timed out",
                          "failed to resolve", "network is unreachable", "urlopen error"}) {
    if (lower.find(net) != std::string::npos) return NotCaptured(url, "unreachable (network failure)");
  }
  if (error.find("downloaded file is empty") != std::string::npos) {
    return NotCaptured(url, StrCat("yt-dlp fetched nothing (the stream is empty, or its parts are "
                                   "larger than the limit of ", MiB(limits.max_bytes), ")"));
  }
  if (error.empty()) return NotCaptured(url, StrCat("yt-dlp failed (exit ", code, ")"));
  return NotCaptured(url, StrCat("yt-dlp: ", Trim(error)));
}

// yt-dlp's common options: one item, nothing read or written beyond the
// scratch folder, no progress lines.
std::string YtDlp(const std::string& scratch, const FetchLimits& limits) {
  return StrCat("yt-dlp --ignore-config --no-cache-dir --no-playlist --playlist-items 1 ",
                "--no-progress --no-mtime --socket-timeout 30 --retries 1 --fragment-retries 1 ",
                "--max-filesize ", limits.max_bytes, " --paths ", ShellQuote(scratch));
}

std::string DateWithDashes(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8) return yyyymmdd;
  return StrCat(yyyymmdd.substr(0, 4), "-", yyyymmdd.substr(4, 2), "-", yyyymmdd.substr(6, 2));
}

// The parts of yt-dlp's info JSON kept with a capture.
nlohmann::json MediaMetadata(const nlohmann::json& info) {
  nlohmann::json out = nlohmann::json::object();
  auto copy = [&](const char* from, const char* to) {
    if (info.contains(from) && (info[from].is_string() || info[from].is_number())) {
      out[to] = info[from];
    }
  };
  copy("title", "title");
  copy("uploader", "uploader");
  copy("uploader_id", "uploader_id");
  copy("channel", "channel");
  if (info.contains("upload_date") && info["upload_date"].is_string()) {
    out["upload_date"] = DateWithDashes(info["upload_date"].get<std::string>());
  }
  copy("original_url", "original_url");
  copy("webpage_url", "webpage_url");
  copy("url", "media_url");
  copy("extractor_key", "extractor");
  copy("id", "platform_id");
  copy("duration", "duration_s");
  copy("protocol", "protocol");
  if (info.contains("http_headers") && info["http_headers"].is_object()) {
    out["request_headers"] = info["http_headers"];
  }
  return out;
}

}  // namespace

UrlProbe ProbeUrl(const std::string& url, const std::string& scratch) {
  UrlProbe probe;
  std::string log = JoinPath(scratch, "probe.log");
  Run(StrCat("timeout -k 5 60 wget --spider -S --tries=1 --timeout=30 --max-redirect=10 -e robots=off -- ",
             ShellQuote(url), " >", ShellQuote(log), " 2>&1"));
  std::string text = ReadLog(log);
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.rfind("  HTTP/", 0) == 0) {  // a new answer: keep the last one
      probe.answered = true;
      size_t space = line.find(' ', 2);
      probe.status = space == std::string::npos ? 0 : std::atoi(line.c_str() + space + 1);
      probe.headers = nlohmann::json::object();
      probe.content_type.clear();
      continue;
    }
    size_t colon = line.find(':');
    if (!probe.answered || line.rfind("  ", 0) != 0 || colon == std::string::npos) continue;
    std::string name = Trim(line.substr(0, colon));
    std::string value = Trim(line.substr(colon + 1));
    probe.headers[name] = value;
    if (Lower(name) == "content-type") probe.content_type = Lower(Trim(value.substr(0, value.find(';'))));
  }
  return probe;
}

bool IsMediaUrl(const std::string& url, const UrlProbe& probe) {
  const std::string& type = probe.content_type;
  if (type.rfind("video/", 0) == 0 || type.rfind("audio/", 0) == 0) return true;
  if (type == "application/vnd.apple.mpegurl" || type == "application/x-mpegurl" ||
      type == "application/dash+xml") {
    return true;
  }
  std::string path = Lower(url.substr(0, url.find_first_of("?#")));
  auto ends_with = [&](const std::string& tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  return (ends_with(".m3u8") || ends_with(".mpd")) && type != "text/html";
}

std::string WgetVersion(const std::string& scratch) {
  std::string line = VersionLine("wget", scratch);
  size_t built = line.find(" built on");
  return built == std::string::npos ? line : line.substr(0, built);
}

std::string YtDlpVersion(const std::string& scratch) {
  std::string line = VersionLine("yt-dlp", scratch);
  return line.empty() ? "" : StrCat("yt-dlp ", line);
}

std::string ChromiumVersion(const std::string& scratch) {
  std::string line = VersionLine("chromium", scratch);
  size_t built = line.find(" built on");
  return built == std::string::npos ? line : line.substr(0, built);
}

absl::StatusOr<std::string> RenderPage(const std::string& url, const std::string& scratch,
                                       const FetchLimits& limits) {
  std::string dom = JoinPath(scratch, "rendered.html");
  std::string log = JoinPath(scratch, "chromium.log");
  int code = Run(StrCat(
      Bounded("chromium", limits), " --headless", ::geteuid() == 0 ? " --no-sandbox" : "",
      " --disable-gpu --disable-dev-shm-usage --no-first-run --disable-sync",
      " --disable-background-networking --disable-component-update --mute-audio",
      " --user-data-dir=", ShellQuote(JoinPath(scratch, "chromium-profile")),
      " --virtual-time-budget=5000 --dump-dom -- ", ShellQuote(url), " >", ShellQuote(dom),
      " 2>", ShellQuote(log)));
  if (code == kTimeoutExit) {
    return NotCaptured(url, StrCat("the browser took longer than the limit of ",
                                   limits.time_limit_s, " s"));
  }
  if (code == 128 + SIGXFSZ) {
    return NotCaptured(url, StrCat("larger than the limit of ", MiB(limits.max_bytes)));
  }
  auto html = ReadFileToString(dom, 1 << 20);
  if (code != 0 || !html.ok() || Trim(*html).empty()) {
    return NotCaptured(url, StrCat("the browser rendered nothing (chromium exit ", code, ")"));
  }
  return dom;
}

absl::StatusOr<std::string> FetchPage(const std::string& url, const std::string& scratch,
                                      const FetchLimits& limits) {
  std::string warc = JoinPath(scratch, "capture");
  std::string log = JoinPath(scratch, "wget.log");
  int code = Run(StrCat(
      Bounded("wget", limits), " -nv --tries=1 --timeout=30 --max-redirect=10 -e robots=off ",
      "--directory-prefix=", ShellQuote(JoinPath(scratch, "files")),
      " --warc-file=", ShellQuote(warc), " -- ", ShellQuote(url), " >", ShellQuote(log), " 2>&1"));
  if (code != 0) return WgetFailure(url, code, ReadLog(log), limits);
  return warc + ".warc.gz";
}

bool YtDlpFindsMedia(const std::string& url, const std::string& scratch,
                     const FetchLimits& limits) {
  std::string dir = JoinPath(scratch, "simulate");
  if (!MakeDirs(dir).ok()) return false;
  std::string out = JoinPath(dir, "info.json");
  int code = Run(StrCat(Bounded(YtDlp(dir, limits), limits), " --simulate --dump-single-json -- ",
                        ShellQuote(url), " >", ShellQuote(out), " 2>/dev/null"));
  return code == 0 && !Trim(ReadLog(out)).empty();
}

absl::StatusOr<FetchedMedia> FetchMedia(const std::string& url, const std::string& scratch,
                                        const FetchLimits& limits) {
  std::string dir = JoinPath(scratch, "media");
  absl::Status made = MakeDirs(dir);
  if (!made.ok()) return made;
  std::string log = JoinPath(scratch, "yt-dlp.log");
  int code = Run(StrCat(Bounded(YtDlp(dir, limits), limits),
                        " --write-info-json --restrict-filenames --trim-filenames 100",
                        " -o '%(id)s.%(ext)s' -- ", ShellQuote(url), " >",
                        ShellQuote(log), " 2>&1"));
  std::string text = ReadLog(log);
  if (code != 0) return YtDlpFailure(url, code, text, limits);
  FetchedMedia out;
  for (const std::string& name : ListDir(dir)) {
    std::string path = JoinPath(dir, name);
    if (name.size() > 10 && name.compare(name.size() - 10, 10, ".info.json") == 0) {
      auto info = ReadFileToString(path, 64 << 20);
      if (info.ok()) {
        nlohmann::json j = nlohmann::json::parse(*info, nullptr, false);
        if (j.is_object()) out.metadata = MediaMetadata(j);
      }
    } else if (Extension(name) != "part" && Extension(name) != "ytdl" &&
               Extension(name) != "temp") {
      out.path = path;
    }
  }
  if (out.path.empty()) {
    // yt-dlp skips a file over --max-filesize and still exits 0.
    if (text.find("larger than max-filesize") != std::string::npos) {
      return NotCaptured(url, StrCat("larger than the limit of ", MiB(limits.max_bytes)));
    }
    return YtDlpFailure(url, 1, text, limits);
  }
  return out;
}

}  // namespace uncut
