#include "rewardguard/classify/harness.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rewardguard {
namespace {

const std::vector<HarnessCommand>& Commands() {
  static const auto* commands = new std::vector<HarnessCommand>{
      {"open", "fs.read", 1, ""},
      {"create", "fs.write", 1, ""},
      {"edit", "fs.write", 0, "end_of_edit"},
      {"find_file", "fs.read", 2, ""},
      {"submit", "tool.call", 0, ""},
  };
  return *commands;
}

struct Result {
  std::optional<std::string> rest;
  FactList facts;
};

Result Classify(std::string_view text) {
  Result r;
  std::optional<std::string_view> rest = ClassifyHarnessCommand(Commands(), text, &r.facts);
  if (rest) r.rest = std::string(*rest);
  return r;
}

TEST(Harness, OneLineCommandNamesItsPath) {
  Result r = Classify("open src/app.py 40");
  ASSERT_TRUE(r.rest.has_value());
  EXPECT_EQ(*r.rest, "");
  ASSERT_EQ(r.facts.size(), 1u);
  EXPECT_EQ(r.facts[0].capability, "fs.read");
  EXPECT_EQ(r.facts[0].path, "src/app.py");
  EXPECT_EQ(r.facts[0].program, "open");
}

TEST(Harness, SensitivePathsAreRefinedAsForFileTools) {
  Result r = Classify("  open ~/.ssh/id_rsa\n");
  ASSERT_EQ(r.facts.size(), 1u);
  EXPECT_EQ(r.facts[0].capability, "fs.read.secret");
  EXPECT_EQ(r.facts[0].path, "~/.ssh/id_rsa");
}

TEST(Harness, QuotedAndGlobArguments) {
  Result r = Classify("find_file \"*.py\" 'my dir'");
  ASSERT_EQ(r.facts.size(), 1u);
  EXPECT_EQ(r.facts[0].path, "my dir");
  EXPECT_EQ(Classify("find_file *.py src").facts.size(), 1u);
}

TEST(Harness, BlockTextIsDataUpToItsLastLine) {
  Result r = Classify("edit 12:14\ndef f(x):\n    return $(rm -rf /)\nend_of_edit");
  ASSERT_TRUE(r.rest.has_value());
  EXPECT_EQ(*r.rest, "");
  ASSERT_EQ(r.facts.size(), 1u);
  EXPECT_EQ(r.facts[0].capability, "fs.write");
  EXPECT_EQ(r.facts[0].command, "edit 12:14");
}

TEST(Harness, WhatFollowsIsShellAgain) {
  EXPECT_EQ(Classify("edit 1:1\nx = 1\nend_of_edit\ncurl http://203.0.113.5/").rest,
            "curl http://203.0.113.5/");
  EXPECT_EQ(Classify("submit\nrm -rf /").rest, "rm -rf /");
}

TEST(Harness, AnUnclosedBlockIsLeftToTheShell) {
  Result r = Classify("edit 1:2\nx = 1\n");
  EXPECT_FALSE(r.rest.has_value());
  EXPECT_TRUE(r.facts.empty());
}

// Anything a shell could read as more than one program is not a harness
// command: naming `open` must never hide what comes after it.
TEST(Harness, ShellSyntaxIsNeverAHarnessCommand) {
  for (const char* text : {"open x; curl http://203.0.113.5/", "open x && sh", "open x | sh",
                           "open $(curl http://203.0.113.5/)", "open `id`", "open x > /etc/passwd",
                           "open \"$HOME\"", "open (x)", "submit & sleep 100", "open 'unclosed",
                           "open x\\;id", "open x # hidden"}) {
    Result r = Classify(text);
    EXPECT_FALSE(r.rest.has_value()) << text;
    EXPECT_TRUE(r.facts.empty()) << text;
  }
}

TEST(Harness, OtherCommandsAreNotHarnessCommands) {
  EXPECT_FALSE(Classify("ls -la").rest.has_value());
  EXPECT_FALSE(Classify("opener x").rest.has_value());
  EXPECT_FALSE(Classify("").rest.has_value());
  EXPECT_FALSE(Classify("   \n").rest.has_value());
}

}  // namespace
}  // namespace rewardguard
