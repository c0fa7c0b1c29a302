// rewardguard/classify/observation.h
//
// Sandbox observations: events the sandbox itself reports (connection
// attempts, process starts, GPU samples), classified into the same
// capabilities as tool calls, so that what the shell analysis missed is still
// judged by the policy, against the episode that caused it.
//
//   FactList facts;
//   ObservationInfo info;
//   ParseObservation(R"({"type":"net.connect","host":"203.0.113.5","port":22,)"
//                    R"("protocol":"tcp","direction":"outbound","env":3})",
//                    Limits{}, &facts, &info);
//   // facts[0]: net.egress.ssh host=203.0.113.5 port=22; info.env == 3
//   // eval/evaluator.h judges such a line: Evaluator::EvaluateObservationLine.
//
// One JSON object per line; the format is in docs/observations.md:
//   net.connect    {host, port?, protocol?, direction?: outbound|inbound|listen}
//                  outbound -> net.egress (net.egress.ssh on port 22);
//                  inbound, listen -> net.listen; 169.254.169.254 and other
//                  metadata endpoints -> also net.metadata
//   process.start  {argv: [...]} -> the shell analysis of argv, quoted
//   gpu.sample     {device?, utilization?, process?, pid?} -> compute.gpu,
//                  plus compute.mining when the process is a known miner
// and optionally env, episode, step (integers). Unknown keys are ignored.
//
// Never fails and never throws: a line that cannot be read, an unknown type
// or a missing field yields `tool.malformed` (fail closed); a line over
// `limits.max_argument_bytes` yields `limit.exceeded`. Thread-safe.
#ifndef REWARDGUARD_CLASSIFY_OBSERVATION_H_
#define REWARDGUARD_CLASSIFY_OBSERVATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "rewardguard/core/event.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/limits.h"

namespace rewardguard {

// The tool name observations are judged under (rules may test `tool:`).
inline constexpr std::string_view kSandboxTool = "sandbox";

// Where an observation happened, from its optional fields.
struct ObservationInfo {
  std::string type;  // as written; empty if the line has none
  int64_t env = 0;
  int64_t episode = 0;
  int64_t step = 0;
};

// Appends the facts of one observation line to `out`; fills `info` if given.
void ParseObservation(std::string_view json_line, const Limits& limits, FactList* out,
                      ObservationInfo* info = nullptr);

// The same classification for an observation held as a value (what a
// sandbox reports): appends its facts to `out`. `source`, where given, is
// kept as the facts' `command` (the JSON line it came from); otherwise a
// short description is. Never fails: a connection without a host, or an
// argv without a program, yields `tool.malformed`.
void ClassifyObservation(const Observation& observation, const Limits& limits, FactList* out);
void ClassifyConnection(const Connection& connection, std::string_view source, FactList* out);
void ClassifyProcessStart(const ProcessStart& process, std::string_view source,
                          const Limits& limits, FactList* out);
void ClassifyGpuSample(const GpuSample& sample, std::string_view source, const Limits& limits,
                       FactList* out);

// The observation as the JSON line ParseObservation reads back as the same
// observation (what an audit record keeps as the event's arguments):
//   {"type":"net.connect","host":"203.0.113.5","port":22,"protocol":"tcp","direction":"outbound"}
// Unknown values (port -1, device -1, ...) are left out.
std::string ObservationJson(const Connection& connection);
std::string ObservationJson(const ProcessStart& process);
std::string ObservationJson(const GpuSample& sample);
std::string ObservationJson(const Observation& observation);

// argv as one shell command line, each word quoted only where needed, so that
// the shell analyzer sees exactly these words: {"echo", "a b"} -> "echo 'a b'".
std::string QuoteArgv(absl::Span<const std::string> argv);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_OBSERVATION_H_
