#include "rewardguard/classify/internal/inline_code.h"

#include "absl/strings/ascii.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {
namespace classify_internal {

std::vector<Literal> Literals(std::string_view code) {
  std::vector<Literal> out;
  for (size_t i = 0; i < code.size() && out.size() < 512; ++i) {
    char q = code[i];
    if (q != '\'' && q != '"' && q != '`') continue;
    if (q == '\'' && i > 0 && absl::ascii_isalnum(static_cast<unsigned char>(code[i - 1]))) continue;
    bool triple = code.substr(i, 3) == std::string(3, q);
    size_t start = i + (triple ? 3 : 1);
    size_t j = start;
    while (j < code.size()) {
      if (code[j] == '\\') {
        j += 2;
        continue;
      }
      if (triple ? code.substr(j, 3) == std::string(3, q) : code[j] == q) break;
      if (!triple && code[j] == '\n' && q != '`') break;
      ++j;
    }
    if (j >= code.size()) break;
    out.push_back({code.substr(start, j - start), j + (triple ? 3 : 1), q});
    i = j + (triple ? 2 : 0);
  }
  return out;
}

bool AnyOf(std::string_view code, const Trigrams& tri, const std::vector<std::string>& needles) {
  for (const std::string& n : needles)
    if (tri.MayContain(n) && StrContains(code, n)) return true;
  return false;
}

}  // namespace classify_internal
}  // namespace rewardguard
