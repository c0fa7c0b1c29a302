#include "rewardguard/policy/compiled_policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rewardguard/core/capabilities.h"
#include "rewardguard/policy/loader.h"

namespace rewardguard {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

PolicyPtr Load(const std::string& body) {
  absl::StatusOr<PolicyPtr> p = LoadPolicyText(
      "version: 1\nname: t\ndefault: block\n" + body, "t.yaml");
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : nullptr;
}

CapabilityId Id(const CompiledPolicy& p, std::string_view name) {
  std::optional<CapabilityId> id = p.FindCapability(name);
  EXPECT_TRUE(id.has_value()) << name;
  return id.value_or(0);
}

std::vector<std::string> RuleIds(const CompiledPolicy& p, std::string_view cap) {
  std::vector<std::string> ids;
  for (uint16_t r : p.rules_for(p.ResolveCapability(cap))) {
    ids.push_back(p.rules()[r].id);
  }
  return ids;
}

TEST(CompiledPolicy, InternsBuiltinTaxonomyFirstInOrder) {
  PolicyPtr p = Load("capabilities:\n  compute.mining.pool: compute.mining\n");
  ASSERT_NE(p, nullptr);
  auto builtin = BuiltinCapabilities();
  ASSERT_EQ(p->num_capabilities(), static_cast<int>(builtin.size()) + 1);
  for (size_t i = 0; i < builtin.size(); ++i) {
    EXPECT_EQ(p->capability_name(static_cast<CapabilityId>(i)), builtin[i].name);
  }
  EXPECT_EQ(p->FindCapability("compute.mining.pool"),
            static_cast<CapabilityId>(builtin.size()));
  EXPECT_EQ(p->FindCapability("compute.mining.po"), std::nullopt);
  EXPECT_EQ(p->FindCapability(""), std::nullopt);
}

TEST(CompiledPolicy, AncestorBitsets) {
  PolicyPtr p = Load("capabilities:\n  compute.mining.pool: compute.mining\n");
  ASSERT_NE(p, nullptr);
  CapabilityId ssh = Id(*p, "net.egress.ssh");
  const CapabilitySet& a = p->self_and_ancestors(ssh);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_TRUE(a.test(ssh));
  EXPECT_TRUE(a.test(Id(*p, "net.egress")));
  EXPECT_TRUE(a.test(Id(*p, "net")));
  EXPECT_FALSE(a.test(Id(*p, "net.tunnel")));
  EXPECT_EQ(p->self_and_ancestors(Id(*p, "net")).count(), 1u);

  CapabilityId pool = Id(*p, "compute.mining.pool");
  EXPECT_EQ(p->self_and_ancestors(pool).count(), 3u);
  EXPECT_TRUE(p->self_and_ancestors(pool).test(Id(*p, "compute")));
}

TEST(CompiledPolicy, DeclaredCapabilitiesFollowDeclaredParents) {
  // Names need not extend the parent's; parents may come later in the map.
  PolicyPtr p = Load(
      "capabilities:\n"
      "  gpu_burn: gpu_abuse\n"
      "  gpu_abuse: compute.gpu\n"
      "  shell.exec.custom: shell.exec\n");
  ASSERT_NE(p, nullptr);
  CapabilityId burn = Id(*p, "gpu_burn");
  const CapabilitySet& a = p->self_and_ancestors(burn);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_TRUE(a.test(Id(*p, "gpu_abuse")));
  EXPECT_TRUE(a.test(Id(*p, "compute.gpu")));
  EXPECT_TRUE(a.test(Id(*p, "compute")));
  // The category of a declared capability is that of its built-in ancestor.
  EXPECT_EQ(p->categories()[p->capability_category(burn)], "compute");
  EXPECT_EQ(p->categories()[p->capability_category(Id(*p, "shell.exec.custom"))],
            "process");
  EXPECT_EQ(p->categories()[p->capability_category(Id(*p, "shell.unanalyzable"))],
            "evasion");
  EXPECT_EQ(p->categories()[p->capability_category(Id(*p, "fs.read.secret"))],
            "filesystem");
  EXPECT_EQ(p->categories()[p->capability_category(Id(*p, "tool.unknown"))],
            "unknown");
}

TEST(CompiledPolicy, CapabilityCategoriesMatchDefaultCategory) {
  PolicyPtr p = Load("");
  ASSERT_NE(p, nullptr);
  for (const BuiltinCapability& c : BuiltinCapabilities()) {
    EXPECT_EQ(p->categories()[p->capability_category(Id(*p, c.name))],
              DefaultCategory(c.name))
        << c.name;
  }
}

TEST(CompiledPolicy, ResolveCapabilityFallsBackToAncestorThenToolUnknown) {
  PolicyPtr p = Load("capabilities:\n  x.y: net\n");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->ResolveCapability("net.egress.http"), Id(*p, "net.egress.http"));
  EXPECT_EQ(p->ResolveCapability("net.egress.http.h2"), Id(*p, "net.egress.http"));
  EXPECT_EQ(p->ResolveCapability("net.quic.v1"), Id(*p, "net"));
  EXPECT_EQ(p->ResolveCapability("x.y.z"), Id(*p, "x.y"));
  EXPECT_EQ(p->ResolveCapability("x"), Id(*p, "tool.unknown"));
  EXPECT_EQ(p->ResolveCapability("bogus.thing"), Id(*p, "tool.unknown"));
  EXPECT_EQ(p->ResolveCapability(""), Id(*p, "tool.unknown"));
}

TEST(CompiledPolicy, RulesForInheritsDownTheTreeInFileOrder) {
  PolicyPtr p = Load(
      "capabilities:\n  net.egress.ssh.jump: net.egress.ssh\n"
      "rules:\n"
      "  - {id: ssh, match: net.egress.ssh, action: block}\n"
      "  - {id: all-net, match: net, action: warn}\n"
      "  - {id: egress, match: net.egress, action: penalize}\n"
      "  - {id: jump, match: net.egress.ssh.jump, action: terminate}\n"
      "  - {id: fs, match: fs, action: block}\n");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(RuleIds(*p, "net.egress.ssh"), ElementsAre("ssh", "all-net", "egress"));
  EXPECT_THAT(RuleIds(*p, "net.egress.ssh.jump"),
              ElementsAre("ssh", "all-net", "egress", "jump"));
  EXPECT_THAT(RuleIds(*p, "net.egress.http"), ElementsAre("all-net", "egress"));
  EXPECT_THAT(RuleIds(*p, "net"), ElementsAre("all-net"));
  EXPECT_THAT(RuleIds(*p, "fs.read.secret"), ElementsAre("fs"));
  EXPECT_THAT(RuleIds(*p, "process.exec"), IsEmpty());
  EXPECT_THAT(RuleIds(*p, "tool.unknown"), IsEmpty());
}

TEST(CompiledPolicy, CategoriesAppendAfterBuiltins) {
  PolicyPtr p = Load(
      "categories: [gpu_abuse]\n"
      "rules:\n"
      "  - {id: a, match: compute.gpu, action: block, category: gpu_abuse}\n"
      "  - {id: b, match: compute.gpu, action: block}\n");
  ASSERT_NE(p, nullptr);
  int n = static_cast<int>(BuiltinCategories().size());
  ASSERT_EQ(static_cast<int>(p->categories().size()), n + 1);
  EXPECT_EQ(p->FindCategory("gpu_abuse"), n);
  EXPECT_EQ(p->FindCategory("network"), 0);
  EXPECT_EQ(p->FindCategory("nope"), std::nullopt);
  EXPECT_EQ(p->rules()[0].category, n);
  EXPECT_EQ(p->rules()[1].category, *p->FindCategory("compute"));
}

// --- Condition::Holds ------------------------------------------------------

class HoldsTest : public ::testing::Test {
 protected:
  // A condition parsed from `when: {...}` of a single rule.
  const Condition& When(const std::string& when) {
    policy_ = Load("rules:\n  - {id: r, match: net, action: block, when: " +
                   when + "}\n");
    EXPECT_NE(policy_, nullptr);
    return policy_->rules()[0].when;
  }
  static Fact F() {
    Fact f;
    f.capability = "net.egress.http";
    return f;
  }
  PolicyPtr policy_;
};

TEST_F(HoldsTest, EmptyConditionHolds) {
  Condition c;
  EXPECT_TRUE(c.empty());
  EXPECT_TRUE(c.Holds(F(), "any"));
  EXPECT_TRUE(When("{}").empty());
}

TEST_F(HoldsTest, Host) {
  const Condition& c = When("{host: [\"*.corp.example\", mirror.example]}");
  EXPECT_FALSE(c.empty());
  Fact f = F();
  f.host = "git.corp.example";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "MIRROR.example.";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "corp.example";
  EXPECT_FALSE(c.Holds(f, "t"));
  f.host = "";
  EXPECT_FALSE(c.Holds(f, "t"));
  EXPECT_FALSE(When("{host: \"*\"}").Holds(f, "t"));  // empty host never matches
}

TEST_F(HoldsTest, Cidr) {
  const Condition& c = When("{cidr: [10.0.0.0/8, \"169.254.169.254\", \"fd00::/8\"]}");
  Fact f = F();
  f.host = "10.1.2.3";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "0x0a000001";  // inet_aton spelling of 10.0.0.1
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "169.254.169.254";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "fd12::1";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.host = "11.0.0.1";
  EXPECT_FALSE(c.Holds(f, "t"));
  f.host = "internal.example";  // not an IP: never matches a CIDR
  EXPECT_FALSE(c.Holds(f, "t"));
  f.host = "";
  EXPECT_FALSE(c.Holds(f, "t"));
}

TEST_F(HoldsTest, Port) {
  const Condition& c = When("{port: [22, \"8000-8100\"]}");
  Fact f = F();
  f.port = 22;
  EXPECT_TRUE(c.Holds(f, "t"));
  f.port = 8000;
  EXPECT_TRUE(c.Holds(f, "t"));
  f.port = 8100;
  EXPECT_TRUE(c.Holds(f, "t"));
  f.port = 8101;
  EXPECT_FALSE(c.Holds(f, "t"));
  f.port = -1;
  EXPECT_FALSE(c.Holds(f, "t"));
  f.port = 0;
  EXPECT_FALSE(c.Holds(f, "t"));
  EXPECT_TRUE(When("{port: \"0-65535\"}").Holds(f, "t"));
}

TEST_F(HoldsTest, Path) {
  const Condition& c = When("{path: [\"~/.ssh/*\", \"/etc/**\"]}");
  Fact f = F();
  f.path = "~/.ssh/id_rsa";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.path = "/etc/cron.d/job";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.path = "~/.ssh/sub/key";
  EXPECT_FALSE(c.Holds(f, "t"));
  f.path = "";
  EXPECT_FALSE(c.Holds(f, "t"));
}

TEST_F(HoldsTest, Program) {
  const Condition& c = When("{program: [nmap, masscan]}");
  Fact f = F();
  f.program = "nmap";
  EXPECT_TRUE(c.Holds(f, "t"));
  f.program = "nmap2";
  EXPECT_FALSE(c.Holds(f, "t"));
  f.program = "";
  EXPECT_FALSE(c.Holds(f, "t"));
}

TEST_F(HoldsTest, Tool) {
  const Condition& c = When("{tool: shell}");
  EXPECT_TRUE(c.Holds(F(), "shell"));
  EXPECT_FALSE(c.Holds(F(), "shell2"));
  EXPECT_FALSE(c.Holds(F(), ""));
}

TEST_F(HoldsTest, Regex) {
  const Condition& c = When("{regex: {url: \"^stratum\\\\+tcp://\", port: \"^33\"}}");
  ASSERT_EQ(c.regexes.size(), 2u);
  Fact f = F();
  f.url = "stratum+tcp://pool.example:3333";
  f.port = 3333;
  EXPECT_TRUE(c.Holds(f, "t"));
  f.port = 4333;
  EXPECT_FALSE(c.Holds(f, "t"));
  f.port = 3333;
  f.url = "https://x/stratum+tcp://";
  EXPECT_FALSE(c.Holds(f, "t"));  // anchored
  // Partial match: unanchored patterns match anywhere.
  const Condition& d = When("{regex: {command: \"-R\\\\s*[0-9]+\", program: ssh, "
                            "host: \"\\\\.example$\", path: \"id_\"}}");
  Fact g = F();
  g.command = "ssh -R 9000:localhost:22 a@b";
  g.program = "autossh";
  g.host = "b.example";
  g.path = "~/.ssh/id_rsa";
  EXPECT_TRUE(d.Holds(g, "t"));
  g.path = "";
  EXPECT_FALSE(d.Holds(g, "t"));
  // An unknown port reads as "" (as Fact::Get spells it).
  Fact h = F();
  EXPECT_TRUE(When("{regex: {port: \"^$\"}}").Holds(h, "t"));
}

TEST_F(HoldsTest, KeysAreAndedValuesAreOred) {
  const Condition& c = When("{host: [a.example, b.example], port: [443, 80], tool: [web]}");
  Fact f = F();
  f.host = "b.example";
  f.port = 80;
  EXPECT_TRUE(c.Holds(f, "web"));
  EXPECT_FALSE(c.Holds(f, "shell"));
  f.port = 22;
  EXPECT_FALSE(c.Holds(f, "web"));
  f.port = 443;
  f.host = "c.example";
  EXPECT_FALSE(c.Holds(f, "web"));
}

TEST(CompiledPolicy, UnlessIsKept) {
  PolicyPtr p = Load(
      "rules:\n"
      "  - id: allow\n"
      "    match: net.egress\n"
      "    unless: {host: [\"*.corp.example\"], port: [443]}\n"
      "    action: block\n");
  ASSERT_NE(p, nullptr);
  const Rule& r = p->rules()[0];
  EXPECT_TRUE(r.when.empty());
  ASSERT_TRUE(r.unless.has_value());
  Fact f;
  f.host = "git.corp.example";
  f.port = 443;
  EXPECT_TRUE(r.unless->Holds(f, "http_get"));
  f.port = 80;
  EXPECT_FALSE(r.unless->Holds(f, "http_get"));
}

}  // namespace
}  // namespace rewardguard
