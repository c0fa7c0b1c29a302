// Shell analyzer: a bash-faithful lexer and a flat parser (explicit frame
// stack, no recursion per nesting level except for $( ), backticks, <( ) and
// -c strings, each bounded by Limits::max_shell_depth), then per simple
// command: launcher unwrapping, signature matching, attribute extraction.
// docs/shell-analysis.md describes what is analyzed and the known limits.
#include "rewardguard/classify/shell.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "rewardguard/classify/internal/inline_code.h"
#include "rewardguard/classify/internal/program_args.h"
#include "rewardguard/classify/internal/shell_syntax.h"
#include "rewardguard/classify/internal/signatures.h"
#include "rewardguard/classify/paths.h"
#include "rewardguard/classify/url.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/glob.h"
#include "rewardguard/core/net.h"
#include "rewardguard/core/strings.h"

namespace rewardguard {
namespace {

// Longest command text a fact carries (the attribute `command`).
constexpr size_t kMaxCommandAttribute = 4096;

using classify_internal::FileArgs;
using classify_internal::GetSignatures;
using classify_internal::HostMode;
using classify_internal::ProgramSig;
using classify_internal::Role;
using classify_internal::Signatures;
// The syntax the parser produces (shell_syntax.h), the option grammar
// (program_args.h) and the inline-code helpers (inline_code.h).
using enum classify_internal::WordFlag;
using classify_internal::Cmd;
using classify_internal::kDynamic;
using classify_internal::Range;
using classify_internal::Redir;
using classify_internal::RedirOp;
using classify_internal::Word;
using classify_internal::AnyOf;
using classify_internal::ConditionHolds;
using classify_internal::HasOpt;
using classify_internal::Literal;
using classify_internal::Literals;
using classify_internal::LooksLikeTarget;
using classify_internal::Opt;
using classify_internal::ParsedArgs;
using classify_internal::ParseOptions;
using classify_internal::RemoteSpec;
using classify_internal::SplitUserHost;
using classify_internal::Trigrams;

struct CmdResult {
  bool net = false;
  bool decoder = false;
  bool literal_echo = false;  // echo/printf of literal words
  bool cat_files = false;     // cat of files (or a heredoc)
  bool tainted = false;       // its output carries downloaded data
  bool stdin_shell = false;   // a shell or interpreter reading commands from stdin
  std::string_view program;   // innermost program after launchers
  std::string echo_text;
};

struct Ctx {
  bool in_loop = false;
  bool background = false;
  int depth = 0;
  const Cmd* cmd = nullptr;
  int cmd_index = -1;
  // The program (not a shell) that started this command: a launcher, find
  // -exec, an editor's `:!`, awk's system(). A shell it starts without a
  // command is a shell escape.
  std::string_view launched_by;
};

struct Abort {};

bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view Basename(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}

bool IsAssignment(std::string_view raw) {
  if (raw.empty() || !(absl::ascii_isalpha(static_cast<unsigned char>(raw[0])) || raw[0] == '_'))
    return false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '=' || (c == '+' && i + 1 < raw.size() && raw[i + 1] == '=')) return i > 0;
    if (c == '[') return raw.find("]=") != std::string_view::npos;
    if (!IsNameChar(c)) return false;
  }
  return false;
}


class Analyzer;

// One parse unit: a script, a -c string, or the body of $( ) / <( ).
class Parser {
 public:
  Parser(Analyzer* a, std::string_view src, size_t pos, char terminator, int depth);
  // Parses until the end (or `terminator` at top level) and analyzes what it
  // parsed. Returns the position after the terminator.
  size_t Run();
  bool saw_net() const { return saw_net_; }
  bool saw_decoder() const { return saw_decoder_; }

 private:
  friend class Analyzer;
  enum class Tok : uint8_t { kWord, kNewline, kEnd, kOp, kRedir };
  struct Token {
    Tok type = Tok::kEnd;
    std::string_view op;  // operator text
    Word word;
    Redir redir;  // kRedir: op and fd
  };
  enum class FrameKind : uint8_t { kParen, kBrace, kLoop, kCase };
  struct Frame {
    FrameKind kind;
    int first_cmd;
    Range pipe_from;
    size_t start;
    int outer_list_start = 0;
  };

  [[noreturn]] void Error(std::string_view what);
  Token Next();
  void SkipBlanks();
  Word ReadWord();
  // After `NAME=`, at `(`: the elements up to the matching `)`.
  void ReadArrayElements();
  void ReadDollar(bool in_dq, uint16_t* flags);
  void ReadBacktick(uint16_t* flags);
  void ReadDoubleQuoted(uint16_t* flags);
  void ReadAnsiC();
  size_t SkipBalanced(size_t pos, char open, char close);
  size_t Substitution(size_t pos, uint16_t* flags);
  void Put(char c);
  void PutRange(std::string_view s);
  void ReadHeredocs();
  void FinishCommand();
  void StartCommandIfNeeded();
  void SkipArithmetic();
  void ArithmeticSubstitutions(size_t begin, size_t end, uint16_t* flags);
  void ParseFor();
  void ParseCasePattern();
  void ParseDoubleBracket();

  Analyzer* a_;
  std::string_view src_;
  size_t pos_;
  char terminator_;
  int depth_;
  std::unique_ptr<char[]> arena_;
  size_t arena_used_ = 0, arena_cap_ = 0;
  size_t word_start_ = 0;

  std::vector<Word> words_, assigns_;
  std::vector<Redir> redirs_;
  std::vector<Cmd> cmds_;
  std::vector<Frame> frames_;
  std::vector<size_t> pending_heredocs_;
  Cmd cur_;
  bool cmd_open_ = false;
  size_t cmd_start_pos_ = 0, cmd_end_pos_ = 0;
  Range pending_pipe_;
  int list_start_ = 0;
  int loop_depth_ = 0;
  bool expect_pattern_ = false;
  bool saw_net_ = false, saw_decoder_ = false;
  std::vector<CmdResult> results_;
  friend class ScriptScanner;
};

class Analyzer {
 public:
  Analyzer(const Limits& limits, FactList* out, const FileMemory* memory)
      : limits_(limits), out_(out), sig_(GetSignatures()), memory_(memory) {}

  // The files this command wrote, and remembered files it changed in ways
  // not followed or deleted, as writes for the env's memory. Moves the
  // texts out: the last thing an analysis does.
  void ExportWrites(FileWrites* writes);

  void AnalyzeString(std::string_view src, int depth, bool* net = nullptr,
                     bool* decoder = nullptr, bool in_loop = false);
  // NAME=VALUE, before a command, alone, or given to export/env.
  void Assignment(std::string_view name, std::string_view value, std::string_view program,
                  const Ctx& ctx);
  // A NAME=VALUE word (`export X=v`, `env X=v`).
  void Assignment(std::string_view word, std::string_view program, const Ctx& ctx) {
    const size_t eq = word.find('=');
    Assignment(word.substr(0, eq), word.substr(eq + 1), program, ctx);
  }
  // The program's own commands (vim -c) and settings (git -c) that run
  // shell commands.
  void CommandOptions(const ProgramSig& sig, const std::vector<Word>& argv,
                      std::string_view program, const Ctx& ctx);
  void AnalyzeNested(std::string_view src, const Ctx& ctx) {
    AnalyzeString(src, ctx.depth + 1, nullptr, nullptr, ctx.in_loop);
  }
  // A command string that `program` (not a shell) starts: analyzed like
  // AnalyzeNested, its commands knowing who started them.
  void AnalyzeStarted(std::string_view src, const Ctx& ctx, std::string_view program) {
    std::string_view saved = escape_from_;
    if (escape_from_.empty()) escape_from_ = program;
    AnalyzeNested(src, ctx);
    escape_from_ = saved;
  }
  void AnalyzeCommands(Parser* p);
  void ScanScript(std::string_view code, std::string_view language, const Ctx& ctx,
                  std::string_view program);
  void Emit(std::string_view cap, std::string_view detail, std::string_view program,
            std::string_view command, std::string_view host = {}, int port = -1,
            std::string_view url = {}, std::string_view path = {});
  void Unanalyzable(std::string_view detail, std::string_view command,
                    std::string_view program = {}) {
    Emit(cap::kShellUnanalyzable, detail, program, command);
  }
  [[noreturn]] void LimitExceeded(std::string_view detail, std::string_view command) {
    if (!limit_hit_) {
      limit_hit_ = true;
      Fact f;
      f.capability = std::string(cap::kLimitExceeded);
      f.detail = std::string(detail);
      f.command = std::string(command.substr(0, 256));
      out_->push_back(std::move(f));
    }
    throw Abort();
  }
  const Limits& limits() const { return limits_; }
  const Signatures& sig() const { return sig_; }
  absl::flat_hash_set<std::string> functions, aliases;
  int tcp_fd = -1;
  // Owned: the parser whose arena held the host (a backtick or $( ) body)
  // may be gone by the time a later redirection reads it.
  std::string tcp_host;
  int tcp_port = -1;

 private:
  friend class Parser;
  void AnalyzeCmd(Parser* p, int index);
  void AnalyzeRedir(Parser* p, const Cmd& cmd, const Redir& r, std::string_view program,
                    const Ctx& ctx);
  void AnalyzeArgv(Parser* p, std::vector<Word> argv, Ctx ctx, CmdResult* res);
  // What feeds a shell or interpreter reading stdin; true if nothing does
  // (an interactive one).
  bool StdinProgram(Parser* p, const Ctx& ctx, std::string_view program,
                    const ProgramSig* sig, bool script);
  void CheckDestination(std::string_view host, int port, std::string_view url,
                        std::string_view scheme, std::string_view program,
                        std::string_view command);
  void GenericArg(const Word& w, bool option_value, bool is_write_target,
                  std::string_view program, const Ctx& ctx);
  // argv[from..] of a program whose grammar the tables do not know (or of
  // a script file): a word shaped like a destination beyond the loopback
  // (DestinationInWord) is net.egress to it.
  void WordDestinations(const std::vector<Word>& argv, size_t from, std::string_view program,
                        std::string_view command);
  void FileFact(FileAccess access, std::string_view path_text, std::string_view program,
                std::string_view command, bool emit_plain);
  bool ProgramWordOk(const Word& w, std::string_view command);
  // Files this command wrote with `>`/`>>`, and what they hold, for when
  // the same command runs them.
  void NoteWrites(Parser* p, const Cmd& cmd, const CmdResult& res);
  // cp/mv/ln/install SRC... DST: a written file's content goes with it (a
  // script renamed before it runs is still judged by what it holds).
  void CopyWrittenFiles(const std::vector<const Word*>& positionals, std::string_view program);
  // Judges a run of `path` (a script or program file) that this command
  // wrote; false if it wrote no such file. `language`: empty for shell code.
  bool RunsWrittenFile(std::string_view path, std::string_view language,
                       std::string_view program, const Ctx& ctx);

  using WrittenFile = FileMemory::File;
  using Origin = FileMemory::Origin;
  // What `path` (normalized) holds: written by this command, or remembered.
  // After a `cd` in this command, a relative path may name a file written
  // below any directory: the worst such file counts.
  const WrittenFile* FindWritten(const std::string& path) const {
    if (auto it = written_.find(path); it != written_.end()) return &it->second;
    const WrittenFile* file = memory_ != nullptr ? memory_->Find(path) : nullptr;
    if (file != nullptr || !changed_dir_ || path.empty() || path[0] == '/' || path[0] == '~')
      return file;
    for (const auto& [written, f] : written_)
      if (IsBelowSomeDirectory(written, path) && (file == nullptr || file->origin == Origin::kText))
        file = &f;
    if (file == nullptr && memory_ != nullptr) file = memory_->FindBelowSomeDirectory(path);
    return file;
  }

  const Limits& limits_;
  FactList* out_;
  const Signatures& sig_;
  const FileMemory* memory_;
  bool limit_hit_ = false;
  absl::flat_hash_map<std::string, WrittenFile> written_;  // by normalized path
  // Paths written (true) or deleted (false) other than by a followed
  // redirect: a remembered file there is no longer known.
  absl::flat_hash_map<std::string, bool> touched_;
  bool changed_dir_ = false;  // a `cd`/`pushd` ran earlier in this command
  // > 0 while the content of a written file is analyzed (RunsWrittenFile).
  int in_written_file_ = 0;
  // Variables assigned literal words (`SSH=ssh`), for a script's `$SSH ...`;
  // a node map: argv words point into the values.
  std::map<std::string, std::string, std::less<>> literal_vars_;
  // `curl -o FILE`-style targets of the command being analyzed.
  std::vector<std::string> option_targets_;
  // While a command string started by a program is analyzed
  // (AnalyzeStarted): that program, for Ctx::launched_by.
  std::string_view escape_from_;
  // The remote host of the command being analyzed (rsync's HOST:PATH), for
  // its remote shell option.
  std::string remote_host_;
};

// ---------------------------------------------------------------- lexer

Parser::Parser(Analyzer* a, std::string_view src, size_t pos, char terminator, int depth)
    : a_(a), src_(src), pos_(pos), terminator_(terminator), depth_(depth) {
  if (depth > a->limits().max_shell_depth)
    a->LimitExceeded("shell nesting deeper than limits.max_shell_depth", src);
  arena_cap_ = src.size() - pos + 16;
  arena_.reset(new char[arena_cap_]);
}

void Parser::Error(std::string_view what) {
  throw std::runtime_error(std::string(what));
}

void Parser::Put(char c) {
  if (arena_used_ >= arena_cap_) Error("internal: word arena overflow");
  arena_[arena_used_++] = c;
}

void Parser::PutRange(std::string_view s) {
  if (arena_used_ + s.size() > arena_cap_) Error("internal: word arena overflow");
  std::memcpy(arena_.get() + arena_used_, s.data(), s.size());
  arena_used_ += s.size();
}

void Parser::SkipBlanks() {
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '\\' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') {
      pos_ += 2;
    } else {
      break;
    }
  }
}

void Parser::ReadArrayElements() {
  ++pos_;  // (
  while (true) {
    SkipBlanks();
    if (pos_ >= src_.size()) Error("unterminated array assignment");
    const char c = src_[pos_];
    if (c == ')') {
      ++pos_;
      return;
    }
    if (c == '\n') {
      ++pos_;
      continue;
    }
    if (c == '#') {  // a comment to the line end
      const size_t eol = src_.find('\n', pos_);
      pos_ = eol == std::string_view::npos ? src_.size() : eol;
      continue;
    }
    const size_t before = pos_;
    ReadWord();
    if (pos_ == before) Error("syntax error in array assignment");
  }
}

bool IsMeta(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '&' || c == '|' ||
         c == '(' || c == ')' || c == '<' || c == '>';
}

// Skips a balanced region starting after `open`; quotes are respected.
size_t Parser::SkipBalanced(size_t pos, char open, char close) {
  int level = 1;
  while (pos < src_.size()) {
    char c = src_[pos];
    if (c == '\\') {
      pos += 2;
      continue;
    }
    if (c == '\'' && open != '{') {
      size_t e = src_.find('\'', pos + 1);
      if (e == std::string_view::npos) Error("unterminated single quote");
      pos = e + 1;
      continue;
    }
    if (c == '"') {
      ++pos;
      while (pos < src_.size() && src_[pos] != '"') pos += (src_[pos] == '\\') ? 2 : 1;
      if (pos >= src_.size()) Error("unterminated double quote");
      ++pos;
      continue;
    }
    if (c == open) ++level;
    if (c == close && --level == 0) return pos + 1;
    ++pos;
  }
  Error(StrCat("unterminated `", std::string(1, open), "`"));
}

// $( ... ), <( ... ): parse the body as a nested script. `pos` is after "(".
size_t Parser::Substitution(size_t pos, uint16_t* flags) {
  Parser child(a_, src_, pos, ')', depth_ + 1);
  size_t end = child.Run();
  if (child.saw_net()) *flags |= kSubstNet;
  if (child.saw_decoder()) *flags |= kSubstDecode;
  if (child.saw_net()) saw_net_ = true;
  return end;
}

void Parser::ReadAnsiC() {
  // pos_ is after "$'".
  while (pos_ < src_.size() && src_[pos_] != '\'') {
    char c = src_[pos_++];
    if (c != '\\' || pos_ >= src_.size()) {
      Put(c);
      continue;
    }
    char e = src_[pos_++];
    auto hex = [&](int max) {
      uint32_t v = 0;  // \UHHHHHHHH fills all 32 bits
      int n = 0;
      while (n < max && pos_ < src_.size() &&
             absl::ascii_isxdigit(static_cast<unsigned char>(src_[pos_]))) {
        char h = src_[pos_++];
        v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        ++n;
      }
      return v;
    };
    switch (e) {
      case 'n': Put('\n'); break;
      case 't': Put('\t'); break;
      case 'r': Put('\r'); break;
      case 'a': Put('\a'); break;
      case 'b': Put('\b'); break;
      case 'e': case 'E': Put('\x1b'); break;
      case 'f': Put('\f'); break;
      case 'v': Put('\v'); break;
      case 'x': Put(static_cast<char>(hex(2))); break;
      case 'u': case 'U': {
        uint32_t v = hex(e == 'u' ? 4 : 8);
        if (v < 0x80) Put(static_cast<char>(v));
        else Put('?');
        break;
      }
      case 'c':
        if (pos_ < src_.size()) Put(static_cast<char>(src_[pos_++] & 0x1f));
        break;
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', n = 1;
          while (n < 3 && pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '7')
            v = v * 8 + (src_[pos_++] - '0'), ++n;
          Put(static_cast<char>(v));
        } else {
          Put(e);  // \\ \' \" \? and unknown escapes
        }
    }
  }
  if (pos_ >= src_.size()) Error("unterminated $'...'");
  ++pos_;
}

void Parser::ReadDollar(bool in_dq, uint16_t* flags) {
  // pos_ is at '$'.
  size_t start = pos_;
  char n = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
  if (n == '\'' && !in_dq) {
    pos_ += 2;
    *flags |= kAnsiC | kQuoted;
    ReadAnsiC();
    return;
  }
  if (n == '"' && !in_dq) {
    pos_ += 2;
    *flags |= kQuoted;
    ReadDoubleQuoted(flags);
    return;
  }
  if (n == '(' && pos_ + 2 < src_.size() && src_[pos_ + 2] == '(') {
    size_t begin = pos_ + 3;
    pos_ = SkipBalanced(pos_ + 3, '(', ')');
    if (pos_ < src_.size() && src_[pos_] == ')') ++pos_;
    ArithmeticSubstitutions(begin, pos_, flags);
    *flags |= kExpansion;
  } else if (n == '(') {
    pos_ = Substitution(pos_ + 2, flags);
    *flags |= kCommandSubst;
  } else if (n == '{') {
    size_t end = SkipBalanced(pos_ + 2, '{', '}');
    std::string_view inner = src_.substr(pos_ + 2, end - pos_ - 3);
    if (StartsWith(inner, "IFS") || StartsWith(inner, "!")) *flags |= kIfs;
    // Nested $( ) inside ${x:-$(cmd)}: analyze it too.
    for (size_t i = inner.find("$("); i != std::string_view::npos; i = inner.find("$(", i + 2)) {
      Substitution(static_cast<size_t>(inner.data() - src_.data()) + i + 2, flags);
      *flags |= kCommandSubst;
    }
    pos_ = end;
    *flags |= kExpansion;
  } else if (IsNameChar(n)) {
    size_t e = pos_ + 1;
    if (absl::ascii_isdigit(static_cast<unsigned char>(n))) {
      e = pos_ + 2;
    } else {
      while (e < src_.size() && IsNameChar(src_[e])) ++e;
    }
    if (src_.substr(pos_ + 1, e - pos_ - 1) == "IFS") *flags |= kIfs;
    pos_ = e;
    *flags |= kExpansion;
  } else if (n == '@' || n == '*' || n == '#' || n == '?' || n == '-' || n == '$' || n == '!') {
    pos_ += 2;
    *flags |= kExpansion;
  } else {
    ++pos_;  // a lone '$' is literal
  }
  PutRange(src_.substr(start, pos_ - start));
}

void Parser::ReadBacktick(uint16_t* flags) {
  // pos_ is at '`'.
  size_t start = pos_;
  std::string body;
  ++pos_;
  while (pos_ < src_.size() && src_[pos_] != '`') {
    char c = src_[pos_];
    if (c == '\\' && pos_ + 1 < src_.size() &&
        (src_[pos_ + 1] == '`' || src_[pos_ + 1] == '\\' || src_[pos_ + 1] == '$')) {
      body.push_back(src_[pos_ + 1]);
      pos_ += 2;
      continue;
    }
    body.push_back(c);
    ++pos_;
  }
  if (pos_ >= src_.size()) Error("unterminated backtick");
  ++pos_;
  bool net = false, dec = false;
  a_->AnalyzeString(body, depth_ + 1, &net, &dec);
  if (net) *flags |= kSubstNet, saw_net_ = true;
  if (dec) *flags |= kSubstDecode;
  *flags |= kCommandSubst;
  PutRange(src_.substr(start, pos_ - start));
}

void Parser::ReadDoubleQuoted(uint16_t* flags) {
  // pos_ is after the opening quote.
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '"') {
      ++pos_;
      return;
    }
    if (c == '\\' && pos_ + 1 < src_.size()) {
      char e = src_[pos_ + 1];
      if (e == '\n') {
        pos_ += 2;
      } else if (e == '$' || e == '`' || e == '"' || e == '\\') {
        Put(e);
        pos_ += 2;
      } else {
        Put('\\');
        ++pos_;
      }
      continue;
    }
    if (c == '$') {
      ReadDollar(true, flags);
      continue;
    }
    if (c == '`') {
      ReadBacktick(flags);
      continue;
    }
    Put(c);
    ++pos_;
  }
  Error("unterminated double quote");
}

Word Parser::ReadWord() {
  Word w;
  size_t start = pos_;
  size_t text_start = arena_used_;
  bool had_unquoted = false, had_quoted = false;
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (IsMeta(c)) {
      // <( and >( inside or at the start of a word: process substitution.
      if ((c == '<' || c == '>') && pos_ + 1 < src_.size() && src_[pos_ + 1] == '(' &&
          pos_ == start) {
        size_t s = pos_;
        pos_ = Substitution(pos_ + 2, &w.flags);
        w.flags |= kProcessSubst;
        PutRange(src_.substr(s, pos_ - s));
        had_unquoted = true;
        continue;
      }
      break;
    }
    switch (c) {
      case '\'': {
        size_t e = src_.find('\'', pos_ + 1);
        if (e == std::string_view::npos) Error("unterminated single quote");
        PutRange(src_.substr(pos_ + 1, e - pos_ - 1));
        pos_ = e + 1;
        w.flags |= kQuoted;
        had_quoted = true;
        break;
      }
      case '"':
        ++pos_;
        w.flags |= kQuoted;
        had_quoted = true;
        ReadDoubleQuoted(&w.flags);
        break;
      case '\\':
        if (pos_ + 1 >= src_.size()) {
          Put('\\');
          ++pos_;
        } else if (src_[pos_ + 1] == '\n') {
          pos_ += 2;
        } else {
          w.flags |= (pos_ == start) ? kLeadingEscape : kEscaped;
          Put(src_[pos_ + 1]);
          pos_ += 2;
          had_quoted = true;
        }
        break;
      case '$':
        if (pos_ + 1 < src_.size() && src_[pos_ + 1] == '\'') had_quoted = true;
        else had_unquoted = true;
        ReadDollar(false, &w.flags);
        break;
      case '`':
        ReadBacktick(&w.flags);
        had_unquoted = true;
        break;
      case '[':
        if (src_.find(']', pos_) < src_.find_first_of(" \t\n;|&()<>", pos_)) w.flags |= kGlob;
        Put(c);
        ++pos_;
        had_unquoted = true;
        break;
      case '*': case '?':
        w.flags |= kGlob;
        Put(c);
        ++pos_;
        had_unquoted = true;
        break;
      case '{':
        if (src_.find(',', pos_) < src_.find('}', pos_) || src_.find("..", pos_) < src_.find('}', pos_))
          w.flags |= kBrace;
        Put(c);
        ++pos_;
        had_unquoted = true;
        break;
      default:
        Put(c);
        ++pos_;
        had_unquoted = true;
    }
  }
  if (had_quoted && had_unquoted) w.flags |= kPartialQuote;
  w.raw = src_.substr(start, pos_ - start);
  w.text = std::string_view(arena_.get() + text_start, arena_used_ - text_start);
  return w;
}

Parser::Token Parser::Next() {
  Token t;
  SkipBlanks();
  if (pos_ >= src_.size()) {
    t.type = Tok::kEnd;
    return t;
  }
  char c = src_[pos_];
  if (c == '#') {
    size_t e = src_.find('\n', pos_);
    pos_ = e == std::string_view::npos ? src_.size() : e;
    return Next();
  }
  if (c == '\n') {
    ++pos_;
    t.type = Tok::kNewline;
    return t;
  }
  auto op = [&](size_t n) {
    t.type = Tok::kOp;
    t.op = src_.substr(pos_, n);
    pos_ += n;
    return t;
  };
  auto starts = [&](std::string_view s) { return src_.substr(pos_, s.size()) == s; };
  // Redirections, with an optional fd number.
  size_t p = pos_;
  int fd = -1;
  while (p < src_.size() && absl::ascii_isdigit(static_cast<unsigned char>(src_[p]))) ++p;
  if (p > pos_ && p < src_.size() && (src_[p] == '<' || src_[p] == '>') &&
      !(p + 1 < src_.size() && src_[p + 1] == '(')) {
    fd = 0;
    for (size_t i = pos_; i < p && fd < 100000; ++i) fd = fd * 10 + (src_[i] - '0');
    pos_ = p;
    c = src_[pos_];
  }
  if (c == '<' || c == '>' || (c == '&' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '>')) {
    if ((c == '<' || c == '>') && pos_ + 1 < src_.size() && src_[pos_ + 1] == '(' && fd < 0) {
      t.type = Tok::kWord;
      t.word = ReadWord();
      return t;
    }
    t.type = Tok::kRedir;
    t.redir.fd = fd;
    struct R {
      std::string_view s;
      RedirOp op;
      bool both;
      bool strip;
    };
    static constexpr R kOps[] = {
        {"&>>", RedirOp::kAppend, true, false}, {"&>", RedirOp::kOut, true, false},
        {"<<<", RedirOp::kHerestring, false, false}, {"<<-", RedirOp::kHeredoc, false, true},
        {"<<", RedirOp::kHeredoc, false, false}, {"<>", RedirOp::kInOut, false, false},
        {"<&", RedirOp::kDupIn, false, false},   {">&", RedirOp::kDupOut, false, false},
        {">>", RedirOp::kAppend, false, false},  {">|", RedirOp::kOut, false, false},
        {"<", RedirOp::kIn, false, false},       {">", RedirOp::kOut, false, false},
    };
    for (const R& r : kOps) {
      if (starts(r.s)) {
        t.redir.op = r.op;
        t.redir.both = r.both;
        t.redir.strip_tabs = r.strip;
        pos_ += r.s.size();
        break;
      }
    }
    return t;
  }
  if (fd >= 0) {  // digits not followed by a redirection after all
    pos_ -= (p - pos_);
  }
  switch (c) {
    case ';':
      if (starts(";;&")) return op(3);
      if (starts(";;") || starts(";&")) return op(2);
      return op(1);
    case '&':
      return op(starts("&&") ? 2 : 1);
    case '|':
      return op((starts("||") || starts("|&")) ? 2 : 1);
    case '(':
    case ')':
      return op(1);
    default:
      break;
  }
  t.type = Tok::kWord;
  t.word = ReadWord();
  return t;
}

// ---------------------------------------------------------------- parser

void Parser::StartCommandIfNeeded() {
  if (cmd_open_) return;
  cmd_open_ = true;
  cur_ = Cmd();
  cur_.w0 = cur_.w1 = static_cast<uint32_t>(words_.size());
  cur_.a0 = cur_.a1 = static_cast<uint32_t>(assigns_.size());
  cur_.r0 = cur_.r1 = static_cast<uint32_t>(redirs_.size());
  if (pending_pipe_.valid()) {
    cur_.pipe_from = pending_pipe_;
  } else if (!frames_.empty()) {
    cur_.pipe_from = frames_.back().pipe_from;
  }
  cur_.loop_depth = loop_depth_;
  cmd_start_pos_ = word_start_;
}

void Parser::FinishCommand() {
  if (!cmd_open_) return;
  cmd_open_ = false;
  cur_.w1 = static_cast<uint32_t>(words_.size());
  cur_.a1 = static_cast<uint32_t>(assigns_.size());
  cur_.r1 = static_cast<uint32_t>(redirs_.size());
  cur_.text = src_.substr(cmd_start_pos_, cmd_end_pos_ - cmd_start_pos_);
  cmds_.push_back(cur_);
  pending_pipe_ = Range();
}

void Parser::ReadHeredocs() {
  for (size_t idx : pending_heredocs_) {
    Redir& r = redirs_[idx];
    std::string_view delim = r.target.text;
    size_t body_start = pos_;
    size_t line = pos_;
    bool found = false;
    while (line < src_.size()) {
      size_t eol = src_.find('\n', line);
      if (eol == std::string_view::npos) eol = src_.size();
      std::string_view l = src_.substr(line, eol - line);
      if (r.strip_tabs)
        while (!l.empty() && l[0] == '\t') l.remove_prefix(1);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (l == delim) {
        r.body = src_.substr(body_start, line - body_start);
        pos_ = eol < src_.size() ? eol + 1 : eol;
        found = true;
        break;
      }
      line = eol + 1;
    }
    if (!found) {  // bash accepts end of input as the delimiter
      r.body = src_.substr(body_start);
      pos_ = src_.size();
    }
    if (!r.body_literal) {
      // Unquoted heredocs expand $( ) and backticks: analyze them.
      for (size_t i = 0; i < r.body.size(); ++i) {
        char c = r.body[i];
        if (c == '\\') {
          ++i;
        } else if (c == '$' && i + 1 < r.body.size() && r.body[i + 1] == '(' &&
                   !(i + 2 < r.body.size() && r.body[i + 2] == '(')) {
          uint16_t f = 0;
          size_t end = Substitution(static_cast<size_t>(r.body.data() - src_.data()) + i + 2, &f);
          i = end - static_cast<size_t>(r.body.data() - src_.data()) - 1;
        } else if (c == '`') {
          size_t e = r.body.find('`', i + 1);
          if (e == std::string_view::npos) break;
          bool net = false, dec = false;
          a_->AnalyzeString(r.body.substr(i + 1, e - i - 1), depth_ + 1, &net, &dec);
          saw_net_ |= net;
          i = e;
        }
      }
    }
  }
  pending_heredocs_.clear();
}

void Parser::SkipArithmetic() {
  // pos_ is after "((".
  size_t begin = pos_;
  pos_ = SkipBalanced(pos_, '(', ')');
  if (pos_ < src_.size() && src_[pos_] == ')') ++pos_;
  uint16_t flags = 0;
  ArithmeticSubstitutions(begin, pos_, &flags);
}

// `(( ))` and `$(( ))` run the command substitutions inside them:
// `(( $(ssh -R ...) ))` runs ssh. Analyze each `$( )`; backticks there are
// rare enough to fail closed on.
void Parser::ArithmeticSubstitutions(size_t begin, size_t end, uint16_t* flags) {
  for (size_t i = begin; i < end && i < src_.size(); ++i) {
    char c = src_[i];
    if (c == '\\') {
      ++i;
    } else if (c == '`') {
      Error("backticks inside arithmetic");
    } else if (c == '$' && i + 1 < src_.size() && src_[i + 1] == '(' &&
               !(i + 2 < src_.size() && src_[i + 2] == '(')) {
      i = Substitution(i + 2, flags) - 1;
      *flags |= kCommandSubst;
    }
  }
}

void Parser::ParseFor() {
  Token t = Next();
  if (t.type == Tok::kOp && t.op == "(") {
    if (pos_ < src_.size() && src_[pos_] == '(') {
      ++pos_;
      SkipArithmetic();
      return;
    }
    Error("syntax error after `for`");
  }
  if (t.type != Tok::kWord) Error("syntax error after `for`");
  // Optional "in words"; words (and their substitutions) are read and dropped.
  while (true) {
    size_t save = pos_;
    t = Next();
    if (t.type == Tok::kWord) {
      if (t.word.text == "do" && !(t.word.flags & kQuoted)) {
        pos_ = save;
        return;
      }
      continue;
    }
    if (t.type == Tok::kNewline || (t.type == Tok::kOp && t.op == ";")) return;
    if (t.type == Tok::kEnd) Error("unterminated `for`");
    Error("syntax error in `for`");
  }
}

void Parser::ParseCasePattern() {
  while (true) {
    Token t = Next();
    if (t.type == Tok::kNewline) continue;
    if (t.type == Tok::kEnd) Error("unterminated `case`");
    if (t.type == Tok::kWord && t.word.text == "esac" && !(t.word.flags & kQuoted)) {
      if (frames_.empty() || frames_.back().kind != FrameKind::kCase) Error("unexpected `esac`");
      frames_.pop_back();
      expect_pattern_ = false;
      return;
    }
    if (t.type == Tok::kOp && t.op == ")") {
      expect_pattern_ = false;
      return;
    }
    // words, '(' and '|' of the pattern
  }
}

void Parser::ParseDoubleBracket() {
  // Inside [[ ]], < > ( ) && || are test operators, not shell syntax.
  while (true) {
    SkipBlanks();
    if (pos_ >= src_.size()) Error("unterminated `[[`");
    char c = src_[pos_];
    if (c == '\n') {
      ++pos_;
      continue;
    }
    if (IsMeta(c)) {
      ++pos_;
      continue;
    }
    Word w = ReadWord();
    if (w.raw == "]]") return;
  }
}

size_t Parser::Run() {
  bool at_start = true;  // at a position where a command (or keyword) may start
  while (true) {
    SkipBlanks();
    word_start_ = pos_;
    if (at_start && !cmd_open_ && expect_pattern_) {
      ParseCasePattern();
      continue;
    }
    if (at_start && !cmd_open_ && src_.substr(pos_, 2) == "((") {
      pos_ += 2;
      SkipArithmetic();
      at_start = false;
      continue;
    }
    Token t = Next();
    if (t.type == Tok::kWord) {
      Word w = t.word;
      if (at_start && !cmd_open_ && !(w.flags & (kQuoted | kDynamic | kLeadingEscape | kEscaped))) {
        std::string_view k = w.text;
        if (k == "if" || k == "then" || k == "else" || k == "elif" || k == "do" || k == "!" ||
            k == "fi" || k == "in" || k == "time") {
          if (k == "time") {  // `time -p ssh ...`: -p is time's, not a program
            SkipBlanks();
            if (src_.substr(pos_, 2) == "-p" && (pos_ + 2 == src_.size() || IsMeta(src_[pos_ + 2])))
              pos_ += 2;
          }
          continue;
        }
        if (k == "while" || k == "until") {
          if (static_cast<int>(frames_.size()) + depth_ > a_->limits().max_shell_depth)
            a_->LimitExceeded("shell nesting deeper than limits.max_shell_depth", src_);
          frames_.push_back({FrameKind::kLoop, static_cast<int>(cmds_.size()), cmd_open_ ? Range() : pending_pipe_, pos_, list_start_});
          ++loop_depth_;
          continue;
        }
        if (k == "for" || k == "select") {
          if (static_cast<int>(frames_.size()) + depth_ > a_->limits().max_shell_depth)
            a_->LimitExceeded("shell nesting deeper than limits.max_shell_depth", src_);
          frames_.push_back({FrameKind::kLoop, static_cast<int>(cmds_.size()), pending_pipe_, pos_, list_start_});
          ++loop_depth_;
          ParseFor();
          continue;
        }
        if (k == "done") {
          if (frames_.empty() || frames_.back().kind != FrameKind::kLoop) Error("unexpected `done`");
          list_start_ = frames_.back().outer_list_start;
          frames_.pop_back();
          --loop_depth_;
          at_start = false;
          cmd_end_pos_ = pos_;
          continue;
        }
        if (k == "{") {
          if (static_cast<int>(frames_.size()) + depth_ > a_->limits().max_shell_depth)
            a_->LimitExceeded("shell nesting deeper than limits.max_shell_depth", src_);
          Range inherited = pending_pipe_.valid() ? pending_pipe_
                            : frames_.empty() ? Range() : frames_.back().pipe_from;
          frames_.push_back({FrameKind::kBrace, static_cast<int>(cmds_.size()), inherited, pos_, list_start_});
          pending_pipe_ = Range();
          continue;
        }
        if (k == "}") {
          if (frames_.empty() || frames_.back().kind != FrameKind::kBrace) Error("unexpected `}`");
          FinishCommand();
          list_start_ = frames_.back().outer_list_start;
          frames_.pop_back();
          at_start = false;
          continue;
        }
        if (k == "case") {
          Token subject = Next();
          Token in = Next();
          if (subject.type != Tok::kWord || in.type != Tok::kWord || in.word.text != "in")
            Error("syntax error in `case`");
          frames_.push_back({FrameKind::kCase, static_cast<int>(cmds_.size()), Range(), pos_});
          expect_pattern_ = true;
          continue;
        }
        if (k == "esac") {
          if (frames_.empty() || frames_.back().kind != FrameKind::kCase) Error("unexpected `esac`");
          frames_.pop_back();
          expect_pattern_ = false;
          at_start = false;
          continue;
        }
        if (k == "[[") {
          ParseDoubleBracket();
          at_start = false;
          continue;
        }
        if (k == "function") {
          Token name = Next();
          if (name.type != Tok::kWord) Error("syntax error after `function`");
          a_->functions.insert(std::string(name.word.text));
          SkipBlanks();
          if (src_.substr(pos_, 1) == "(") {
            size_t close = src_.find(')', pos_);
            if (close == std::string_view::npos) Error("syntax error in function definition");
            pos_ = close + 1;
          }
          continue;
        }
      }
      StartCommandIfNeeded();
      if (words_.size() == cur_.w0 && IsAssignment(w.raw)) {
        // NAME=(a b c): a bash array. Its elements are words (their
        // substitutions are read, so analyzed, as any word's).
        if (w.raw.back() == '=' && src_.substr(pos_, 1) == "(") ReadArrayElements();
        assigns_.push_back(w);
      } else {
        words_.push_back(w);
      }
      cmd_end_pos_ = pos_;
      at_start = false;
      continue;
    }
    if (t.type == Tok::kRedir) {
      StartCommandIfNeeded();
      Redir r = t.redir;
      SkipBlanks();
      Token target = Next();
      if (target.type != Tok::kWord) Error("missing redirection target");
      r.target = target.word;
      if (r.op == RedirOp::kHeredoc) {
        r.body_literal = (target.word.flags & (kQuoted | kEscaped | kLeadingEscape)) != 0;
        pending_heredocs_.push_back(redirs_.size());
      }
      redirs_.push_back(r);
      cmd_end_pos_ = pos_;
      at_start = false;
      continue;
    }
    if (t.type == Tok::kNewline) {
      FinishCommand();
      list_start_ = static_cast<int>(cmds_.size());
      if (!pending_heredocs_.empty()) ReadHeredocs();
      at_start = true;
      continue;
    }
    if (t.type == Tok::kEnd) {
      FinishCommand();
      if (!pending_heredocs_.empty()) ReadHeredocs();
      if (terminator_) Error("unterminated `$(` or `<(`");
      if (!frames_.empty()) Error("unterminated compound command");
      break;
    }
    // Operators.
    std::string_view op = t.op;
    if (op == "(") {
      if (cmd_open_ && words_.size() - cur_.w0 == 1 && redirs_.size() == cur_.r0) {
        // name() compound: a function definition.
        SkipBlanks();
        if (src_.substr(pos_, 1) != ")") Error("syntax error near `(`");
        ++pos_;
        a_->functions.insert(std::string(words_.back().text));
        words_.pop_back();
        cmd_open_ = false;
        at_start = true;
        continue;
      }
      if (cmd_open_) Error("syntax error near `(`");
      if (static_cast<int>(frames_.size()) + depth_ > a_->limits().max_shell_depth)
        a_->LimitExceeded("shell nesting deeper than limits.max_shell_depth", src_);
      Range inherited = pending_pipe_.valid() ? pending_pipe_
                        : frames_.empty() ? Range() : frames_.back().pipe_from;
      frames_.push_back({FrameKind::kParen, static_cast<int>(cmds_.size()), inherited, pos_, list_start_});
      pending_pipe_ = Range();
      at_start = true;
      continue;
    }
    if (op == ")") {
      FinishCommand();
      if (frames_.empty()) {
        if (terminator_ == ')') {
          if (!pending_heredocs_.empty()) ReadHeredocs();
          break;
        }
        Error("unexpected `)`");
      }
      if (frames_.back().kind == FrameKind::kCase) {
        expect_pattern_ = false;  // pattern close handled here if the parser got here
        continue;
      }
      if (frames_.back().kind != FrameKind::kParen) Error("unbalanced `)`");
      list_start_ = frames_.back().outer_list_start;
      frames_.pop_back();
      at_start = false;
      continue;
    }
    FinishCommand();
    if (op == "|" || op == "|&") {
      // The stage that just ended: a command, or a ( ) / { } group.
      int end = static_cast<int>(cmds_.size());
      int begin = end > 0 ? end - 1 : 0;
      // If the previous token closed a group, the stage starts at the group.
      for (int i = end - 1; i >= list_start_ && i >= 0; --i) {
        if (cmds_[i].pipe_from.valid() && cmds_[i].pipe_from.end == i + 0) break;
        begin = i;
        if (cmds_[i].pipe_from.valid()) break;
      }
      (void)begin;
      pending_pipe_ = Range{end > 0 ? end - 1 : 0, end};
      // For a group (`{ a; b; } | sh`) take every command of the list so far.
      if (end - list_start_ > 1 && !cmds_[end - 1].pipe_from.valid()) pending_pipe_.begin = list_start_;
      at_start = true;
      continue;
    }
    if (op == "&&" || op == "||") {
      at_start = true;
      continue;
    }
    if (op == "&") {
      for (int i = list_start_; i < static_cast<int>(cmds_.size()); ++i) cmds_[i].background = true;
      list_start_ = static_cast<int>(cmds_.size());
      at_start = true;
      continue;
    }
    if (op == ";") {
      list_start_ = static_cast<int>(cmds_.size());
      at_start = true;
      continue;
    }
    if (op == ";;" || op == ";&" || op == ";;&") {
      if (frames_.empty() || frames_.back().kind != FrameKind::kCase) Error("unexpected `;;`");
      expect_pattern_ = true;
      at_start = true;
      continue;
    }
    Error(StrCat("unexpected `", op, "`"));
  }
  a_->AnalyzeCommands(this);
  return pos_;
}

// --------------------------------------------------------------- analysis

void Analyzer::Emit(std::string_view cap, std::string_view detail, std::string_view program,
                    std::string_view command, std::string_view host, int port,
                    std::string_view url, std::string_view path) {
  for (const Fact& f : *out_) {
    if (f.capability == cap && f.program == program && f.host == host && f.port == port &&
        f.path == path && f.url == url && (f.command == command || cap != cap::kShellExec))
      return;
  }
  if (static_cast<int>(out_->size()) >= limits_.max_facts_per_call - 1)
    LimitExceeded("more facts than limits.max_facts_per_call", command);
  Fact f;
  f.capability = std::string(cap);
  f.detail = std::string(detail);
  f.program = std::string(program);
  f.command = std::string(command.substr(0, kMaxCommandAttribute));
  // A cut command must not pass for the whole one: a policy regex anchored at
  // the end (`unless: {regex: {command: "^curl https://mirror/[a-z/]*$"}}`)
  // would match the prefix and exempt what follows. `.` and `$` do not cross
  // the newline of the marker.
  if (command.size() > kMaxCommandAttribute) f.command += "\n[truncated]";
  f.host = AsciiLower(host);
  f.port = port;
  f.url = std::string(url);
  f.path = std::string(path);
  out_->push_back(std::move(f));
}

void Analyzer::AnalyzeString(std::string_view src, int depth, bool* net, bool* decoder,
                             bool in_loop) {
  Parser p(this, src, 0, '\0', depth);
  p.loop_depth_ = in_loop ? 1 : 0;
  size_t before = out_->size();
  try {
    p.Run();
  } catch (const std::runtime_error& e) {
    Unanalyzable(StrCat("cannot parse: ", e.what()), src.substr(0, 256));
  }
  if (net) {
    *net = p.saw_net();
    for (size_t i = before; i < out_->size() && !*net; ++i)
      *net = StartsWith((*out_)[i].capability, "net.");
  }
  if (decoder) *decoder = p.saw_decoder();
}

void Analyzer::AnalyzeCommands(Parser* p) {
  p->results_.assign(p->cmds_.size(), CmdResult());
  for (size_t i = 0; i < p->cmds_.size(); ++i) AnalyzeCmd(p, static_cast<int>(i));
}

void Analyzer::CheckDestination(std::string_view host, int port, std::string_view url,
                                std::string_view scheme, std::string_view program,
                                std::string_view command) {
  for (const auto* r : sig_.MatchDestination(AsciiLower(scheme), AsciiLower(host), port))
    Emit(r->capability, r->detail, program, command, host, port, url);
}

// `path` with each expansion the shell would compute (`$x`, `${x}`, `$(..)`,
// backquotes) as `*`, and bracket expressions as `?`: a glob for the paths it
// can name. A leading $HOME stays (NormalizePath reads it).
std::string ExpansionsAsWildcards(std::string_view path) {
  std::string out;
  size_t i = 0;
  for (std::string_view home : {"${HOME}", "$HOME"}) {
    if (path.starts_with(home) && (path.size() == home.size() || path[home.size()] == '/')) {
      out.append(home);
      i = home.size();
      break;
    }
  }
  auto skip_past = [&](char open, char close) {  // the bracket at i and what it holds
    for (int depth = 0; i < path.size(); ++i) {
      if (path[i] == open) {
        ++depth;
      } else if (path[i] == close && --depth == 0) {
        ++i;
        return;
      }
    }
  };
  while (i < path.size()) {
    const char c = path[i];
    if (c == '$' && i + 1 < path.size() && (path[i + 1] == '(' || path[i + 1] == '{')) {
      ++i;
      path[i] == '(' ? skip_past('(', ')') : skip_past('{', '}');
      out.push_back('*');
    } else if (c == '$' && i + 1 < path.size() &&
               (absl::ascii_isalpha(static_cast<unsigned char>(path[i + 1])) || path[i + 1] == '_')) {
      for (++i; i < path.size() && (absl::ascii_isalnum(static_cast<unsigned char>(path[i])) ||
                                    path[i] == '_');)
        ++i;
      out.push_back('*');
    } else if (c == '`') {
      size_t end = path.find('`', i + 1);
      i = end == std::string_view::npos ? path.size() : end + 1;
      out.push_back('*');
    } else if (size_t close = c == '[' ? path.find(']', i) : std::string_view::npos;
               close != std::string_view::npos) {
      i = close + 1;
      out.push_back('?');
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

void Analyzer::FileFact(FileAccess access, std::string_view path_text, std::string_view program,
                        std::string_view command, bool emit_plain) {
  if (path_text.empty() || path_text == "-" || StartsWith(path_text, "/dev/null") ||
      path_text == "/dev/stdout" || path_text == "/dev/stderr" || path_text == "/dev/tty" ||
      StartsWith(path_text, "/dev/fd/"))
    return;
  std::string norm = NormalizePath(path_text);
  if (access == FileAccess::kDelete && norm.size() > 2 && EndsWith(norm, "/*"))
    norm.resize(norm.size() - 2);
  if (access != FileAccess::kRead) touched_[norm] = access == FileAccess::kWrite;
  const auto* rule = sig_.FindPath(static_cast<int>(access), norm);
  // A path the shell computes or expands (`/etc/sh*w`, `/etc/$(echo shadow)`)
  // counts as every path it can name.
  if (rule == nullptr && path_text.find_first_of("*?[$`") != std::string_view::npos) {
    std::string pattern = NormalizePath(ExpansionsAsWildcards(path_text));
    if (pattern.find_first_of("*?") != std::string::npos)
      rule = sig_.FindPathByPattern(static_cast<int>(access), pattern);
  }
  if (rule) {
    Emit(rule->capability, rule->detail, program, command, {}, -1, {}, path_text);
  } else if (emit_plain) {
    std::string_view cap = access == FileAccess::kRead    ? cap::kFsRead
                           : access == FileAccess::kWrite ? cap::kFsWrite
                                                          : cap::kFsDelete;
    Emit(cap, "", program, command, {}, -1, {}, path_text);
  }
}

// Looks at one argument whatever the program: URLs, known hosts, wallets,
// secret files.
void Analyzer::GenericArg(const Word& w, bool option_value, bool is_write_target,
                          std::string_view program, const Ctx& ctx) {
  std::string_view a = w.text;
  if (a.size() < 2) return;
  std::string_view command = ctx.cmd ? ctx.cmd->text : a;
  size_t scheme_end = a.find("://");
  if (scheme_end != std::string_view::npos) {
    size_t begin = scheme_end;
    while (begin > 0 && (absl::ascii_isalnum(static_cast<unsigned char>(a[begin - 1])) ||
                         a[begin - 1] == '+' || a[begin - 1] == '-' || a[begin - 1] == '.'))
      --begin;
    std::string_view url_text = a.substr(begin);
    Url u = ParseUrl(url_text);
    if (u.valid) CheckDestination(u.host, u.port, url_text, u.scheme, program, command);
  } else if (a.find('/') == std::string_view::npos &&
             (a.find('.') != std::string_view::npos || a.find(':') != std::string_view::npos)) {
    std::string_view h = a;
    size_t eq = h.find('=');
    if (eq != std::string_view::npos) h = h.substr(eq + 1);
    size_t at = h.rfind('@');
    if (at != std::string_view::npos) h = h.substr(at + 1);
    int port = -1;
    size_t colon = h.rfind(':');
    if (colon != std::string_view::npos && h.find(':') == colon) {
      if (auto p = ParsePort(h.substr(colon + 1))) port = *p;
      h = h.substr(0, colon);
    }
    if (!h.empty() && h.find(' ') == std::string_view::npos)
      CheckDestination(h, port, {}, {}, program, command);
  }
  if (const auto* wr = sig_.FindWallet(a, option_value))
    Emit(wr->capability, wr->detail, program, command);
  // Secret reads, whichever program reads them.
  if (!is_write_target) {
    std::string_view path = a;
    if (path[0] == '@') path.remove_prefix(1);
    size_t eq = path.find('=');
    if (eq != std::string_view::npos && path[0] != '/' && path[0] != '~') path = path.substr(eq + 1);
    if (!path.empty() && (path.find('/') != std::string_view::npos || path[0] == '.' ||
                          path[0] == '~' || path == "credentials" || path == "kubeconfig" ||
                          StartsWith(path, "id_")))
      FileFact(FileAccess::kRead, path, program, command, false);
  }
}

void Analyzer::WordDestinations(const std::vector<Word>& argv, size_t from,
                                std::string_view program, std::string_view command) {
  int found = 0;
  for (size_t i = from; i < argv.size() && found < 8; ++i) {
    std::optional<WordDestination> d = DestinationInWord(argv[i].text);
    if (!d || classify_internal::IsLoopback(d->host)) continue;
    ++found;
    Emit(cap::kNetEgress, "a destination given to a program", program, command, d->host, d->port,
         d->url);
  }
}

bool Analyzer::ProgramWordOk(const Word& w, std::string_view command) {
  std::string_view name = Basename(w.text);
  if (w.flags & kAnsiC) {
    Unanalyzable("program name written with ANSI-C escapes", command, name);
    return false;
  }
  if (w.flags & (kCommandSubst | kProcessSubst)) {
    Unanalyzable("program name computed by a command substitution", command);
    return false;
  }
  if (w.flags & kIfs) {
    Unanalyzable("IFS manipulation in the command", command);
    return false;
  }
  if (w.flags & kExpansion) {
    // $HOME/bin/tool is fine: the name itself is literal.
    size_t last_dollar = w.text.rfind('$');
    size_t last_slash = w.text.rfind('/');
    // `cat${X}/etc/shadow` splits into `cat /etc/shadow` when X is a blank:
    // literal text glued to an expansion, other than a directory, is no name.
    size_t first_dollar = w.text.find('$');
    bool glued = first_dollar != std::string_view::npos && first_dollar > 0 &&
                 w.text[first_dollar - 1] != '/';
    if (last_slash == std::string_view::npos || last_dollar > last_slash ||
        name.empty() || glued) {
      // In a script file a variable naming a tool (`$PYTHON -m pytest`) is
      // ordinary programming: its arguments are still judged.
      if (in_written_file_ > 0 && !glued) return true;
      Unanalyzable("variable as the program name", command);
      return false;
    }
  }
  if (w.flags & (kGlob | kBrace)) {
    Unanalyzable("glob or brace expansion as the program name", command);
    return false;
  }
  if ((w.flags & kEscaped) || ((w.flags & kPartialQuote) && (w.flags & kQuoted))) {
    // `"$VENV"/bin/python` quotes the directory only.
    std::string_view raw_base = Basename(w.raw);
    if (raw_base != name) {
      Unanalyzable("obfuscated program name (quotes or escapes inside it)", command, name);
      return false;
    }
  }
  if ((w.flags & kLeadingEscape) && (w.flags & kEscaped)) {
    Unanalyzable("obfuscated program name (escapes)", command, name);
    return false;
  }
  if (name.empty()) {
    Unanalyzable("empty program name", command);
    return false;
  }
  return true;
}

namespace {

// `"$(ssh-agent -s)"`: one plain command substitution of a shell setup program
// (no pipes, lists, redirections or nested substitutions).
bool EvalsShellSetup(const Signatures& sig, std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') raw = raw.substr(1, raw.size() - 2);
  if (StartsWith(raw, "$(") && raw.back() == ')') {
    raw = raw.substr(2, raw.size() - 3);
  } else if (raw.size() >= 2 && raw.front() == '`' && raw.back() == '`') {
    raw = raw.substr(1, raw.size() - 2);
  } else {
    return false;
  }
  if (raw.find_first_of("$`|;&<>()\n") != std::string_view::npos) return false;
  raw = StripAsciiWhitespace(raw);
  // By name only: `./pyenv init` could be a script the agent wrote.
  std::string_view program = raw.substr(0, raw.find(' '));
  return program.find('/') == std::string_view::npos && sig.IsShellSetupProgram(program);
}

bool IsSafeShellChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

std::string JoinWords(const std::vector<Word>& argv, size_t from) {
  std::string s;
  for (size_t i = from; i < argv.size(); ++i) {
    if (i > from) s.push_back(' ');
    s.append(argv[i].text.data(), argv[i].text.size());
  }
  return s;
}

}  // namespace

void Analyzer::AnalyzeRedir(Parser* p, const Cmd& cmd, const Redir& r, std::string_view program,
                            const Ctx& ctx) {
  std::string_view t = r.target.text;
  if (r.op == RedirOp::kHeredoc || r.op == RedirOp::kHerestring) return;
  if (r.op == RedirOp::kDupIn || r.op == RedirOp::kDupOut) {
    bool to_stdin = r.fd == 0 || (r.fd < 0 && r.op == RedirOp::kDupIn);
    bool std_fd = t == "0" || t == "1" || t == "2" || t == "-";
    if (to_stdin && !std_fd && (tcp_fd >= 0 || p->saw_net_)) {
      bool from_tcp = tcp_fd >= 0 && t == std::to_string(tcp_fd);
      const ProgramSig* s = sig_.FindProgram(program);
      bool shell_like = s && (s->role == Role::kShell || s->role == Role::kScript);
      if (from_tcp || shell_like)
        Emit(cap::kNetReverseShell, "commands read from a network connection", program, cmd.text,
             tcp_host, tcp_port);
    }
    if (t == "-" || (!t.empty() && (absl::ascii_isdigit(static_cast<unsigned char>(t[0])) || t[0] == '$')))
      return;
  }
  if (r.target.flags & kSubstDecode) {
    Unanalyzable("redirection target computed by decoding data", cmd.text, program);
    return;
  }
  if (StartsWith(t, "/dev/tcp/") || StartsWith(t, "/dev/udp/")) {
    std::string_view rest = t.substr(9);
    size_t slash = rest.find('/');
    std::string_view host = rest.substr(0, slash);
    int port = -1;
    std::string_view port_text;
    if (slash != std::string_view::npos) {
      port_text = rest.substr(slash + 1);
      if (auto pp = ParsePort(port_text)) port = *pp;
    }
    p->saw_net_ = true;
    const ProgramSig* s = sig_.FindProgram(program);
    bool shell_like = s && (s->role == Role::kShell || s->role == Role::kScript);
    bool stdin_dup = false;
    for (uint32_t i = cmd.r0; i < cmd.r1; ++i) {
      const Redir& o = p->redirs_[i];
      if ((o.op == RedirOp::kDupOut || o.op == RedirOp::kDupIn) && o.fd == 0) stdin_dup = true;
    }
    bool bidirectional = r.op == RedirOp::kInOut;
    if (shell_like || stdin_dup || (bidirectional && program == "exec" && r.fd >= 0 && false)) {
      Emit(cap::kNetReverseShell, "shell connected to /dev/tcp", program, cmd.text, host, port);
    } else {
      Emit(cap::kNetEgress, "raw connection through /dev/tcp", program, cmd.text, host, port);
    }
    if (bidirectional && r.fd >= 0) {
      tcp_fd = r.fd;
      tcp_host = host;
      tcp_port = port;
    }
    CheckDestination(host, port, {}, {}, program, cmd.text);
    if (ctx.in_loop && (host.find('$') != std::string_view::npos ||
                        port_text.find('$') != std::string_view::npos))
      Emit(cap::kNetScan, "connection attempts over a range in a loop", program, cmd.text, host, port);
    return;
  }
  FileAccess access = (r.op == RedirOp::kIn || r.op == RedirOp::kDupIn) ? FileAccess::kRead
                                                                        : FileAccess::kWrite;
  FileFact(access, t, program, cmd.text, true);
}

bool Analyzer::StdinProgram(Parser* p, const Ctx& ctx, std::string_view program,
                            const ProgramSig* sig, bool script) {
  const Cmd& cmd = *ctx.cmd;
  for (uint32_t i = cmd.r0; i < cmd.r1; ++i) {
    const Redir& r = p->redirs_[i];
    if (r.fd > 0) continue;
    if (r.op == RedirOp::kHeredoc || r.op == RedirOp::kHerestring) {
      std::string_view body = r.op == RedirOp::kHeredoc ? r.body : r.target.text;
      if (r.op == RedirOp::kHerestring && (r.target.flags & kCommandSubst)) {
        if (r.target.flags & kSubstNet)
          Emit(cap::kProcessRemoteCode, "downloaded code fed to an interpreter", program, cmd.text);
        else
          Unanalyzable("computed code fed to an interpreter", cmd.text, program);
        return false;
      }
      if (script) ScanScript(body, sig->language, ctx, program);
      else AnalyzeString(body, ctx.depth + 1);
      return false;
    }
    if (r.op == RedirOp::kIn) {
      if (r.target.flags & kProcessSubst) {
        if (r.target.flags & kSubstNet)
          Emit(cap::kProcessRemoteCode, "downloaded code fed to an interpreter", program, cmd.text);
        else
          Unanalyzable("generated code fed to an interpreter", cmd.text, program);
      }
      return false;  // a script file
    }
    if (r.op == RedirOp::kDupIn && p->a_->tcp_fd >= 0) {
      Emit(cap::kNetReverseShell, "shell reading commands from a network connection", program,
           cmd.text, tcp_host, tcp_port);
      return false;
    }
  }
  if (!cmd.pipe_from.valid()) return true;  // interactive
  bool net = false, decoder = false, literal = true, cat = true;
  std::string text;
  for (int i = cmd.pipe_from.begin; i < cmd.pipe_from.end && i < static_cast<int>(p->results_.size()); ++i) {
    const CmdResult& r = p->results_[i];
    net |= r.tainted;
    decoder |= r.decoder;
    literal &= r.literal_echo;
    cat &= r.cat_files;
    if (r.literal_echo) {
      text += r.echo_text;
      text += "\n";
    }
  }
  if (net) {
    Emit(cap::kProcessRemoteCode, "downloaded code piped into an interpreter", program, cmd.text);
  } else if (decoder) {
    Unanalyzable("decoded data piped into a shell or interpreter", cmd.text, program);
  } else if (literal) {
    if (script) ScanScript(text, sig->language, ctx, program);
    else AnalyzeString(text, ctx.depth + 1);
  } else if (!cat) {
    Unanalyzable("generated commands piped into a shell or interpreter", cmd.text, program);
  }
  return false;
}

namespace {
bool HistoryAssignment(std::string_view name, std::string_view value) {
  return (name == "HISTFILE" && (value.empty() || value == "/dev/null")) ||
         ((name == "HISTSIZE" || name == "HISTFILESIZE") && value == "0") ||
         (name == "HISTCONTROL" && value.find("ignoreboth") == std::string_view::npos &&
          value.find("ignorespace") != std::string_view::npos && false);
}
}  // namespace

void Analyzer::Assignment(std::string_view name, std::string_view value, std::string_view program,
                          const Ctx& ctx) {
  std::string_view command = ctx.cmd != nullptr ? ctx.cmd->text : value;
  if (value.find_first_of("$`\\'\"*?[{") == std::string_view::npos) {
    literal_vars_[std::string(name)] = std::string(value);
  } else {
    literal_vars_.erase(std::string(name));
  }
  if (name == "IFS") {
    Unanalyzable("IFS reassigned", command, program);
  } else if (HistoryAssignment(name, value)) {
    Emit(cap::kEvasionLogTamper, "disables shell history", program, command);
  } else if (name == "LD_PRELOAD" || name == "BASH_ENV" || name == "PROMPT_COMMAND") {
    Unanalyzable(StrCat("code injected through ", name), command, program);
  } else if (sig_.IsProxyVariable(name)) {
    Url u = ParseUrl(value.find("://") == std::string_view::npos ? StrCat("http://", value) : std::string(value));
    if (u.valid && !u.host.empty() && !classify_internal::IsLoopback(u.host))
      Emit(cap::kNetProxy, StrCat(name, " routes programs' traffic through a proxy"), program, command, u.host, u.port);
  } else if (sig_.IsCommandVariable(name)) {
    // Run later by the program that reads it (git, man, less...): judged
    // here. LESSOPEN starts with `|`.
    while (value.starts_with('|')) value.remove_prefix(1);
    AnalyzeStarted(value, ctx, name);
  }
  // A secret file's path put in a variable is read where the variable is
  // used (`f=/etc/shadow; cat $f`), and variables are not followed.
  if (value.find('/') != std::string_view::npos || value.starts_with('~'))
    FileFact(FileAccess::kRead, value, program, command, false);
}

// The shell command in an editor command (vim's `!cmd`, `r !cmd`, `w !cmd`,
// in any of its `|`-separated parts, after a range), or nullopt.
std::optional<std::string_view> EditorShellEscape(std::string_view command) {
  for (size_t begin = 0; begin <= command.size();) {
    size_t bar = std::min(command.find('|', begin), command.size());
    std::string_view s = command.substr(begin, bar - begin);
    auto skip = [&](std::string_view chars) {
      while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
    };
    skip(" \t:");
    skip("%.$,0123456789 ");
    for (std::string_view modifier : {"silent!", "silent", "sil!", "sil"})
      if (s.starts_with(modifier) && s.size() > modifier.size() && s[modifier.size()] == ' ') {
        s.remove_prefix(modifier.size());
        skip(" ");
        break;
      }
    for (std::string_view verb : {"read", "write", "r", "w"}) {
      if (!s.starts_with(verb)) continue;
      std::string_view after = s.substr(verb.size());
      // `r!cmd` reads cmd's output; `w!` alone forces a write.
      if (after.starts_with(' ') || (verb[0] == 'r' && after.starts_with('!'))) {
        s = after;
        skip(" ");
      }
      break;
    }
    if (s.starts_with('!')) return command.substr(static_cast<size_t>(s.data() + 1 - command.data()));
    // vim's `:sh[ell]` starts a shell; gdb's `shell CMD` runs CMD.
    for (std::string_view verb : {"shell", "sh"}) {
      if (!s.starts_with(verb)) continue;
      std::string_view after = StripAsciiWhitespace(s.substr(verb.size()));
      if (s.size() == verb.size() || after.empty()) return std::string_view("sh");
      if (s[verb.size()] == ' ') return after;
      break;
    }
    begin = bar + 1;
  }
  return std::nullopt;
}

void Analyzer::CommandOptions(const ProgramSig& sig, const std::vector<Word>& argv,
                              std::string_view program, const Ctx& ctx) {
  std::string_view command = ctx.cmd != nullptr ? ctx.cmd->text : program;
  auto editor_command = [&](std::string_view value) {
    // Commands that evaluate a string or replay keys can run anything.
    static constexpr std::string_view kComputed[] = {"system(", "systemlist(", "term", "exe ",
                                                     "execute ", "norm ", "norm!", "normal"};
    if (std::any_of(std::begin(kComputed), std::end(kComputed),
                    [&](std::string_view c) { return StrContains(value, c); })) {
      Unanalyzable("editor command runs a command it computes", command, program);
    } else if (std::optional<std::string_view> shell = EditorShellEscape(value)) {
      if (!StripAsciiWhitespace(*shell).empty()) AnalyzeStarted(*shell, ctx, program);
    }
  };
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i].text;
    for (const std::string& o : sig.editor_commands) {
      if (o == "+" && a.size() > 1 && a[0] == '+') editor_command(a.substr(1));
      else if (a == o && i + 1 < argv.size()) editor_command(argv[i + 1].text);
    }
  }
  // Options and arguments whose value is a command the program runs.
  auto started = [&](const Word& w, std::string_view value) {
    if (w.flags & kCommandSubst) {
      if (w.flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
      else Unanalyzable("runs a computed command string", command, program);
    } else if (!StripAsciiWhitespace(value).empty()) {
      AnalyzeStarted(value, ctx, sig.shell_escape ? program : std::string_view());
    }
  };
  auto strip_prefix = [](std::string_view* v, std::string_view prefix) {
    if (prefix.empty()) return true;
    if (v->size() < prefix.size()) return false;
    for (size_t k = 0; k < prefix.size(); ++k) {
      char a = absl::ascii_tolower(static_cast<unsigned char>((*v)[k]));
      char b = absl::ascii_tolower(static_cast<unsigned char>(prefix[k]));
      // `ProxyCommand=CMD` is also written `ProxyCommand CMD`.
      if (a != b && !(b == '=' && k + 1 == prefix.size() && a == ' ')) return false;
    }
    v->remove_prefix(prefix.size());
    return true;
  };
  // rsync -e CMD runs `CMD HOST rsync --server ...`.
  for (const std::string& opt : sig.remote_shell)
    for (size_t i = 1; i < argv.size(); ++i) {
      std::string_view a = argv[i].text, value;
      const Word* w = &argv[i];
      if (a == opt && i + 1 < argv.size()) {
        w = &argv[++i];
        value = w->text;
      } else if (a.size() > opt.size() + 1 && a.starts_with(opt) && a[opt.size()] == '=') {
        value = a.substr(opt.size() + 1);
      } else {
        continue;
      }
      if (remote_host_.empty()) {
        started(*w, value);
      } else {
        const std::string with_host = StrCat(value, " ", remote_host_);
        started(*w, with_host);
      }
    }
  for (const std::string& spec : sig.command_options) {
    size_t cut = spec.find(' ');
    if (cut == std::string::npos) cut = spec.find('=');
    std::string_view opt = std::string_view(spec).substr(0, cut);
    std::string_view prefix = cut == std::string::npos ? std::string_view()
                                                       : std::string_view(spec).substr(cut + 1);
    for (size_t i = 1; i < argv.size(); ++i) {
      std::string_view a = argv[i].text, value;
      const Word* w = &argv[i];
      if (a == opt && i + 1 < argv.size()) {
        w = &argv[++i];
        value = w->text;
      } else if (a.size() > opt.size() && a.starts_with(opt) &&
                 (a[opt.size()] == '=' || (opt.size() == 2 && opt[1] != '-'))) {
        value = a.substr(opt.size() + (a[opt.size()] == '=' && opt.size() > 2 ? 1 : 0));
      } else {
        continue;
      }
      if (strip_prefix(&value, prefix)) started(*w, value);
    }
  }
  for (const std::string& prefix : sig.command_args)
    for (size_t i = 1; i < argv.size(); ++i) {
      std::string_view value = argv[i].text;
      if (strip_prefix(&value, prefix)) started(argv[i], value.substr(0, value.find(',')));
    }
  if (sig.command_config.empty()) return;
  auto setting = [&](std::string_view key, std::string_view value) {
    const std::string lower = AsciiLower(key);
    for (std::string_view pattern : sig.command_config) {
      const bool bang = pattern.starts_with('!');
      if (bang) pattern.remove_prefix(1);
      if (!GlobMatch(pattern, lower) || (bang && !value.starts_with('!'))) continue;
      if (bang) value.remove_prefix(1);
      AnalyzeStarted(value, ctx, program);
      return;
    }
  };
  // -c KEY=VALUE (or -cKEY=VALUE) before the subcommand; then
  // `config [--global] KEY VALUE` or `config set KEY VALUE`.
  auto key_value = [&](std::string_view kv) {
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) setting(kv.substr(0, eq), kv.substr(eq + 1));
  };
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i].text;
    if (a == "-c" && i + 1 < argv.size()) {
      key_value(argv[++i].text);
    } else if (a.starts_with("-c") && a.size() > 2) {
      key_value(a.substr(2));
    } else if (a == "config") {
      for (size_t k = i + 1; k + 1 < argv.size(); ++k)
        if (argv[k].text[0] != '-' && argv[k].text.find('.') != std::string_view::npos) {
          setting(argv[k].text, argv[k + 1].text);
          break;
        }
      break;
    } else if (!a.starts_with('-')) {
      break;  // another subcommand
    } else if ((a.size() == 2 && sig.TakesValue(a[1])) ||
               (a.starts_with("--") && sig.long_value.contains(AbslView(a.substr(2))))) {
      ++i;  // -C DIR, --git-dir DIR
    }
  }
}

void Analyzer::NoteWrites(Parser* p, const Cmd& cmd, const CmdResult& res) {
  std::string_view heredoc;
  bool has_heredoc = false;
  for (uint32_t i = cmd.r0; i < cmd.r1; ++i)
    if (p->redirs_[i].op == RedirOp::kHeredoc) {
      heredoc = p->redirs_[i].body;
      has_heredoc = true;
    }
  for (uint32_t i = cmd.r0; i < cmd.r1; ++i) {
    const Redir& r = p->redirs_[i];
    if ((r.op != RedirOp::kOut && r.op != RedirOp::kAppend) || r.fd > 1 || r.target.text.empty() ||
        (r.target.flags & kDynamic))
      continue;
    WrittenFile file;
    if (res.literal_echo) {
      file.text = res.echo_text + "\n";
    } else if (res.cat_files && has_heredoc && cmd.w1 == cmd.w0 + 1) {
      file.text = std::string(heredoc);  // cat > f <<EOF
    } else {
      file.origin = res.tainted || res.net ? Origin::kDownloaded : Origin::kGenerated;
    }
    std::string path = NormalizePath(r.target.text);
    if (r.op == RedirOp::kAppend && !written_.contains(path)) {
      // Appending to a file an earlier call wrote: it holds that first.
      if (const WrittenFile* earlier = memory_ != nullptr ? memory_->Find(path) : nullptr)
        written_[path] = *earlier;
    }
    WrittenFile& slot = written_[path];
    if (r.op != RedirOp::kAppend) {
      slot = std::move(file);
    } else if (slot.origin == Origin::kText) {  // downloaded or generated stays so
      if (file.origin == Origin::kText) slot.text += file.text;
      else slot = std::move(file);
    }
  }
  // `curl -o FILE URL`: the file holds what came from the network.
  for (std::string& path : option_targets_)
    written_[std::move(path)] = WrittenFile{res.net || res.tainted ? Origin::kDownloaded
                                                                   : Origin::kGenerated, {}};
  option_targets_.clear();
}

void Analyzer::CopyWrittenFiles(const std::vector<const Word*>& positionals,
                                std::string_view program) {
  if (program != "cp" && program != "mv" && program != "ln" && program != "install") return;
  const size_t n = positionals.size();
  if (n < 2) return;
  for (const Word* w : positionals)
    if (w->flags & kDynamic) return;
  const std::string_view dst = positionals[n - 1]->text;
  const bool into_directory = n > 2 || EndsWith(dst, "/");
  for (size_t i = 0; i + 1 < n; ++i) {
    const std::string src = NormalizePath(positionals[i]->text);
    const WrittenFile* file = FindWritten(src);
    if (file == nullptr) continue;
    const WrittenFile copy = *file;  // written_ may rehash below
    // DST may be a directory even without a trailing '/': both names.
    written_[NormalizePath(StrCat(dst, "/", Basename(src)))] = copy;
    if (!into_directory) written_[NormalizePath(dst)] = copy;
    if (program == "mv") {
      written_.erase(src);
      touched_[src] = false;
    }
  }
}

void Analyzer::ExportWrites(FileWrites* writes) {
  for (auto& [path, file] : written_) {
    // Writing again what is remembered changes nothing (and copies nothing).
    const WrittenFile* known = memory_ != nullptr ? memory_->Find(path) : nullptr;
    if (known != nullptr && known->origin == file.origin && known->text == file.text) continue;
    writes->push_back({path, std::move(file)});
  }
  for (const auto& [path, written] : touched_) {
    if (written_.contains(path)) continue;
    if (!written) {
      writes->push_back({path, std::nullopt});
    } else if (memory_ != nullptr && memory_->Find(path) != nullptr) {
      writes->push_back({path, WrittenFile{Origin::kGenerated, {}}});
    }
  }
}

bool Analyzer::RunsWrittenFile(std::string_view path, std::string_view language,
                               std::string_view program, const Ctx& ctx) {
  if (written_.empty() && (memory_ == nullptr || memory_->empty())) return false;
  std::string_view command = ctx.cmd != nullptr ? ctx.cmd->text : path;
  const WrittenFile* file = FindWritten(NormalizePath(path));
  if (file == nullptr) {
    if (memory_ == nullptr || !memory_->overflowed()) return false;
    Unanalyzable("runs a file, and this episode wrote more files than "
                 "limits.max_remembered_bytes can remember",
                 command, program);
    return true;
  }
  switch (file->origin) {
    case Origin::kDownloaded:
      Emit(cap::kProcessRemoteCode, "runs a file that was downloaded", program, command);
      break;
    case Origin::kGenerated:
      Unanalyzable("runs a file that was generated or changed in ways the analysis cannot follow",
                   command, program);
      break;
    case Origin::kText: {
      const std::string text = file->text;  // the map may change below
      ++in_written_file_;
      if (language.empty()) AnalyzeNested(text, ctx);
      else ScanScript(text, language, ctx, program);
      --in_written_file_;
      break;
    }
  }
  return true;
}

void Analyzer::AnalyzeCmd(Parser* p, int index) {
  const Cmd& cmd = p->cmds_[index];
  Ctx ctx;
  ctx.in_loop = cmd.loop_depth > 0;
  ctx.background = cmd.background;
  ctx.depth = p->depth_;
  ctx.cmd = &cmd;
  ctx.cmd_index = index;
  ctx.launched_by = escape_from_;
  CmdResult& res = p->results_[index];
  size_t before = out_->size();
  std::string_view program;
  if (cmd.w1 > cmd.w0) program = Basename(p->words_[cmd.w0].text);
  for (uint32_t i = cmd.a0; i < cmd.a1; ++i) {
    const Word& a = p->assigns_[i];
    Assignment(a.raw.substr(0, a.raw.find_first_of("+=[")), a.text.substr(a.text.find('=') + 1),
               program, ctx);
  }
  if (cmd.w1 > cmd.w0) {
    std::vector<Word> argv(p->words_.begin() + cmd.w0, p->words_.begin() + cmd.w1);
    AnalyzeArgv(p, std::move(argv), ctx, &res);
  }
  if (!res.program.empty()) program = res.program;
  if (program == "cd" || program == "pushd") changed_dir_ = true;
  for (uint32_t i = cmd.r0; i < cmd.r1; ++i) AnalyzeRedir(p, cmd, p->redirs_[i], program, ctx);
  if (ctx.background && cmd.w1 > cmd.w0)
    Emit(cap::kProcessBackground, "runs in the background (&)", program, cmd.text);
  for (size_t i = before; i < out_->size(); ++i)
    if (StartsWith((*out_)[i].capability, "net.")) res.net = true;
  NoteWrites(p, cmd, res);
  bool upstream_tainted = false, upstream_shell = false;
  for (int i = cmd.pipe_from.begin; cmd.pipe_from.valid() && i < cmd.pipe_from.end && i < index; ++i) {
    upstream_tainted |= p->results_[i].tainted;
    upstream_shell |= p->results_[i].stdin_shell;
  }
  res.tainted = res.net || (upstream_tainted && !res.stdin_shell);
  // sh -i | nc HOST PORT (with a fifo back): a shell wired to a connection.
  if (upstream_shell && res.net && !res.stdin_shell) {
    for (size_t i = before; i < out_->size(); ++i) {
      const Fact& f = (*out_)[i];
      if (f.capability == cap::kNetEgress || f.capability == cap::kNetEgressSsh) {
        std::string host = f.host;
        int port = f.port;
        Emit(cap::kNetReverseShell, "shell piped into a network connection", program, cmd.text, host, port);
        break;
      }
    }
  }
  if (res.net) p->saw_net_ = true;
  if (res.decoder) p->saw_decoder_ = true;
}

void Analyzer::AnalyzeArgv(Parser* p, std::vector<Word> argv, Ctx ctx, CmdResult* res) {
  const Cmd& cmd = *ctx.cmd;
  std::string_view command = cmd.text;
  int unwraps = 0;
  while (!argv.empty()) {
    if (++unwraps > limits_.max_shell_depth)
      LimitExceeded("launchers nested deeper than limits.max_shell_depth", command);
    remote_host_.clear();
    // In a script file, `$NAME` as the program is the literal NAME was set to.
    if (in_written_file_ > 0 && (argv[0].flags & kExpansion)) {
      std::string_view t = argv[0].text;
      if (t.starts_with("${") && t.ends_with("}")) t = t.substr(2, t.size() - 3);
      else if (t.starts_with("$")) t.remove_prefix(1);
      if (auto it = literal_vars_.find(t); it != literal_vars_.end() && !it->second.empty()) {
        argv[0].text = it->second;
        argv[0].flags = static_cast<uint16_t>(argv[0].flags & ~kExpansion);
      }
    }
    const Word& w0 = argv[0];
    if (!ProgramWordOk(w0, command)) return;
    std::string_view program = Basename(w0.text);
    if (aliases.contains(AbslView(program))) {
      Unanalyzable("runs an alias defined in the same command", command, program);
      return;
    }
    const ProgramSig* sig = sig_.FindProgram(program);
    if (functions.contains(AbslView(program))) {
      Emit(cap::kShellExec, "", program, command);
      if (sig) Unanalyzable("a function shadows a known program", command, program);
      // `:(){ :|:& };:`: a function piped into itself multiplies processes.
      for (int i = cmd.pipe_from.begin; cmd.pipe_from.valid() && i < cmd.pipe_from.end &&
                                        i < static_cast<int>(p->results_.size());
           ++i)
        if (p->results_[i].program == program)
          Emit(cap::kComputeBurn, "fork bomb (a function piped into itself)", program, command);
      if (res) res->program = program;
      return;
    }
    Emit(cap::kShellExec, "", program, command);
    if (res) res->program = program;
    // `nmap -h`, `hydra --version`: a program asked only for its help or
    // version runs nothing of what its family does.
    if (argv.size() == 2 && !(argv[1].flags & kDynamic) &&
        (argv[1].text == "-h" || argv[1].text == "--help" || argv[1].text == "-V" ||
         argv[1].text == "--version" || argv[1].text == "-help" || argv[1].text == "-version"))
      return;
    // ./x.sh or /tmp/x that this command wrote.
    if (w0.text.find('/') != std::string_view::npos && RunsWrittenFile(w0.text, {}, program, ctx))
      return;
    if (sig_.IsDecoder(program)) {
      // base64 -d, xxd -r, openssl enc -d...: only decoding counts.
      bool decoding = program == "rev" || program == "tr" || program == "uudecode" ||
                      program == "gunzip" || program == "zcat" || program == "bzcat" ||
                      program == "xzcat" || program == "unxz";
      for (size_t i = 1; i < argv.size() && !decoding; ++i) {
        std::string_view a = argv[i].text;
        decoding = a == "-d" || a == "--decode" || a == "-D" || a == "-r" || a == "-revert" ||
                   a == "-dc" || a == "-cd" || a == "-p" || (a.size() > 1 && a[0] == '-' && a[1] != '-' &&
                   a.find('d') != std::string_view::npos && program != "printf");
        if (program == "printf") decoding = a.find('\\') != std::string_view::npos;
        if (program == "sed" || program == "awk" || program == "perl" || program == "python" ||
            program == "python3" || program == "ruby" || program == "node")
          decoding = false;
      }
      if (decoding && res) res->decoder = true;
    }
    if ((program == "echo" || program == "printf") && res && !cmd.pipe_from.valid()) {
      bool literal = true;
      for (size_t i = 1; i < argv.size(); ++i) {
        literal &= !(argv[i].flags & kDynamic);
        if (program == "printf" || argv[i].text == "-e")
          literal &= argv[i].text.find('\\') == std::string_view::npos && argv[i].text != "-e";
      }
      res->literal_echo = literal;
      if (literal) res->echo_text = JoinWords(argv, 1);
    }
    if (program == "cat" && res) res->cat_files = true;
    if (program == "export" || program == "declare" || program == "typeset" ||
        program == "readonly" || program == "local") {
      for (size_t i = 1; i < argv.size(); ++i) {
        std::string_view a = argv[i].text;
        if (a.find('=') != std::string_view::npos && a[0] != '-') Assignment(a, program, ctx);
      }
    }

    ParsedArgs pa;
    bool stop = sig && (sig->role == Role::kLauncher || sig->role == Role::kXargs ||
                        sig->role == Role::kShell || sig->role == Role::kScript);
    size_t from = 1;
    if (sig && sig->subcommand_first && argv.size() > 1) {
      // Global options may come first (`tmux -S SOCKET new -d`): the
      // subcommand is the first positional, and its own options follow.
      ParseOptions(argv, 1, sig, /*stop_at_positional=*/true, &pa);
      from = pa.rest;
      if (from < argv.size()) pa.positionals.push_back(&argv[from++]);
    }
    ParseOptions(argv, from, sig, stop, &pa);
    if (stop) {
      for (size_t i = pa.rest; i < argv.size(); ++i) pa.positionals.push_back(&argv[i]);
    }

    // Where the launched command starts (launchers only).
    size_t inner = pa.rest;
    if (sig && sig->role == Role::kLauncher) {
      if (sig->assignments)
        for (; inner < argv.size() && IsAssignment(argv[inner].raw); ++inner)
          Assignment(argv[inner].text, program, ctx);
      inner += sig->skip;
      // Options may follow the skipped words (`script -q /dev/null -c bash`,
      // `su root -c CMD`): read them too, so a command string there is seen.
      if (sig->skip > 0 && !sig->string_option.empty() && inner < argv.size() &&
          StartsWith(argv[inner].text, "-")) {
        ParsedArgs more;
        ParseOptions(argv, inner, sig, stop, &more);
        pa.opts.insert(pa.opts.end(), more.opts.begin(), more.opts.end());
        inner = more.rest;
      }
    }
    bool has_command = inner < argv.size();
    // URLs given to it (a package manager's `--index-url URL`, `git+https://`
    // requirements): for `urls:` clauses, beyond the loopback.
    struct UrlTarget {
      std::string host;
      int port;
      std::string_view url;
    };
    std::vector<UrlTarget> url_targets;
    if (sig && sig->urls_clause) {
      auto add_url = [&](std::string_view text) {
        if (text.find("://") == std::string_view::npos || url_targets.size() >= 8) return;
        Url u = ParseUrl(text);
        if (u.valid && !u.host.empty() && !classify_internal::IsLoopback(u.host))
          url_targets.push_back({u.host, u.port, text});
      };
      for (const Opt& o : pa.opts)
        if (o.value) add_url(o.value_text);
      for (const Word* w : pa.positionals) add_url(w->text);
    }
    // stdout thrown away (`yes > /dev/null`): output nobody reads.
    bool discarded = false;
    for (uint32_t i = cmd.r0; i < cmd.r1; ++i) {
      const Redir& r = p->redirs_[i];
      if ((r.op == RedirOp::kOut || r.op == RedirOp::kAppend) && (r.fd == -1 || r.fd == 1) &&
          r.target.text == "/dev/null")
        discarded = true;
    }

    // Base capability and conditions.
    bool suppressed = false;
    if (sig) {
      for (const auto& c : sig->when)
        if (c.suppress && ConditionHolds(c, argv, 1, pa, has_command, discarded, !url_targets.empty())) suppressed = true;
    }
    // Hosts for net facts.
    struct Target {
      std::string host;
      int port;
      std::string_view url;
    };
    std::vector<Target> targets;
    if (sig) {
      switch (sig->host) {
        case HostMode::kUrls:
          for (const Word* w : pa.positionals) {
            std::string_view a = w->text;
            if (a.find('.') == std::string_view::npos && a.find("://") == std::string_view::npos &&
                a != "localhost" && a.find(':') == std::string_view::npos)
              continue;
            if (a.find("://") == std::string_view::npos && (a[0] == '/' || a[0] == '.'))
              continue;
            Url u = ParseUrl(a);
            if (u.valid) {
              size_t dollar = u.host.find('$');
              if (dollar != std::string::npos) u.host.resize(dollar);
              targets.push_back({u.host, u.port, a});
            }
          }
          for (const Opt& o : pa.opts)
            if (o.is_long && o.name == "url" && o.value) {
              Url u = ParseUrl(o.value_text);
              if (u.valid) targets.push_back({u.host, u.port, o.value_text});
            }
          break;
        case HostMode::kUserHost:
          if (!pa.positionals.empty()) {
            std::string_view a = pa.positionals[0]->text;
            if (a.find("://") != std::string_view::npos) {
              Url u = ParseUrl(a);
              if (u.valid) targets.push_back({u.host, u.port, a});
            } else {
              std::string_view h;
              int pt = -1;
              SplitUserHost(a, &h, &pt);
              targets.push_back({std::string(h), pt, {}});
            }
          }
          break;
        case HostMode::kHostPort: {
          std::string_view h;
          int pt = -1;
          for (const Word* w : pa.positionals) {
            if (h.empty()) {
              h = w->text;
            } else if (pt < 0) {
              std::string_view ps = w->text;
              if (auto pp = ParsePort(ps.substr(0, ps.find('-')))) pt = *pp;
            }
          }
          if (!h.empty()) targets.push_back({std::string(h), pt, {}});
          break;
        }
        case HostMode::kTargets:
          for (const Word* w : pa.positionals)
            if (LooksLikeTarget(w->text) && targets.size() < 8)
              targets.push_back({std::string(w->text), -1, {}});
          break;
        case HostMode::kRemoteSpec: {
          bool upload = false;
          std::string_view h;
          for (size_t i = 0; i < pa.positionals.size(); ++i) {
            std::string_view rh;
            if (RemoteSpec(pa.positionals[i]->text, &rh)) {
              h = rh;
              if (i + 1 == pa.positionals.size() && i > 0) upload = true;
            }
          }
          remote_host_ = std::string(h);
          if (!h.empty()) {
            int pt = -1;
            const Opt* po = nullptr;
            if (sig->port_option && HasOpt(pa, std::string("-") + sig->port_option, &po) && po->value)
              if (auto pp = ParsePort(po->value_text)) pt = *pp;
            std::string hs(h);
            if (upload)
              Emit(cap::kNetEgressUpload, "copies local files to a remote host", program, command, hs, pt);
            Emit(sig->capability.empty() ? cap::kNetEgressSsh : std::string_view(sig->capability),
                 sig->detail, program, command, hs, pt);
          }
          break;
        }
        case HostMode::kSocat:
          for (const Word* w : pa.positionals) {
            std::string_view a = w->text;
            size_t c1 = a.find(':');
            if (c1 == std::string_view::npos) continue;
            std::string_view kind = a.substr(0, c1);
            if (StrContains(AsciiUpper(kind), "LISTEN")) continue;
            std::string_view rest = a.substr(c1 + 1);
            rest = rest.substr(0, rest.find(','));
            size_t c2 = rest.rfind(':');
            if (c2 == std::string_view::npos) continue;
            int pt = -1;
            if (auto pp = ParsePort(rest.substr(c2 + 1))) pt = *pp;
            targets.push_back({std::string(rest.substr(0, c2)), pt, {}});
          }
          break;
        case HostMode::kNone:
          break;
      }
      for (const std::string& ho : sig->host_options) {
        const Opt* o = nullptr;
        std::string_view value;
        if (HasOpt(pa, ho, &o) && o->value) {
          value = o->value_text;
        } else if (ho.size() > 2 && ho[1] != '-') {
          // Single-dash long options (openssl -connect HOST:PORT).
          for (size_t i = 1; i + 1 < argv.size() && value.empty(); ++i)
            if (argv[i].text == ho) value = argv[i + 1].text;
        }
        if (!value.empty()) {
          std::string_view h;
          int pt = -1;
          SplitUserHost(value, &h, &pt);
          targets.push_back({std::string(h), pt, {}});
        }
      }
      if (sig->port_option && sig->host != HostMode::kRemoteSpec) {
        const Opt* po = nullptr;
        if (HasOpt(pa, std::string("-") + sig->port_option, &po) && po->value)
          if (auto pp = ParsePort(po->value_text))
            for (Target& t : targets)
              if (t.port < 0) t.port = *pp;
      }
    }
    auto emit_net = [&](std::string_view cap, std::string_view detail) {
      if (targets.empty()) {
        Emit(cap, detail, program, command);
        return;
      }
      for (const Target& t : targets) Emit(cap, detail, program, command, t.host, t.port, t.url);
    };
    if (sig && !sig->capability.empty() && !suppressed && sig->host != HostMode::kRemoteSpec) {
      if (StartsWith(sig->capability, "net.")) emit_net(sig->capability, sig->detail);
      else Emit(sig->capability, sig->detail, program, command);
    }
    if (sig) {
      for (const auto& c : sig->when) {
        // A suppress clause with a capability replaces the base one with it.
        if ((c.suppress && c.capability.empty()) ||
            !ConditionHolds(c, argv, 1, pa, has_command, discarded, !url_targets.empty()))
          continue;
        if (c.urls) {
          for (const UrlTarget& t : url_targets)
            Emit(c.capability, c.detail, program, command, t.host, t.port, t.url);
        } else if (!c.host.empty() || !c.host_options.empty()) {
          std::string h = c.host;
          int pt = c.port;
          std::string hstore;
          for (const std::string& ho : c.host_options) {
            const Opt* o = nullptr;
            if (HasOpt(pa, ho, &o) && o->value) {
              Url u = ParseUrl(o->value_text);
              if (u.valid) h = u.host, pt = u.port;
            }
          }
          Emit(c.capability, c.detail, program, command, h, pt);
        } else if (StartsWith(c.capability, "net.")) {
          emit_net(c.capability, c.detail);
        } else {
          Emit(c.capability, c.detail, program, command);
        }
      }
    }
    for (const Target& t : targets) CheckDestination(t.host, t.port, {}, {}, program, command);
    if (sig && sig->stdin_upload && !targets.empty()) {
      bool fed = cmd.pipe_from.valid();
      for (uint32_t i = cmd.r0; i < cmd.r1; ++i) {
        const Redir& r = p->redirs_[i];
        if ((r.op == RedirOp::kIn && (r.fd <= 0) && !StartsWith(r.target.text, "/dev/")) ||
            r.op == RedirOp::kHerestring)
          fed = true;
      }
      if (fed) emit_net(cap::kNetEgressUpload, "sends local data to a remote host");
    }
    // Probes over variable hosts/ports in loops and xargs are scans.
    if (sig && sig->probe) {
      bool variable = false;
      for (const Word* w : pa.positionals)
        variable |= (w->flags & kDynamic) != 0 || StrContains(w->text, "{}") ||
                    w->text.find('$') != std::string_view::npos;
      bool range = false;
      for (const Target& t : targets) range |= t.host.find('/') != std::string::npos;
      if ((ctx.in_loop && (variable || pa.positionals.empty())) || range)
        emit_net(cap::kNetScan, "probes a range of hosts or ports");
    }

    // Files.
    auto file_args = [&](FileArgs mode, FileAccess access) {
      if (mode == FileArgs::kNone) return;
      size_t n = pa.positionals.size();
      for (size_t i = 0; i < n; ++i) {
        bool take = mode == FileArgs::kPositionals || (mode == FileArgs::kLast && i + 1 == n) ||
                    (mode == FileArgs::kAllButLast && i + 1 < n) || (mode == FileArgs::kFirst && i == 0);
        if (take) FileFact(access, pa.positionals[i]->text, program, command, access != FileAccess::kRead);
      }
    };
    const Word* write_target = nullptr;
    if (sig) {
      file_args(sig->writes, FileAccess::kWrite);
      for (const std::string& wo : sig->write_if_options)
        if (HasOpt(pa, wo)) {
          file_args(FileArgs::kPositionals, FileAccess::kWrite);
          break;
        }
      file_args(sig->deletes, FileAccess::kDelete);
      if (sig->writes == FileArgs::kLast && !pa.positionals.empty()) write_target = pa.positionals.back();
      for (const std::string& wo : sig->write_options) {
        const Opt* o = nullptr;
        if (HasOpt(pa, wo, &o) && o->value) {
          FileFact(FileAccess::kWrite, o->value_text, program, command, true);
          if (!(o->value->flags & kDynamic)) option_targets_.push_back(NormalizePath(o->value_text));
        }
      }
      if (write_target != nullptr && !HasOpt(pa, "-t") && !HasOpt(pa, "--target-directory"))
        CopyWrittenFiles(pa.positionals, program);
    }
    // dd of=FILE.
    for (size_t i = 1; i < argv.size(); ++i)
      if (StartsWith(argv[i].text, "of=") && program == "dd")
        FileFact(FileAccess::kWrite, argv[i].text.substr(3), program, command, true);
    // Generic checks on every argument and option value.
    if (!(sig && (sig->role == Role::kLauncher || sig->role == Role::kXargs))) {
      for (size_t i = 1; i < argv.size(); ++i) {
        bool wt = write_target == &argv[i] || (sig && (sig->writes == FileArgs::kPositionals ||
                                                       sig->inspects_only));
        bool optval = i > 1 && argv[i - 1].text.size() > 1 && argv[i - 1].text[0] == '-';
        GenericArg(argv[i], optval || argv[i].text.find('=') != std::string_view::npos, wt, program, ctx);
      }
    } else {
      for (const Opt& o : pa.opts)
        if (o.value) GenericArg(*o.value, true, false, program, ctx);
    }

    if (!sig || sig->destinations) WordDestinations(argv, 1, program, command);
    if (!sig) return;
    CommandOptions(*sig, argv, program, ctx);
    switch (sig->role) {
      case Role::kLauncher: {
        if (!sig->string_option.empty()) {
          const Opt* o = nullptr;
          if (HasOpt(pa, sig->string_option, &o) && o->value) {
            if (o->value->flags & kCommandSubst) {
              if (o->value->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
              else Unanalyzable("runs a computed command string", command, program);
            } else {
              AnalyzeStarted(o->value_text, ctx, sig->shell_escape ? program : std::string_view());
            }
            return;
          }
        }
        if (!has_command) return;
        if (sig->string_rest) {
          std::string s = JoinWords(argv, inner);
          bool dyn = false;
          for (size_t i = inner; i < argv.size(); ++i) dyn |= (argv[i].flags & kCommandSubst) != 0;
          if (dyn) Unanalyzable("runs a computed command string", command, program);
          else AnalyzeStarted(s, ctx, sig->shell_escape ? program : std::string_view());
          return;
        }
        if (sig->capability == cap::kProcessBackground) ctx.background = true;
        if (sig->shell_escape) ctx.launched_by = program;
        argv.erase(argv.begin(), argv.begin() + static_cast<long>(inner));
        continue;
      }
      case Role::kXargs:
        ctx.in_loop = true;
        ctx.launched_by = program;
        if (pa.rest >= argv.size()) return;
        argv.erase(argv.begin(), argv.begin() + static_cast<long>(pa.rest));
        continue;
      case Role::kFind: {
        for (size_t i = 1; i < argv.size(); ++i) {
          std::string_view a = argv[i].text;
          if (a == "-exec" || a == "-execdir" || a == "-ok" || a == "-okdir") {
            size_t e = i + 1;
            while (e < argv.size() && argv[e].text != ";" && argv[e].text != "+") ++e;
            std::vector<Word> sub(argv.begin() + static_cast<long>(i + 1), argv.begin() + static_cast<long>(e));
            // {} stands for each file found: use the first start path.
            if (argv.size() > 1 && argv[1].text[0] != '-')
              for (Word& sw : sub)
                if (sw.text == "{}") sw.text = argv[1].text;
            Ctx c2 = ctx;
            c2.in_loop = true;
            c2.depth = ctx.depth + 1;
            c2.launched_by = program;
            if (c2.depth > limits_.max_shell_depth)
              LimitExceeded("find -exec nested deeper than limits.max_shell_depth", command);
            AnalyzeArgv(p, std::move(sub), c2, nullptr);
            i = e;
          } else if (a == "-delete") {
            for (size_t k = 1; k < argv.size() && argv[k].text[0] != '-' && argv[k].text != "(" &&
                               argv[k].text != "!";
                 ++k)
              FileFact(FileAccess::kDelete, argv[k].text, program, command, true);
          } else if (a == "-fprint" || a == "-fprintf" || a == "-fls") {
            if (i + 1 < argv.size()) FileFact(FileAccess::kWrite, argv[i + 1].text, program, command, true);
          }
        }
        return;
      }
      case Role::kShell: {
        bool dash_c = false, dash_s = false;
        for (const Opt& o : pa.opts) {
          if (!o.is_long && o.name == "c") dash_c = true;
          if (!o.is_long && o.name == "s") dash_s = true;
        }
        if (dash_c) {
          if (pa.positionals.empty()) return;
          const Word* code = pa.positionals[0];
          if (ctx.in_loop && StrContains(code->text, "{}")) {
            Unanalyzable("runs command strings built from its input", command, program);
            return;
          }
          if (code->flags & kCommandSubst) {
            if (code->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
            else Unanalyzable("runs a computed command string", command, program);
          } else {
            // Variables inside the string stay as written: a variable in
            // program position is unanalyzable there.
            AnalyzeStarted(code->text, ctx, ctx.launched_by);
          }
          return;
        }
        if (!pa.positionals.empty() && !dash_s) {
          const Word* f = pa.positionals[0];
          if (f->flags & kProcessSubst) {
            if (f->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
            else Unanalyzable("runs generated code", command, program);
            return;
          }
          if (f->text != "/dev/stdin" && f->text != "-") {  // a script file
            RunsWrittenFile(f->text, {}, program, ctx);
            WordDestinations(argv, static_cast<size_t>(f - argv.data()) + 1, program, command);
            return;
          }
        }
        if (res) res->stdin_shell = true;
        if (StdinProgram(p, ctx, program, sig, false) && !ctx.launched_by.empty())
          Emit(cap::kShellEscape, StrCat("an interactive shell started by ", ctx.launched_by),
               program, command);
        return;
      }
      case Role::kScript: {
        // Code from -c / -e / -r / --eval, or the first positional (awk).
        const Word* code = nullptr;
        std::string_view code_text;
        for (const Opt& o : pa.opts) {
          if (!o.value) continue;
          bool is_code = false;
          for (const std::string& c : sig->code_options)
            is_code |= c.size() > 1 && c[0] == '-' && o.is_long == (c[1] == '-') &&
                       std::string_view(c).substr(o.is_long ? 2 : 1) == o.name;
          if (is_code) {
            code = o.value;
            code_text = o.value_text;
            if (o.value == &argv[0]) code = nullptr;
          }
          if (sig->language == "python" && !o.is_long && o.name == "m") {
            // python -m module args: the module runs like a program.
            std::vector<Word> sub;
            Word mod = *o.value;
            mod.text = o.value_text;
            mod.flags &= static_cast<uint16_t>(~(kPartialQuote | kEscaped));
            mod.raw = mod.text;
            sub.push_back(mod);
            // Everything after the module name is the module's (`-m http.server --bind ADDR`).
            for (size_t i = static_cast<size_t>(o.value - argv.data()) + 1; i < argv.size(); ++i)
              sub.push_back(argv[i]);
            argv = std::move(sub);
            code_text = "\x01";
            break;
          }
        }
        if (code_text == "\x01") continue;
        if (sig->language == "awk" && !pa.positionals.empty()) {
          bool file = false;
          for (const Opt& o : pa.opts) file |= !o.is_long && o.name == "f";
          if (!file) {
            code = pa.positionals[0];
            code_text = code->text;
          }
        }
        if (code || !code_text.empty()) {
          if (code && (code->flags & kCommandSubst)) {
            if (code->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
            else Unanalyzable("runs computed code", command, program);
          } else {
            ScanScript(code_text, sig->language, ctx, program);
          }
          return;
        }
        if (!pa.positionals.empty()) {
          const Word* f = pa.positionals[0];
          if (f->flags & kProcessSubst) {
            if (f->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "runs downloaded code", program, command);
            else Unanalyzable("runs generated code", command, program);
            return;
          }
          if (f->text != "-" && f->text != "/dev/stdin") {  // a script file
            // A script the tables know by name (`ruby ./dnscat2.rb`) is that program.
            const ProgramSig* known = sig_.FindProgram(Basename(f->text));
            if (known && !known->capability.empty() && known->role != Role::kScript)
              Emit(known->capability, known->detail, Basename(f->text), command);
            RunsWrittenFile(f->text, sig->language, program, ctx);
            WordDestinations(argv, static_cast<size_t>(f - argv.data()) + 1, program, command);
            return;
          }
        }
        if (res) res->stdin_shell = true;
        StdinProgram(p, ctx, program, sig, true);
        return;
      }
      case Role::kEval: {
        bool dyn = false, net = false;
        for (size_t i = 1; i < argv.size(); ++i) {
          dyn |= (argv[i].flags & (kDynamic)) != 0;
          net |= (argv[i].flags & kSubstNet) != 0;
        }
        if (net) Emit(cap::kProcessRemoteCode, "evaluates downloaded code", program, command);
        if (dyn && argv.size() == 2 && EvalsShellSetup(sig_, argv[1].raw)) return;  // the substitution was analyzed
        if (dyn) Unanalyzable("eval of a computed string", command, program);
        else AnalyzeNested(JoinWords(argv, 1), ctx);
        return;
      }
      case Role::kSource: {
        if (pa.positionals.empty()) return;
        const Word* f = pa.positionals[0];
        if (f->flags & kProcessSubst) {
          if (f->flags & kSubstNet) Emit(cap::kProcessRemoteCode, "sources downloaded code", program, command);
          else Unanalyzable("sources generated code", command, program);
        } else if (f->text == "/dev/stdin" || f->text == "-") {
          StdinProgram(p, ctx, program, sig, false);
        } else {
          RunsWrittenFile(f->text, {}, program, ctx);
        }
        return;
      }
      case Role::kCrontab: {
        // The commands of a crontab fed as literal text are analyzed.
        std::string text;
        for (int i = cmd.pipe_from.begin; cmd.pipe_from.valid() && i < cmd.pipe_from.end; ++i)
          if (p->results_[i].literal_echo) text += p->results_[i].echo_text + "\n";
        for (uint32_t i = cmd.r0; i < cmd.r1; ++i)
          if (p->redirs_[i].op == RedirOp::kHeredoc) text += std::string(p->redirs_[i].body);
        size_t start = 0;
        while (start < text.size()) {
          size_t eol = text.find('\n', start);
          if (eol == std::string::npos) eol = text.size();
          std::string_view line = std::string_view(text).substr(start, eol - start);
          start = eol + 1;
          size_t skip = line.starts_with("@") ? 1 : 5;
          size_t k = 0;
          for (size_t f = 0; f < skip && k < line.size(); ++f) {
            while (k < line.size() && line[k] == ' ') ++k;
            while (k < line.size() && line[k] != ' ') ++k;
          }
          // /etc/crontab lines carry a user name too; an unknown program is harmless.
          if (k < line.size()) AnalyzeString(line.substr(k), ctx.depth + 1);
        }
        return;
      }
      case Role::kAlias:
        for (const Word* w : pa.positionals) {
          size_t eq = w->text.find('=');
          if (eq != std::string_view::npos) aliases.insert(std::string(w->text.substr(0, eq)));
        }
        return;
      default:
        return;
    }
  }
}

// ------------------------------------------------------ inline code look

void Analyzer::ScanScript(std::string_view code, std::string_view language, const Ctx& ctx,
                          std::string_view program) {
  if (ctx.depth + 1 > limits_.max_shell_depth)
    LimitExceeded("inline code nested deeper than limits.max_shell_depth", code);
  const auto& s = sig_.scripts();
  std::string_view command = ctx.cmd ? ctx.cmd->text : code;
  std::vector<Literal> lits = Literals(code);
  const Trigrams tri(code);
  // Destination: a literal host followed by a port, a host:port literal.
  std::string_view host;
  int port = -1;
  for (size_t i = 0; i < lits.size() && host.empty(); ++i) {
    std::string_view t = lits[i].text;
    if (t.empty() || t.size() > 253 || t.find_first_of(" /\\$%{}") != std::string_view::npos) continue;
    bool hostish = ParseIp(t).has_value() ||
                   (t.find('.') != std::string_view::npos && absl::ascii_isalpha(static_cast<unsigned char>(t.back())));
    if (!hostish) continue;
    size_t k = lits[i].end;
    while (k < code.size() && (code[k] == ',' || code[k] == ' ')) ++k;
    size_t e = k;
    while (e < code.size() && absl::ascii_isdigit(static_cast<unsigned char>(code[e]))) ++e;
    if (e > k) {
      if (auto pp = ParsePort(code.substr(k, e - k))) {
        host = t;
        port = *pp;
      }
    }
  }
  // A literal IP address with a port beside it is where the code connects,
  // whatever it calls the socket (`a=__import__; a("socket")...`).
  bool literal_ip = ParseIp(host).has_value() &&
                    (std::count(host.begin(), host.end(), '.') == 3 || host.find(':') != std::string_view::npos);
  bool socket = AnyOf(code, tri, s.socket) || literal_ip;
  bool spawn = AnyOf(code, tri, s.spawn);
  if (socket && spawn) {
    Emit(cap::kNetReverseShell, StrCat(language, " code connecting a shell to a socket"), program, command, host, port);
  } else if (socket && AnyOf(code, tri, s.listen)) {
    Emit(cap::kNetListen, StrCat(language, " code listening on a socket"), program, command, host, port);
  } else if (socket) {
    Emit(cap::kNetEgress, StrCat(language, " code opening a socket"), program, command, host, port);
  } else if (AnyOf(code, tri, s.listen)) {
    Emit(cap::kNetListen, StrCat(language, " code starting a server"), program, command);
  }
  if (!host.empty()) CheckDestination(host, port, {}, {}, program, command);
  bool http = AnyOf(code, tri, s.http);
  bool url_found = false;
  for (const Literal& l : lits) {
    size_t se = l.text.find("://");
    if (se == std::string_view::npos) continue;
    Url u = ParseUrl(l.text);
    if (!u.valid) continue;
    url_found = true;
    if (http) Emit(cap::kNetEgressHttp, StrCat(language, " code fetching a URL"), program, command, u.host, u.port, l.text);
    if (http && AnyOf(code, tri, s.upload))
      Emit(cap::kNetEgressUpload, StrCat(language, " code sending data to a URL"), program, command, u.host, u.port, l.text);
    CheckDestination(u.host, u.port, l.text, u.scheme, program, command);
  }
  if (http && !url_found && AnyOf(code, tri, s.http_calls))
    Emit(cap::kNetEgressHttp, StrCat(language, " code using an HTTP or network client"), program, command);
  if (AnyOf(code, tri, s.decode) && AnyOf(code, tri, s.eval))
    Unanalyzable(StrCat(language, " code evaluating decoded data"), command, program);
  if (AnyOf(code, tri, s.env)) Emit(cap::kProcessEnvDump, "prints the whole environment", program, command);
  if (AnyOf(code, tri, s.mining)) Emit(cap::kComputeMining, "mining code", program, command);
  if (AnyOf(code, tri, s.burn)) Emit(cap::kComputeBurn, "code that multiplies processes", program, command);
  if (AnyOf(code, tri, s.probe))
    Emit(cap::kNetScan, StrCat(language, " code crafting or sending probe packets"), program, command);
  // Literal paths: secrets read, persistence written.
  bool writes = StrContains(code, "write") || StrContains(code, "'a'") ||
                StrContains(code, "\"a\"") || StrContains(code, "'w'") ||
                StrContains(code, "\"w\"") || StrContains(code, ">>");
  for (const Literal& l : lits) {
    std::string_view t = l.text;
    if (t.size() < 2 || t.size() > 512) continue;
    if (!(t[0] == '/' || t[0] == '~' || StartsWith(t, "$HOME") || t[0] == '.')) continue;
    if (t.find_first_of(" \n") != std::string_view::npos) continue;
    FileFact(FileAccess::kRead, t, program, command, false);
    if (writes) FileFact(FileAccess::kWrite, t, program, command, false);
  }
  // Shell commands inside the code.
  for (const auto& call : s.shell_calls) {
    bool lang = false;
    for (const std::string& l : call.languages) lang |= l == language;
    if (!lang) continue;
    if (!tri.MayContain(call.call)) continue;
    for (size_t at = code.find(call.call); at != std::string_view::npos;
         at = code.find(call.call, at + 1)) {
      size_t begin = at + call.call.size();
      std::string joined;
      if (call.call == "`" || call.call == "$`") {
        size_t e = code.find('`', begin);
        if (e == std::string_view::npos) break;
        joined = std::string(code.substr(begin, e - begin));
        at = e;
      } else {
        // The literals inside the call's parentheses (or to the line end).
        int level = call.call.back() == '(' ? 1 : 0;
        size_t end = begin;
        // An options object or keyword dict (`{stdio: "inherit"}`) holds no
        // part of the command.
        size_t options = std::string_view::npos;
        for (; end < code.size(); ++end) {
          char c = code[end];
          if (c == '\'' || c == '"') {
            char q = c;
            for (++end; end < code.size() && code[end] != q; ++end)
              if (code[end] == '\\') ++end;
            continue;
          }
          if (c == '{' && options == std::string_view::npos) options = end;
          if (c == '(') ++level;
          if (c == ')' && --level <= 0) break;
          if (level == 0 && (c == '\n' || c == ';')) break;
        }
        std::string_view first_literal;
        int literals = 0;
        const bool list_form = StrContains(code.substr(begin, end - begin), "[");
        bool computed_program = false;
        for (const Literal& l : lits) {
          if (l.end <= begin || l.end > end + 1 || (options != std::string_view::npos && l.end > options))
            continue;
          // os.execl("/bin/sh", "sh", ...): the second is the program's argv[0].
          if (literals++ == 1 && StrContains(call.call, "exec") && l.text == Basename(first_literal))
            continue;
          if (literals == 1) {
            first_literal = l.text;
            // [sys.executable, "-c", CODE]: the program is the interpreter itself.
            std::string_view before = code.substr(begin, static_cast<size_t>(l.text.data() - code.data()) - begin);
            if (language == "python" && StrContains(before, "sys.executable")) {
              joined = "python3";
            } else if (list_form) {
              // What stands before the first literal's quotes (and string prefix: r'', b'').
              while (!before.empty() && (before.back() == '\'' || before.back() == '"')) before.remove_suffix(1);
              if (!before.empty() && StrContains("rRbBuUfF", before.substr(before.size() - 1)) &&
                  (before.size() == 1 || !absl::ascii_isalnum(static_cast<unsigned char>(before[before.size() - 2]))))
                before.remove_suffix(1);
              // [cmd, "-x"]: the program is a variable.
              computed_program = StripAsciiWhitespace(before).find_first_not_of("[( \t\n") != std::string_view::npos;
            }
          }
          if (!joined.empty()) joined.push_back(' ');
          if (list_form) {
            AppendShellWord(l.text, &joined);  // an argv list: each literal is one word
          } else {
            joined.append(l.text.data(), l.text.size());
          }
        }
        if (computed_program && in_written_file_ == 0) {
          Unanalyzable(StrCat(language, " code runs a computed program"), command, program);
          continue;
        }
      }
      if (joined.empty() && call.call.back() == ' ') {
        // `spawn sh` (expect), words rather than a string literal.
        size_t end = begin;
        while (end < code.size() && code[end] != '\n' && code[end] != ';' && code[end] != ']' &&
               code[end] != '"' && code[end] != '\'')
          ++end;
        std::string_view words = StripAsciiWhitespace(code.substr(begin, end - begin));
        if (words.find('$') == std::string_view::npos) {
          joined = std::string(words);
        } else if (in_written_file_ == 0) {
          Unanalyzable(StrCat(language, " code runs a computed command"), command, program);
          continue;
        }
      }
      if (!joined.empty()) {
        std::string_view saved = escape_from_;
        if (escape_from_.empty()) escape_from_ = program;
        AnalyzeString(joined, ctx.depth + 1);
        escape_from_ = saved;
      } else if (call.call != "exec(" && call.call != "`" && call.call != "open(" &&
                 call.call != "spawn(" && call.call.back() == '(') {
        size_t close = code.find(')', begin);
        std::string_view inside = code.substr(begin, close == std::string_view::npos ? 0 : close - begin);
        // In a script file, `subprocess.run(cmd)` is ordinary programming:
        // the file's literal commands, hosts and paths are what is judged.
        if (inside.find_first_not_of(" \t") != std::string_view::npos && in_written_file_ == 0)
          Unanalyzable(StrCat(language, " code runs a computed shell command"), command, program);
      }
    }
  }
}

}  // namespace

void AnalyzeShell(std::string_view command, const Limits& limits, FactList* out,
                  const FileMemory* memory, FileWrites* writes) {
  const Signatures& sig = GetSignatures();
  if (!sig.ok()) {
    Fact f;
    f.capability = std::string(cap::kShellUnanalyzable);
    f.detail = "signature tables failed to load: " + sig.error();
    f.command = std::string(command.substr(0, 4096));
    out->push_back(std::move(f));
    return;
  }
  if (static_cast<int64_t>(command.size()) > limits.max_argument_bytes) {
    Fact f;
    f.capability = std::string(cap::kLimitExceeded);
    f.detail = "command longer than limits.max_argument_bytes";
    f.command = std::string(command.substr(0, 256));
    out->push_back(std::move(f));
    return;
  }
  Limits capped = limits;  // no stack overflow whatever the caller's limits
  if (capped.max_shell_depth > kMaxShellDepthCeiling) capped.max_shell_depth = kMaxShellDepthCeiling;
  Analyzer a(capped, out, memory);
  try {
    a.AnalyzeString(command, 0);
    if (writes != nullptr) a.ExportWrites(writes);
  } catch (const Abort&) {
  } catch (const std::exception& e) {
    Fact f;
    f.capability = std::string(cap::kShellUnanalyzable);
    f.detail = std::string("internal error: ") + e.what();
    f.command = std::string(command.substr(0, 4096));
    out->push_back(std::move(f));
  }
}

void AppendShellWord(std::string_view word, std::string* out) {
  if (!word.empty() && std::all_of(word.begin(), word.end(), IsSafeShellChar)) {
    out->append(word);
    return;
  }
  out->push_back('\'');
  for (char c : word) {
    if (c == '\'') out->append("'\\''");
    else out->push_back(c);
  }
  out->push_back('\'');
}

}  // namespace rewardguard
