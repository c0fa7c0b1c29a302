// rewardguard/classify/harness.h
//
// Agent harness commands: the command language a harness intercepts before
// any shell sees it, sent through the agent's shell tool. SWE-agent's
//
//   open src/app.py 40            edit 12:14
//   goto 120                      def solve(x):
//   create tests/test_app.py          return sorted(x)
//   submit                        end_of_edit
//
// are not shell: `edit`'s block is replacement text, and a shell analysis
// would call it unanalyzable. A policy names such commands under `harness:`
// (docs/policy-format.md), each with the capability it is judged as and,
// where one names a file, which argument. A command line counts as a harness
// command only when it is plain words (quotes allowed, no `;`, `|`, `&`,
// redirections, `$`, backquotes or parentheses): anything a shell could read
// as more than one program goes to the shell analysis as before, so naming a
// harness command never hides a shell command. Whatever follows the command
// (the lines after a one-line command, after a block's last line) is still
// shell and analyzed as such.
#ifndef REWARDGUARD_CLASSIFY_HARNESS_H_
#define REWARDGUARD_CLASSIFY_HARNESS_H_

#include <optional>
#include <string_view>

#include "absl/types/span.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/tool_spec.h"

namespace rewardguard {

// If `text` starts with one of `commands`, appends its fact to `out` and
// returns the text after it that a shell would still run (possibly empty);
// otherwise appends nothing and returns nullopt.
std::optional<std::string_view> ClassifyHarnessCommand(absl::Span<const HarnessCommand> commands,
                                                       std::string_view text, FactList* out);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_HARNESS_H_
