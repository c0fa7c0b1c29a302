#include "rewardguard/classify/classify.h"

#include <optional>
#include <string>

#include "fmt/format.h"
#include "rewardguard/classify/harness.h"
#include "rewardguard/classify/internal/signatures.h"
#include "rewardguard/classify/paths.h"
#include "rewardguard/classify/shell.h"
#include "rewardguard/classify/url.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/core/net.h"
#include "rewardguard/core/strings.h"
#include "simdjson.h"

namespace rewardguard {
namespace {

// "/args/0" -> "$.args[0]", the way policy files write it.
std::string PointerToPath(std::string_view pointer) {
  std::string path = "$";
  size_t i = 0;
  while (i < pointer.size()) {
    size_t next = pointer.find('/', i + 1);
    std::string_view part = pointer.substr(i + 1, next - i - 1);
    bool index = !part.empty() && part.find_first_not_of("0123456789") == part.npos;
    path += index ? fmt::format("[{}]", part) : fmt::format(".{}", part);
    i = next == std::string_view::npos ? pointer.size() : next;
  }
  return path;
}

void AddSimple(std::string_view capability, std::string_view tool,
               std::string detail, FactList* out) {
  Fact fact;
  fact.capability = std::string(capability);
  fact.program = std::string(tool);
  fact.detail = std::move(detail);
  out->push_back(std::move(fact));
}

// The arguments a ToolSpec names, read from the call. Views point into the
// call or into the thread's parser; valid until the next parse.
struct Values {
  std::string_view command, url, host, path, program, content;
  int port = -1;
  bool has_content = false;  // the `content` the spec maps was a string
};

// Number of argument paths the spec names.
int CountArguments(const ToolSpec::Arguments& a) {
  // `content` is optional: not counted.
  return !a.command.empty() + !a.url.empty() + !a.host.empty() + !a.port.empty() +
         !a.path.empty() + !a.program.empty();
}

// Puts the raw text of a single-argument tool where its spec points.
bool AssignRaw(const ToolSpec::Arguments& a, std::string_view text, Values* v) {
  if (CountArguments(a) != 1) return false;
  if (!a.command.empty()) v->command = text;
  if (!a.url.empty()) v->url = text;
  if (!a.host.empty()) v->host = text;
  if (!a.path.empty()) v->path = text;
  if (!a.program.empty()) v->program = text;
  if (!a.port.empty()) {
    std::optional<int> port = ParsePort(text);
    if (!port) return false;
    v->port = *port;
  }
  return true;
}

// JSON parsers disagree on duplicate keys: simdjson's at_pointer() takes the
// first, Python's json (which runs the tool) the last. So a key that appears
// twice on the way to an argument would let `{"command": "ls", "command":
// "ssh -R ..."}` be judged as `ls`: such a call is malformed (fail closed).
bool UniqueAlongPointer(simdjson::dom::element root, std::string_view pointer) {
  simdjson::dom::element current = root;
  size_t i = 0;
  while (i < pointer.size()) {
    size_t next = pointer.find('/', i + 1);
    std::string_view token = pointer.substr(
        i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1);
    std::string key;  // RFC 6901: ~1 is '/', ~0 is '~'
    for (size_t k = 0; k < token.size(); ++k) {
      if (token[k] == '~' && k + 1 < token.size() && (token[k + 1] == '0' || token[k + 1] == '1')) {
        key += token[++k] == '0' ? '~' : '/';
      } else {
        key += token[k];
      }
    }
    simdjson::dom::object object;
    simdjson::dom::array array;
    if (current.get_object().get(object) == simdjson::SUCCESS) {
      int seen = 0;
      for (simdjson::dom::key_value_pair field : object) {
        if (field.key != key) continue;
        if (++seen > 1) return false;
        current = field.value;
      }
      if (seen == 0) return true;  // missing: reported by the caller
    } else if (current.get_array().get(array) == simdjson::SUCCESS) {
      size_t index = 0;
      if (key.empty() || key.find_first_not_of("0123456789") != std::string::npos ||
          key.size() > 9)
        return true;
      for (char c : key) index = index * 10 + static_cast<size_t>(c - '0');
      if (array.at(index).get(current) != simdjson::SUCCESS) return true;
    } else {
      return true;
    }
    i = next == std::string_view::npos ? pointer.size() : next;
  }
  return true;
}

// Reads every argument the spec names from `object`; on failure says why.
bool ReadArguments(const ToolSpec::Arguments& a, simdjson::dom::element object,
                   Values* v, std::string* error) {
  auto read_string = [&](const std::string& pointer, std::string_view* out) {
    if (pointer.empty()) return true;
    if (!UniqueAlongPointer(object, pointer)) {
      *error = fmt::format("argument `{}` appears more than once", PointerToPath(pointer));
      return false;
    }
    simdjson::dom::element value;
    if (object.at_pointer(pointer).get(value) != simdjson::SUCCESS) {
      *error = fmt::format("argument `{}` is missing", PointerToPath(pointer));
      return false;
    }
    if (value.get_string().get(*out) != simdjson::SUCCESS) {
      *error = fmt::format("argument `{}` is not a string", PointerToPath(pointer));
      return false;
    }
    return true;
  };
  if (!read_string(a.command, &v->command) || !read_string(a.url, &v->url) ||
      !read_string(a.host, &v->host) || !read_string(a.path, &v->path) ||
      !read_string(a.program, &v->program))
    return false;
  if (!a.port.empty()) {
    simdjson::dom::element value;
    int64_t number;
    std::string_view text;
    std::optional<int> port;
    if (!UniqueAlongPointer(object, a.port)) {
      *error = fmt::format("argument `{}` appears more than once", PointerToPath(a.port));
      return false;
    }
    if (object.at_pointer(a.port).get(value) != simdjson::SUCCESS) {
      *error = fmt::format("argument `{}` is missing", PointerToPath(a.port));
      return false;
    }
    if (value.get_int64().get(number) == simdjson::SUCCESS) {
      if (number >= 0 && number <= 65535) port = static_cast<int>(number);
    } else if (value.get_string().get(text) == simdjson::SUCCESS) {
      port = ParsePort(text);
    }
    if (!port) {
      *error = fmt::format("argument `{}` is not a port number", PointerToPath(a.port));
      return false;
    }
    v->port = *port;
  }
  // Optional: a write without it (or with something else) is remembered as
  // a file of unknown content.
  simdjson::dom::element content;
  if (!a.content.empty() && UniqueAlongPointer(object, a.content) &&
      object.at_pointer(a.content).get(content) == simdjson::SUCCESS &&
      content.get_string().get(v->content) == simdjson::SUCCESS)
    v->has_content = true;
  return true;
}

// Turns the call's arguments into Values: a JSON object, a JSON string
// holding a JSON object (OpenAI style), or raw text for one-argument tools.
bool ExtractValues(const ToolSpec& spec, const ToolCall& call, Values* v,
                   std::string* error) {
  if (call.format == ToolCall::Format::kRaw) {
    if (AssignRaw(spec.arguments, call.arguments, v)) return true;
    *error = "raw-text arguments need a tool that takes exactly one argument";
    return false;
  }
  thread_local simdjson::dom::parser parser;
  thread_local std::string inner;  // a JSON object that arrived as a string
  simdjson::dom::element root;
  if (parser.parse(call.arguments.data(), call.arguments.size()).get(root) !=
      simdjson::SUCCESS) {
    *error = "arguments are not valid JSON";
    return false;
  }
  std::string_view text;
  if (root.get_string().get(text) == simdjson::SUCCESS) {
    std::string_view stripped = StripAsciiWhitespace(text);
    if (stripped.empty() || stripped.front() != '{') {
      if (AssignRaw(spec.arguments, text, v)) return true;
      *error = "string arguments need a tool that takes exactly one argument";
      return false;
    }
    inner.assign(text);
    if (parser.parse(inner).get(root) != simdjson::SUCCESS) {
      *error = "arguments string is not a valid JSON object";
      return false;
    }
  }
  if (!root.is_object()) {
    *error = "arguments must be a JSON object";
    return false;
  }
  return ReadArguments(spec.arguments, root, v, error);
}

// What a structured file tool does to the remembered files: a write with a
// mapped `content` remembers it; any other write makes a remembered file
// generated (edited in ways not followed); a delete forgets it.
void NoteFileWrite(const ToolSpec& spec, const Values& v, const std::string& path,
                   const FileMemory* memory, FileWrites* writes) {
  if (path.empty()) return;
  using Origin = FileMemory::Origin;
  const FileMemory::File* known = memory != nullptr ? memory->Find(path) : nullptr;
  if (IsSelfOrAncestor(cap::kFsDelete, spec.capability)) {
    if (known != nullptr || memory == nullptr) writes->push_back({path, std::nullopt});
  } else if (IsSelfOrAncestor(cap::kFsWrite, spec.capability)) {
    // Rewriting what is remembered already changes nothing (and costs no copy).
    if (v.has_content) {
      if (known == nullptr || known->origin != Origin::kText || known->text != v.content)
        writes->push_back({path, FileMemory::File{Origin::kText, std::string(v.content)}});
    } else if (!spec.arguments.content.empty() || known != nullptr) {
      if (known == nullptr || known->origin != Origin::kGenerated)
        writes->push_back({path, FileMemory::File{Origin::kGenerated, {}}});
    }
  }
}

FileAccess AccessOf(std::string_view capability) {
  if (IsSelfOrAncestor(cap::kFsWrite, capability)) return FileAccess::kWrite;
  if (IsSelfOrAncestor(cap::kFsDelete, capability)) return FileAccess::kDelete;
  return FileAccess::kRead;
}

}  // namespace

void ClassifyCall(const ToolSpec* spec, const ToolCall& call, const Limits& limits,
                  FactList* out, const FileMemory* memory, FileWrites* writes) {
  if (static_cast<int64_t>(call.arguments.size()) > limits.max_argument_bytes) {
    AddSimple(cap::kLimitExceeded, call.tool,
              fmt::format("arguments of {} bytes exceed the limit of {}",
                          call.arguments.size(), limits.max_argument_bytes),
              out);
    return;
  }
  if (spec == nullptr) {
    AddSimple(cap::kToolUnknown, call.tool,
              fmt::format("the policy maps no tool `{}`", call.tool), out);
    return;
  }
  Values v;
  std::string error;
  if (!ExtractValues(*spec, call, &v, &error)) {
    AddSimple(cap::kToolMalformed, call.tool, std::move(error), out);
    return;
  }
  if (spec->analyzer == Analyzer::kShell) {
    std::string_view command = v.command;
    if (spec->harness != nullptr) {
      std::optional<std::string_view> rest = ClassifyHarnessCommand(*spec->harness, command, out);
      if (rest) {
        if (StripAsciiWhitespace(*rest).empty()) return;
        command = *rest;  // what follows the harness command is shell again
      }
    }
    AnalyzeShell(command, limits, out, memory, writes);
    return;
  }

  Fact fact;
  fact.capability = spec->capability;
  fact.command = std::string(call.arguments);
  fact.program = std::string(v.program.empty() ? call.tool : v.program);
  std::string scheme;
  if (!spec->arguments.url.empty()) {
    Url url = ParseUrl(v.url);
    if (!url.valid) {
      AddSimple(cap::kToolMalformed, call.tool,
                fmt::format("argument `{}` is not a URL with a host",
                          PointerToPath(spec->arguments.url)),
                out);
      return;
    }
    fact.url = std::string(v.url);
    fact.host = std::move(url.host);
    fact.port = url.port;
    scheme = std::move(url.scheme);
  }
  if (!v.host.empty()) fact.host = AsciiLower(v.host);
  if (v.port >= 0) fact.port = v.port;
  if (!spec->arguments.path.empty()) {
    fact.path = NormalizePath(v.path);
    const std::string& c = spec->capability;
    if (c == cap::kFsRead || c == cap::kFsWrite || c == cap::kFsDelete)
      fact.capability = std::string(RefineFileAccess(AccessOf(spec->capability), fact.path));
    if (writes != nullptr) NoteFileWrite(*spec, v, fact.path, memory, writes);
  }
  // The destination's own signatures (a mining pool, a tunnel service, the
  // metadata address) are facts too, as they are for shell commands.
  const auto findings = classify_internal::GetSignatures().MatchDestination(
      scheme, fact.host, fact.port);
  out->push_back(fact);
  for (const classify_internal::HostRule* finding : findings) {
    Fact extra = fact;
    extra.capability = finding->capability;
    extra.detail = finding->detail;
    out->push_back(std::move(extra));
  }
}

}  // namespace rewardguard
