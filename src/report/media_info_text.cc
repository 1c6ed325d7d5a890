#include "report/media_info_text.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "base/strings.h"

namespace uncut {
namespace {

using nlohmann::json;

double Num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Clock(double s) {
  int64_t ms = std::llround(std::max(0.0, s) * 1000);
  int64_t h = ms / 3600000, m = ms / 60000 % 60, sec = ms / 1000 % 60, frac = ms % 1000;
  if (h > 0) return absl::StrFormat("%d:%02d:%02d.%03d", h, m, sec, frac);
  return absl::StrFormat("%d:%02d.%03d", m, sec, frac);
}

std::string Stream(const json& s) {
  std::string type = Str(s, "type");
  std::string out = StrCat(type, " ", Str(s, "codec"));
  if (type == "video") {
    auto cover = s.find("attached_picture");
    if (cover != s.end() && cover->is_boolean() && cover->get<bool>()) {
      StrAppend(&out, " (cover picture)");
    }
    if (Num(s, "width") > 0) {
      StrAppend(&out, ", ", static_cast<int>(Num(s, "width")), "x",
                static_cast<int>(Num(s, "height")), " pixels");
    }
    if (Num(s, "fps") > 0) absl::StrAppendFormat(&out, ", %g fps", Num(s, "fps"));
  } else if (type == "audio") {
    if (Num(s, "sample_rate") > 0) {
      StrAppend(&out, ", ", static_cast<int>(Num(s, "sample_rate")), " Hz");
    }
    int ch = static_cast<int>(Num(s, "channels"));
    if (ch == 1) StrAppend(&out, ", mono");
    if (ch == 2) StrAppend(&out, ", stereo");
    if (ch > 2) StrAppend(&out, ", ", ch, " channels");
  }
  if (!Str(s, "language").empty()) StrAppend(&out, ", language ", Str(s, "language"));
  if (Num(s, "duration_s") > 0) StrAppend(&out, ", ", Clock(Num(s, "duration_s")));
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> MediaInfoLines(const json& media) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!media.is_object()) return out;
  double duration = Num(media, "duration_s");
  if (duration > 0) {
    out.push_back({"duration", absl::StrFormat("%s (%.1f s)", Clock(duration), duration)});
  }
  std::string container = Str(media, "container");
  if (!container.empty()) {
    double rate = Num(media, "bit_rate");
    if (rate > 0) absl::StrAppendFormat(&container, ", %.0f kbit/s", rate / 1000);
    out.push_back({"container", container});
  }
  if (media.contains("streams") && media["streams"].is_array()) {
    for (const json& s : media["streams"]) {
      if (!s.is_object()) continue;
      out.push_back({StrCat("stream ", static_cast<int>(Num(s, "index"))), Stream(s)});
    }
  }
  if (media.contains("tags") && media["tags"].is_object()) {
    const json& tags = media["tags"];
    // The tags people look for first, then the rest as they come (a title
    // tag among them: it is the item's title unless one was given).
    static const char* kNamed[][2] = {{"creation_time", "created"},
                                      {"date", "date"},
                                      {"artist", "artist"},
                                      {"comment", "comment"},
                                      {"location", "location"},
                                      {"com.apple.quicktime.location.ISO6709", "location"},
                                      {"com.apple.quicktime.make", "camera make"},
                                      {"com.apple.quicktime.model", "camera model"},
                                      {"encoder", "encoder"}};
    std::string rest;
    for (const auto& [key, value] : tags.items()) {
      if (!value.is_string()) continue;
      bool named = false;
      for (const auto& n : kNamed) named = named || key == n[0];
      if (!named) StrAppend(&rest, rest.empty() ? "" : "; ", key, "=", value.get<std::string>());
    }
    for (const auto& n : kNamed) {
      std::string v = Str(tags, n[0]);
      if (!v.empty()) out.push_back({n[1], v});
    }
    if (!rest.empty()) out.push_back({"tags", rest});
  }
  return out;
}

}  // namespace uncut
