// rewardguard/core/fact.h
//
// A Fact is what classification says about one event: one capability and the
// attributes rules can test. One tool call yields one or more facts (a shell
// pipeline `curl -s URL | sh` yields egress to a host and remote code
// execution).
//
//   Fact f{"net.egress.http"};
//   f.host = "example.com"; f.port = 443; f.url = "https://example.com/x";
#ifndef REWARDGUARD_CORE_FACT_H_
#define REWARDGUARD_CORE_FACT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"

namespace rewardguard {

// The attributes a rule condition can name. Text attributes are empty when
// unknown; `port` is -1 when unknown.
enum class Attribute : uint8_t {
  kProgram,  // program name as run, without its directory: "nmap"
  kHost,     // hostname or IP literal, lowercase: "203.0.113.5"
  kPort,     // TCP/UDP port
  kPath,     // filesystem path as written: "~/.ssh/id_rsa"
  kUrl,      // full URL: "stratum+tcp://pool.example:3333"
  kCommand,  // the command or argument text the fact came from
};

// Name as written in policy files ("program", "host", ...); nullopt-like
// empty view for an unknown value.
std::string_view AttributeName(Attribute attribute);
bool ParseAttribute(std::string_view name, Attribute* out);

struct Fact {
  std::string capability;  // dotted capability name
  std::string program;
  std::string host;
  std::string path;
  std::string url;
  std::string command;
  std::string detail;  // why classification concluded this (shown in reasons)
  int32_t port = -1;

  // The text value of `attribute`; the decimal port for kPort ("" if unknown).
  std::string Get(Attribute attribute) const;
};

using FactList = absl::InlinedVector<Fact, 2>;

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_FACT_H_
