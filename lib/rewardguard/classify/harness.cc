#include "rewardguard/classify/harness.h"

#include <string>
#include <vector>

#include "fmt/format.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/classify/paths.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {
namespace {

// The words of a command line that is plain words: whitespace-separated,
// single or double quotes group (no escapes inside), nothing that could start
// or chain another program (globs and `~` are fine: they only name files).
// nullopt otherwise.
std::optional<std::vector<std::string>> PlainWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\'' || c == '"') {
      const size_t end = line.find(c, i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view quoted = line.substr(i + 1, end - i - 1);
      if (c == '"' && quoted.find_first_of("$`\\") != std::string_view::npos) return std::nullopt;
      word.append(quoted);
      in_word = true;
      i = end;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (std::string_view(";&|<>$`(){}\\#").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::string_view CapabilityFor(std::string_view capability, std::string_view path,
                               std::string* storage) {
  if (path.empty()) return capability;
  const FileAccess access = capability == cap::kFsWrite    ? FileAccess::kWrite
                            : capability == cap::kFsDelete ? FileAccess::kDelete
                                                        : FileAccess::kRead;
  if (capability != cap::kFsRead && capability != cap::kFsWrite && capability != cap::kFsDelete)
    return capability;
  *storage = std::string(RefineFileAccess(access, path));
  return *storage;
}

}  // namespace

std::optional<std::string_view> ClassifyHarnessCommand(absl::Span<const HarnessCommand> commands,
                                                       std::string_view text, FactList* out) {
  // The first non-blank line.
  size_t start = 0;
  while (start < text.size() && IsAsciiSpace(text[start]))
    ++start;
  const size_t eol = text.find('\n', start);
  const std::string_view line =
      text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  // Most commands are not harness commands: compare the first word before
  // reading the line's words.
  const std::string_view first = line.substr(0, line.find_first_of(" \t\r"));
  const HarnessCommand* command = nullptr;
  for (const HarnessCommand& c : commands) {
    if (c.name == first) command = &c;
  }
  if (command == nullptr) return std::nullopt;
  std::optional<std::vector<std::string>> words = PlainWords(line);
  if (!words || words->empty() || (*words)[0] != command->name) return std::nullopt;

  if (!command->until.empty()) {
    // A block: its lines are data up to the one that is exactly `until`.
    size_t pos = 0;
    bool closed = false;
    while (pos <= rest.size()) {
      const size_t next = rest.find('\n', pos);
      const std::string_view l = rest.substr(pos, next == std::string_view::npos
                                                      ? std::string_view::npos : next - pos);
      pos = next == std::string_view::npos ? rest.size() + 1 : next + 1;
      if (StripAsciiWhitespace(l) == command->until) {
        closed = true;
        break;
      }
    }
    // Unclosed, it is not what the harness would take: leave it to the shell.
    if (!closed) return std::nullopt;
    rest = pos > rest.size() ? std::string_view() : rest.substr(pos);
  }

  Fact& f = out->emplace_back();
  if (command->path_argument > 0 && static_cast<size_t>(command->path_argument) < words->size())
    f.path = NormalizePath((*words)[command->path_argument]);
  std::string refined;
  f.capability = std::string(CapabilityFor(command->capability, f.path, &refined));
  f.program = command->name;
  f.command = std::string(line);
  f.detail = fmt::format("agent harness command `{}`", command->name);
  return rest;
}

}  // namespace rewardguard
