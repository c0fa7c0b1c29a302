// rewardguard/audit/merge.h
//
// Joining audit databases: the trails that several processes wrote apart
// (one database per rollout worker, say) become one, run by run.
//
//   auto merged = MergeAuditDatabases("audit.db", {"worker-0.db", "worker-1.db"});
//   if (!merged.ok()) return merged.status();
//   merged->runs;     // runs copied
//   merged->events;   // events copied
//
// Every run of every input is copied with every record, in input order and,
// within an input, in run order, except a run the output already holds (the
// same name, policy sha256, start time and metadata: merged before), which
// is skipped and counted. Copied runs, their blocks and events get new ids
// (after those the output already holds), so runs stay distinct even when
// the inputs numbered theirs alike; names, policies, metadata and times are
// kept as written. The output is created if missing; one that exists keeps
// its runs and gains the new ones.
//
// Every input, and an existing output, is checked before anything is
// written (an existing output only read): a missing file, a file that is
// not an audit database, one of another schema version than this build's,
// an input given twice, or the output itself among the inputs is an error,
// and the output is left as it was. All inputs are then copied in one
// transaction: a failure leaves the output as it was (a created one is
// removed), so the merge can be rerun.
#ifndef REWARDGUARD_AUDIT_MERGE_H_
#define REWARDGUARD_AUDIT_MERGE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace rewardguard {

struct MergeResult {
  int64_t databases = 0;  // inputs merged
  int64_t runs = 0;       // runs copied
  int64_t events = 0;     // events copied
  int64_t flagged = 0;    // of them, flagged (action not allow, or a penalty)
  int64_t skipped = 0;    // runs the output already held, not copied again
};

// Copies every run of `inputs` into the audit database at `out` (see above).
// Errors: InvalidArgument (no inputs, one given twice, the output among
// them), NotFound (an input is missing), DataLoss (an input or the existing
// output is not an audit database),
// FailedPrecondition (another schema version), Unavailable (a database
// locked for longer than `busy_timeout_ms`), and the errors of writing `out`.
absl::StatusOr<MergeResult> MergeAuditDatabases(const std::string& out,
                                                absl::Span<const std::string> inputs,
                                                int busy_timeout_ms = 5000);

}  // namespace rewardguard

#endif  // REWARDGUARD_AUDIT_MERGE_H_
