// rewardguard/classify/internal/shell_syntax.h
//
// What the shell analyzer's parser reads out of a command line: words (with
// flags saying how they were quoted and what they expand), redirections and
// simple commands, each a view into the input or into the parser's arena
// (words whose quotes and escapes were resolved). The analysis walks these;
// the option grammar (program_args.h) reads words.
//
// Private to classify/.
#ifndef REWARDGUARD_CLASSIFY_INTERNAL_SHELL_SYNTAX_H_
#define REWARDGUARD_CLASSIFY_INTERNAL_SHELL_SYNTAX_H_

#include <cstdint>
#include <string_view>

namespace rewardguard {
namespace classify_internal {

enum WordFlag : uint16_t {
  kQuoted = 1 << 0,
  kEscaped = 1 << 1,       // a backslash escape other than a leading one
  kAnsiC = 1 << 2,         // $'...'
  kExpansion = 1 << 3,     // $var, ${...}, $((...))
  kCommandSubst = 1 << 4,  // $(...) or `...`
  kProcessSubst = 1 << 5,  // <(...) or >(...)
  kIfs = 1 << 6,           // $IFS / ${IFS}
  kPartialQuote = 1 << 7,  // quoted and unquoted parts in one word
  kGlob = 1 << 8,
  kSubstNet = 1 << 9,      // a substitution in it contacted the network
  kSubstDecode = 1 << 10,  // a substitution in it ran a decoder
  kLeadingEscape = 1 << 11,
  kBrace = 1 << 12,        // {a,b} brace expansion
};
inline constexpr uint16_t kDynamic = kExpansion | kCommandSubst | kProcessSubst | kIfs;

struct Word {
  std::string_view text;  // quotes removed, escapes resolved, expansions as written
  std::string_view raw;
  uint16_t flags = 0;
};

enum class RedirOp : uint8_t { kIn, kOut, kAppend, kInOut, kDupIn, kDupOut, kHeredoc, kHerestring };

struct Redir {
  int fd = -1;  // -1: the default for the operator
  RedirOp op = RedirOp::kOut;
  bool both = false;  // &> / &>>
  Word target;
  std::string_view body;  // heredoc body
  bool body_literal = false;
  bool strip_tabs = false;
};

struct Range {
  int begin = -1, end = -1;
  bool valid() const { return begin >= 0 && end > begin; }
};

struct Cmd {
  uint32_t w0 = 0, w1 = 0;  // words_
  uint32_t a0 = 0, a1 = 0;  // assigns_
  uint32_t r0 = 0, r1 = 0;  // redirs_
  Range pipe_from;          // commands whose output is this one's stdin
  bool background = false;
  int loop_depth = 0;
  std::string_view text;
};

}  // namespace classify_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_INTERNAL_SHELL_SYNTAX_H_
