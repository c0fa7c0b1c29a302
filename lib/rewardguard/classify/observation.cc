#include "rewardguard/classify/observation.h"

#include <algorithm>
#include <iterator>
#include <cmath>
#include <type_traits>
#include <variant>
#include <vector>

#include "fmt/format.h"
#include "rewardguard/classify/internal/signatures.h"
#include "rewardguard/classify/shell.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/json.h"
#include "simdjson.h"

namespace rewardguard {
namespace {

constexpr size_t kMaxCommandBytes = 512;  // of the line kept in a fact

std::string Truncated(std::string_view line) {
  return std::string(line.substr(0, kMaxCommandBytes));
}

void Malformed(std::string_view line, std::string detail, FactList* out) {
  Fact& f = out->emplace_back();
  f.capability = std::string(cap::kToolMalformed);
  f.command = Truncated(line);
  f.detail = fmt::format("sandbox observation: {}", detail);
}

std::string LowerHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string out(host);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  while (!out.empty() && out.back() == '.') out.pop_back();  // "metadata." is "metadata"
  return out;
}

// Reads an optional integer field; false if present but not an integer.
bool OptionalInt(simdjson::dom::object object, std::string_view key, int64_t* out) {
  simdjson::dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) return true;
  if (value.get_int64().get(*out) == simdjson::SUCCESS) return true;
  // 3.0 is fine; 3.5 is not.
  double d;
  if (value.get_double().get(d) == simdjson::SUCCESS && std::floor(d) == d &&
      std::fabs(d) < 9e15) {
    *out = static_cast<int64_t>(d);
    return true;
  }
  return false;
}

// Reads an optional string field; false if present but not a string.
bool OptionalString(simdjson::dom::object object, std::string_view key, std::string_view* out) {
  simdjson::dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) return true;
  return value.get_string().get(*out) == simdjson::SUCCESS;
}

void NetConnect(simdjson::dom::object object, std::string_view line, FactList* out) {
  std::string_view host_text, protocol = "tcp", direction = "outbound";
  int64_t port = -1;
  if (!OptionalString(object, "host", &host_text) || host_text.empty())
    return Malformed(line, "`net.connect` needs a string field `host`", out);
  if (!OptionalInt(object, "port", &port) || port < -1 || port > 65535)
    return Malformed(line, "field `port` must be an integer in 0..65535", out);
  if (!OptionalString(object, "protocol", &protocol))
    return Malformed(line, "field `protocol` must be a string", out);
  if (!OptionalString(object, "direction", &direction))
    return Malformed(line, "field `direction` must be a string", out);
  Connection c;
  if (direction == "outbound" || direction == "out" || direction == "egress") {
    c.direction = Connection::Direction::kOutbound;
  } else if (direction == "inbound" || direction == "in" || direction == "ingress") {
    c.direction = Connection::Direction::kInbound;
  } else if (direction == "listen") {
    c.direction = Connection::Direction::kListen;
  } else {
    return Malformed(line,
                     fmt::format("unknown direction `{}`; expected outbound, inbound or listen",
                                 direction),
                     out);
  }
  c.host = std::string(host_text);
  c.port = static_cast<int32_t>(port);
  c.protocol = std::string(protocol);
  ClassifyConnection(c, line, out);
}

void ProcessStartJson(simdjson::dom::object object, std::string_view line, const Limits& limits,
                      FactList* out) {
  simdjson::dom::array argv_json;
  if (object["argv"].get_array().get(argv_json) != simdjson::SUCCESS)
    return Malformed(line, "`process.start` needs an array field `argv`", out);
  ProcessStart p;
  for (simdjson::dom::element word : argv_json) {
    std::string_view s;
    if (word.get_string().get(s) != simdjson::SUCCESS)
      return Malformed(line, "every item of `argv` must be a string", out);
    p.argv.emplace_back(s);
  }
  ClassifyProcessStart(p, line, limits, out);
}

void GpuSampleJson(simdjson::dom::object object, std::string_view line, const Limits& limits,
                   FactList* out) {
  int64_t device = -1, pid = -1;
  std::string_view process;
  GpuSample g;
  if (!OptionalInt(object, "device", &device))
    return Malformed(line, "field `device` must be an integer", out);
  if (!OptionalInt(object, "pid", &pid))
    return Malformed(line, "field `pid` must be an integer", out);
  if (!OptionalString(object, "process", &process))
    return Malformed(line, "field `process` must be a string", out);
  simdjson::dom::element u;
  if (object["utilization"].get(u) == simdjson::SUCCESS && !u.is_null() &&
      u.get_double().get(g.utilization) != simdjson::SUCCESS)
    return Malformed(line, "field `utilization` must be a number", out);
  g.device = static_cast<int32_t>(device);
  g.pid = pid;
  g.process = std::string(process);
  ClassifyGpuSample(g, line, limits, out);
}

}  // namespace

void ClassifyConnection(const Connection& c, std::string_view source, FactList* out) {
  if (c.host.empty() || c.port < -1 || c.port > 65535) {
    Fact& f = out->emplace_back();
    f.capability = std::string(cap::kToolMalformed);
    f.command = Truncated(source);
    f.detail = "sandbox observation: a connection needs a host and a port in -1..65535";
    return;
  }
  const bool outbound = c.direction == Connection::Direction::kOutbound;
  const std::string host = LowerHost(c.host);
  const std::string at = c.port >= 0 ? fmt::format(" port {}", c.port) : "";
  Fact f;
  f.host = host;
  f.port = c.port;
  f.command = source.empty() ? fmt::format("{} {} {}{}", outbound ? "connect" : "listen",
                                           c.protocol, host, at)
                             : Truncated(source);
  if (outbound) {
    f.capability = c.port == 22 ? cap::kNetEgressSsh : cap::kNetEgress;
    f.detail = fmt::format("sandbox saw an outbound {} connection to {}{}", c.protocol, host, at);
  } else {
    f.capability = cap::kNetListen;
    f.detail = fmt::format("sandbox saw {} {}{}",
                           c.direction == Connection::Direction::kListen
                               ? "a listening socket on"
                               : "an inbound connection from",
                           host, at);
  }
  out->push_back(f);
  if (!outbound) return;
  // The destination signatures shell commands and URL tools are judged by:
  // the metadata service in any spelling, mining pools and their ports,
  // tunnel services.
  for (const classify_internal::HostRule* finding :
       classify_internal::GetSignatures().MatchDestination("", host, f.port)) {
    Fact extra = f;
    extra.capability = finding->capability;
    extra.detail = fmt::format("sandbox saw a connection to {}{}: {}", host, at, finding->detail);
    out->push_back(std::move(extra));
  }
}

void ClassifyProcessStart(const ProcessStart& p, std::string_view source, const Limits& limits,
                          FactList* out) {
  if (p.argv.empty() || p.argv.front().empty()) {
    return Malformed(source.empty() ? std::string_view("process.start") : source,
                     "`argv` must name a program", out);
  }
  AnalyzeShell(QuoteArgv(p.argv), limits, out);
}

void ClassifyGpuSample(const GpuSample& g, std::string_view source, const Limits& limits,
                       FactList* out) {
  const std::string_view process = g.process;
  Fact f;
  f.capability = cap::kComputeGpu;
  f.program = std::string(process.substr(process.rfind('/') + 1));
  std::string who = process.empty() ? std::string("an unnamed process")
                                    : fmt::format("`{}`", process);
  if (g.pid >= 0) who += fmt::format(" (pid {})", g.pid);
  f.detail = fmt::format("sandbox saw GPU {}{} used by {}",
                         g.device >= 0 ? std::to_string(g.device) : "?",
                         g.utilization >= 0 ? fmt::format(" at {}% utilization", g.utilization)
                                            : "",
                         who);
  f.command = source.empty() ? f.detail : Truncated(source);
  out->push_back(std::move(f));
  if (process.empty()) return;
  // The shell analyzer's signature table knows the miners by name.
  FactList named;
  AnalyzeShell(QuoteArgv({std::string(process)}), limits, &named);
  for (Fact& fact : named) {
    if (fact.capability != "compute" && !fact.capability.starts_with("compute.")) continue;
    fact.detail = fmt::format("{}: {}", fact.detail.empty() ? "known miner" : fact.detail,
                              out->back().detail);
    out->push_back(std::move(fact));
  }
}

void ClassifyObservation(const Observation& observation, const Limits& limits, FactList* out) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Connection>) {
          ClassifyConnection(o, "", out);
        } else if constexpr (std::is_same_v<T, ProcessStart>) {
          ClassifyProcessStart(o, "", limits, out);
        } else {
          ClassifyGpuSample(o, "", limits, out);
        }
      },
      observation);
}

std::string ObservationJson(const Connection& c) {
  std::string out = R"({"type":"net.connect","host":)";
  AppendJsonString(&out, c.host);
  if (c.port >= 0) fmt::format_to(std::back_inserter(out), R"(,"port":{})", c.port);
  out.append(R"(,"protocol":)");
  AppendJsonString(&out, c.protocol);
  out.append(R"(,"direction":")");
  switch (c.direction) {
    case Connection::Direction::kOutbound: out.append("outbound"); break;
    case Connection::Direction::kInbound: out.append("inbound"); break;
    case Connection::Direction::kListen: out.append("listen"); break;
  }
  out.append("\"}");
  return out;
}

std::string ObservationJson(const ProcessStart& p) {
  std::string out = R"({"type":"process.start","argv":[)";
  for (size_t i = 0; i < p.argv.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, p.argv[i]);
  }
  out.append("]}");
  return out;
}

std::string ObservationJson(const GpuSample& g) {
  std::string out = R"({"type":"gpu.sample")";
  if (g.device >= 0) fmt::format_to(std::back_inserter(out), R"(,"device":{})", g.device);
  if (g.utilization >= 0)
    fmt::format_to(std::back_inserter(out), R"(,"utilization":{})", g.utilization);
  if (!g.process.empty()) {
    out.append(R"(,"process":)");
    AppendJsonString(&out, g.process);
  }
  if (g.pid >= 0) fmt::format_to(std::back_inserter(out), R"(,"pid":{})", g.pid);
  out.push_back('}');
  return out;
}

std::string ObservationJson(const Observation& observation) {
  return std::visit([](const auto& o) { return ObservationJson(o); }, observation);
}

std::string QuoteArgv(absl::Span<const std::string> argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) out.push_back(' ');
    AppendShellWord(argv[i], &out);
  }
  return out;
}

void ParseObservation(std::string_view json_line, const Limits& limits, FactList* out,
                      ObservationInfo* info) {
  if (info != nullptr) *info = ObservationInfo();
  if (static_cast<int64_t>(json_line.size()) > limits.max_argument_bytes) {
    Fact& f = out->emplace_back();
    f.capability = std::string(cap::kLimitExceeded);
    f.command = Truncated(json_line);
    f.detail = fmt::format("sandbox observation of {} bytes exceeds the limit of {}",
                           json_line.size(), limits.max_argument_bytes);
    return;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(json_line.data(), json_line.size()).get(root) != simdjson::SUCCESS)
    return Malformed(json_line, "not valid JSON", out);
  if (root.get_object().get(object) != simdjson::SUCCESS)
    return Malformed(json_line, "expected a JSON object", out);
  std::string_view type;
  if (object["type"].get_string().get(type) != simdjson::SUCCESS)
    return Malformed(json_line, "expected a string field `type`", out);
  ObservationInfo where;
  where.type = std::string(type);
  for (auto [key, target] : {std::pair<const char*, int64_t*>{"env", &where.env},
                             {"episode", &where.episode}, {"step", &where.step}}) {
    if (!OptionalInt(object, key, target)) {
      if (info != nullptr) *info = where;
      return Malformed(json_line, fmt::format("field `{}` must be an integer", key), out);
    }
  }
  if (info != nullptr) *info = where;
  if (type == "net.connect") return NetConnect(object, json_line, out);
  if (type == "process.start") return ProcessStartJson(object, json_line, limits, out);
  if (type == "gpu.sample") return GpuSampleJson(object, json_line, limits, out);
  Malformed(json_line,
            fmt::format("unknown type `{}`; expected net.connect, process.start or gpu.sample",
                        type),
            out);
}

}  // namespace rewardguard
