// rewardguard/core/json.h
//
// Writing JSON string literals, the one piece of JSON output every stage
// needs (the CLI's verdict lines, audit exports and blocks).
//
//   std::string line = "{\"reason\":";
//   AppendJsonString(&line, "a \"quoted\" reason\n");  // "a \"quoted\" reason\n"
#ifndef REWARDGUARD_CORE_JSON_H_
#define REWARDGUARD_CORE_JSON_H_

#include <string>
#include <string_view>

namespace rewardguard {

// Appends `s` as a JSON string literal: quotes, `\"`, `\\`, `\n`, `\r`,
// `\t`, and `\u00XX` for the other control bytes. Bytes >= 0x80 are copied
// as they are (callers that may hold invalid UTF-8 must check).
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_JSON_H_
