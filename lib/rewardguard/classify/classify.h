// rewardguard/classify/classify.h
//
// Classification: a tool call in, facts (capabilities with attributes) out.
// It knows capability *names* only; eval/ binds them to a compiled policy.
//
//   ToolSpec spec{"http_get", "net.egress.http"};
//   spec.arguments.url = "/url";
//   FactList facts;
//   ClassifyCall(&spec, {"http_get", R"({"url":"https://x.example"})"}, Limits{}, &facts);
//   // facts[0]: net.egress.http host=x.example port=443 url=https://x.example
//
// Never fails and never throws: arguments that cannot be read produce the
// fact `tool.malformed`, input over a limit `limit.exceeded`, a tool with no
// spec `tool.unknown`. Thread-safe.
#ifndef REWARDGUARD_CLASSIFY_CLASSIFY_H_
#define REWARDGUARD_CLASSIFY_CLASSIFY_H_

#include "rewardguard/classify/file_memory.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/limits.h"
#include "rewardguard/core/tool_call.h"
#include "rewardguard/core/tool_spec.h"

namespace rewardguard {

// Appends the facts of `call` to `out`. `spec` is the policy's mapping of
// `call.tool`, or nullptr if the policy maps no such tool. With `memory`
// (the env's files so far) a run of a remembered file is judged by what it
// holds; with `writes`, the files the call writes are appended to it, for
// the caller to apply to the memory once the call has run.
void ClassifyCall(const ToolSpec* spec, const ToolCall& call, const Limits& limits,
                  FactList* out, const FileMemory* memory = nullptr,
                  FileWrites* writes = nullptr);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_CLASSIFY_H_
