#include "rewardguard/core/capabilities.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "rewardguard/core/action.h"

namespace rewardguard {
namespace {

TEST(Capabilities, TaxonomyIsWellFormedParentsFirst) {
  std::set<std::string_view> seen;
  for (const BuiltinCapability& c : BuiltinCapabilities()) {
    EXPECT_TRUE(IsValidCapabilityName(c.name)) << c.name;
    std::string_view parent = ParentCapability(c.name);
    if (!parent.empty()) {
      EXPECT_TRUE(seen.count(parent)) << c.name << " before its parent";
    }
    EXPECT_TRUE(seen.insert(c.name).second) << "duplicate " << c.name;
    EXPECT_FALSE(c.description.empty()) << c.name;
  }
  for (std::string_view name : {cap::kToolCall, cap::kToolUnknown, cap::kToolMalformed,
                                cap::kShellExec, cap::kShellUnanalyzable, cap::kLimitExceeded})
    EXPECT_TRUE(seen.count(name)) << name;
}

TEST(Capabilities, Hierarchy) {
  EXPECT_EQ(ParentCapability("net.egress.ssh"), "net.egress");
  EXPECT_EQ(ParentCapability("net"), "");
  EXPECT_TRUE(IsSelfOrAncestor("net", "net.egress.ssh"));
  EXPECT_TRUE(IsSelfOrAncestor("net.egress", "net.egress"));
  EXPECT_FALSE(IsSelfOrAncestor("net.egress", "net.egressive"));
  EXPECT_FALSE(IsSelfOrAncestor("net.egress.ssh", "net.egress"));
}

TEST(Capabilities, NamesAndCategories) {
  EXPECT_FALSE(IsValidCapabilityName("Net.egress"));
  EXPECT_FALSE(IsValidCapabilityName("net..egress"));
  EXPECT_FALSE(IsValidCapabilityName(".net"));
  EXPECT_EQ(DefaultCategory("net.tunnel"), "network");
  EXPECT_EQ(DefaultCategory("compute.mining"), "compute");
  EXPECT_EQ(DefaultCategory("shell.unanalyzable"), "evasion");
  EXPECT_EQ(DefaultCategory("shell.exec"), "process");
  EXPECT_EQ(DefaultCategory("made.up"), "unknown");
  EXPECT_TRUE(IsFailClosedCapability("shell.unanalyzable"));
  EXPECT_TRUE(IsFailClosedCapability("tool.malformed"));
  EXPECT_FALSE(IsFailClosedCapability("tool.unknown"));
}

TEST(Actions, OrderAndNames) {
  EXPECT_LT(Action::kAllow, Action::kWarn);
  EXPECT_LT(Action::kPenalize, Action::kBlock);
  EXPECT_EQ(StrongerOf(Action::kTerminate, Action::kWarn), Action::kTerminate);
  for (int i = 0; i < kNumActions; ++i) {
    Action a = static_cast<Action>(i);
    EXPECT_EQ(ParseAction(ActionName(a)), a);
  }
  EXPECT_FALSE(ParseAction("deny"));
  EXPECT_TRUE(Prevents(Action::kBlock));
  EXPECT_FALSE(Prevents(Action::kPenalize));
}

TEST(Capabilities, EveryNamedConstantIsInTheTaxonomy) {
  for (std::string_view name : cap::NamedCapabilities()) {
    bool found = false;
    for (const BuiltinCapability& c : BuiltinCapabilities()) found |= c.name == name;
    EXPECT_TRUE(found) << name;
  }
}

}  // namespace
}  // namespace rewardguard
