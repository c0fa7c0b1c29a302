// Fallback analyzer: understands only plain commands (words separated by
// spaces); anything with shell syntax is `shell.unanalyzable`. Honest, not
// clever: the full analyzer replaces this file.
#include "rewardguard/classify/shell.h"

#include "absl/strings/str_split.h"

namespace rewardguard {

void AnalyzeShell(std::string_view command, const Limits& /*limits*/, FactList* out) {
  Fact fact;
  fact.command = std::string(command);
  if (command.find_first_of("$`()|&;<>\\'\"*?[]{}~\n") != std::string_view::npos) {
    fact.capability = "shell.unanalyzable";
    fact.detail = "shell syntax the fallback analyzer does not read";
    out->push_back(std::move(fact));
    return;
  }
  std::vector<std::string_view> words = absl::StrSplit(command, ' ', absl::SkipEmpty());
  fact.capability = "shell.exec";
  if (!words.empty()) {
    std::string_view prog = words[0];
    size_t slash = prog.rfind('/');
    fact.program = std::string(slash == std::string_view::npos ? prog : prog.substr(slash + 1));
  }
  out->push_back(std::move(fact));
}

}  // namespace rewardguard
