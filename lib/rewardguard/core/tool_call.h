// rewardguard/core/tool_call.h
//
// What the agent asked for: a tool name and its arguments. The arguments are
// either JSON text (an object, OpenAI/Anthropic function-call style) or a raw
// string such as a shell command. ToolCall is a view: the caller owns the
// bytes and keeps them alive for the duration of the evaluation.
//
//   ToolCall call{"http_get", R"({"url": "https://example.com"})"};
//   ToolCall shell = ToolCall::Raw("shell", "ls -la");
#ifndef REWARDGUARD_CORE_TOOL_CALL_H_
#define REWARDGUARD_CORE_TOOL_CALL_H_

#include <string_view>

namespace rewardguard {

struct ToolCall {
  enum class Format : unsigned char {
    kJson,  // `arguments` is JSON text: an object, or a string holding one
    kRaw,   // `arguments` is the value of the tool's single argument
  };

  std::string_view tool;
  std::string_view arguments;
  Format format = Format::kJson;

  static ToolCall Raw(std::string_view tool, std::string_view text) {
    return ToolCall{tool, text, Format::kRaw};
  }
};

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_TOOL_CALL_H_
