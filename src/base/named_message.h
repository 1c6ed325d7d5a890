// Error lines that name their file once.
#ifndef UNCUT_BASE_NAMED_MESSAGE_H_
#define UNCUT_BASE_NAMED_MESSAGE_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "base/strings.h"

namespace uncut {

// "NAME: MESSAGE", or MESSAGE alone when it already begins with NAME (the
// errors of lower layers often name their file already): a file is named
// once in an error line, however many layers the error passed through.
inline std::string NamedMessage(std::string_view name, std::string_view message) {
  if (!name.empty() && message.substr(0, name.size()) == name &&
      (message.size() == name.size() || message[name.size()] == ':')) {
    return std::string(message);
  }
  return StrCat(name, ": ", message);
}
inline std::string NamedMessage(std::string_view name, absl::string_view message) {
  return NamedMessage(name, std::string_view(message.data(), message.size()));
}
inline std::string NamedMessage(std::string_view name, const std::string& message) {
  return NamedMessage(name, std::string_view(message));
}

}  // namespace uncut

#endif  // UNCUT_BASE_NAMED_MESSAGE_H_
