// rewardguard/classify/internal/program_args.h
//
// The option grammar of the programs the signature tables know: a simple
// command's words split into options (with their values) and positionals as
// the program's own parser would (`-p22`, `-fNR 9000:..`, `--url=X`,
// `--port X` where the table says the option takes a value), the `when:`
// clauses of a signature checked against them, and the shapes a destination
// takes in an argument (`user@host`, `host:port`, `user@host:path`).
//
//   ParsedArgs pa;
//   ParseOptions(argv, 1, sig, /*stop_at_positional=*/false, &pa);
//   const Opt* port = nullptr;
//   if (HasOpt(pa, "-p", &port) && port->value) ...
//
// Private to classify/.
#ifndef REWARDGUARD_CLASSIFY_INTERNAL_PROGRAM_ARGS_H_
#define REWARDGUARD_CLASSIFY_INTERNAL_PROGRAM_ARGS_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "rewardguard/classify/internal/shell_syntax.h"
#include "rewardguard/classify/internal/signatures.h"

namespace rewardguard {
namespace classify_internal {

struct Opt {
  std::string_view name;  // "R" or "exec" (no dashes)
  bool is_long = false;
  const Word* value = nullptr;
  std::string_view value_text;
};

struct ParsedArgs {
  std::vector<Opt> opts;
  std::vector<const Word*> positionals;
  size_t rest = 0;  // launchers: index where the command starts
};

// POSIX/GNU-style option parsing driven by the signature (which short and
// long options take a value; `sig` may be null: no option takes one).
// `stop_at_positional`: options end at the first positional (launchers);
// `out->rest` is then its index.
void ParseOptions(const std::vector<Word>& argv, size_t from, const ProgramSig* sig,
                  bool stop_at_positional, ParsedArgs* out);

// Whether the option `written` ("-R", "--exec") was given; its parse in `found`.
bool HasOpt(const ParsedArgs& pa, std::string_view written, const Opt** found = nullptr);

// Whether every clause of `c` holds for argv[from..]. `has_command`: a
// launcher was given a command; `discarded`: stdout goes to /dev/null;
// `has_urls`: a URL beyond the loopback was given.
bool ConditionHolds(const Condition& c, const std::vector<Word>& argv, size_t from,
                    const ParsedArgs& pa, bool has_command, bool discarded, bool has_urls);

// "user@host", "host", "host:22", "[v6]:22" -> host and port (port unchanged
// when none is given). URLs are left to the caller.
void SplitUserHost(std::string_view s, std::string_view* host, int* port);

// "user@host:path" (scp/rsync remote spec) -> host; false for local paths.
bool RemoteSpec(std::string_view s, std::string_view* host);

// A word shaped like a scan or probe target: a name with a dot or colon, a
// variable, `localhost`.
bool LooksLikeTarget(std::string_view a);

}  // namespace classify_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_INTERNAL_PROGRAM_ARGS_H_
