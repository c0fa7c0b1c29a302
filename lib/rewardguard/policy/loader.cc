#include "rewardguard/policy/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "rewardguard/policies/embedded.h"
#include "rewardguard/policy/internal/compiler.h"
#include "rewardguard/policy/internal/parser.h"
#include "rewardguard/policy/internal/status.h"

namespace rewardguard {


absl::StatusOr<PolicyPtr> LoadPolicyText(std::string_view text,
                                         std::string_view source_name) {
  absl::StatusOr<policy_internal::PolicyAst> ast =
      policy_internal::ParsePolicy(text, source_name);
  if (!ast.ok()) return ast.status();
  return PolicyCompiler::Compile(*std::move(ast), source_name, text);
}

absl::StatusOr<PolicyPtr> LoadPolicyFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    return absl::NotFoundError(
        StrCat("policy file `", path, "` not found"));
  }
  if (std::filesystem::is_directory(st)) {
    return absl::InvalidArgumentError(
        StrCat("policy file `", path, "` is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), {});
  if (!in && !in.eof()) {
    return absl::PermissionDeniedError(StrCat(
        "cannot read policy file `", path, "`: ", std::strerror(errno)));
  }
  return LoadPolicyText(text, path);
}

std::vector<std::string> BuiltinPolicyNames() {
  std::vector<std::string> names;
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path.find('/') == std::string_view::npos &&
        f.path.size() > 5 &&
        f.path.substr(f.path.size() - 5) == ".yaml") {
      names.emplace_back(f.path.substr(0, f.path.size() - 5));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<PolicyPtr> LoadBuiltinPolicy(std::string_view name) {
  std::vector<std::string> names = BuiltinPolicyNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) {
    std::optional<std::string_view> text =
        FindEmbeddedFile(StrCat(name, ".yaml"));
    if (text) {
      return LoadPolicyText(*text, StrCat("<builtin:", name, ">"));
    }
  }
  return absl::NotFoundError(
      StrCat("unknown built-in policy `", name, "`; expected one of: ",
                   StrJoin(names, ", ")));
}

absl::StatusOr<PolicyPtr> LoadPolicy(const std::string& name_or_path) {
  std::vector<std::string> names = BuiltinPolicyNames();
  if (std::find(names.begin(), names.end(), name_or_path) != names.end()) {
    return LoadBuiltinPolicy(name_or_path);
  }
  return LoadPolicyFile(name_or_path);
}

}  // namespace rewardguard
