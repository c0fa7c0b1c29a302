#include "rewardguard/core/fact.h"

#include <array>

namespace rewardguard {
namespace {
constexpr std::array<std::string_view, 6> kNames = {
    "program", "host", "port", "path", "url", "command"};
}  // namespace

std::string_view AttributeName(Attribute attribute) {
  return kNames[static_cast<int>(attribute)];
}

bool ParseAttribute(std::string_view name, Attribute* out) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      *out = static_cast<Attribute>(i);
      return true;
    }
  }
  return false;
}

std::string Fact::Get(Attribute attribute) const {
  switch (attribute) {
    case Attribute::kProgram: return program;
    case Attribute::kHost: return host;
    case Attribute::kPort: return port < 0 ? std::string() : std::to_string(port);
    case Attribute::kPath: return path;
    case Attribute::kUrl: return url;
    case Attribute::kCommand: return command;
  }
  return std::string();
}

}  // namespace rewardguard
