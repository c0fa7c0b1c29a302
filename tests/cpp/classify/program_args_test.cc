// The option grammar (classify/internal/program_args.h) and the inline-code
// helpers (classify/internal/inline_code.h), on their own: the shell tests
// reach them only through whole commands.
#include "rewardguard/classify/internal/program_args.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rewardguard/classify/internal/inline_code.h"

namespace rewardguard::classify_internal {
namespace {

std::vector<Word> Words(const std::vector<std::string_view>& texts) {
  std::vector<Word> out;
  for (std::string_view t : texts) out.push_back({t, t, 0});
  return out;
}

const ProgramSig& Sig(std::string_view program) {
  const ProgramSig* sig = GetSignatures().FindProgram(program);
  EXPECT_NE(sig, nullptr) << program;
  return *sig;
}

TEST(ParseOptions, BundlesAttachedAndSeparateValuesAsTheProgramReadsThem) {
  // ssh: -p and -R take values; -f and -N do not.
  auto argv = Words({"ssh", "-fNR", "9000:localhost:22", "-p22", "u@203.0.113.5", "uptime"});
  ParsedArgs pa;
  ParseOptions(argv, 1, &Sig("ssh"), /*stop_at_positional=*/false, &pa);
  const Opt* o = nullptr;
  ASSERT_TRUE(HasOpt(pa, "-R", &o));
  EXPECT_EQ(o->value_text, "9000:localhost:22");
  ASSERT_TRUE(HasOpt(pa, "-p", &o));
  EXPECT_EQ(o->value_text, "22");
  EXPECT_TRUE(HasOpt(pa, "-N"));
  EXPECT_FALSE(HasOpt(pa, "-L"));
  ASSERT_EQ(pa.positionals.size(), 2u);
  EXPECT_EQ(pa.positionals[0]->text, "u@203.0.113.5");
}

TEST(ParseOptions, LongValuesAndTheEndOfOptions) {
  auto argv = Words({"curl", "--output=x.bin", "--", "-not-an-option"});
  ParsedArgs pa;
  ParseOptions(argv, 1, &Sig("curl"), false, &pa);
  const Opt* o = nullptr;
  ASSERT_TRUE(HasOpt(pa, "--output", &o));
  EXPECT_EQ(o->value_text, "x.bin");
  ASSERT_EQ(pa.positionals.size(), 1u);
  EXPECT_EQ(pa.positionals[0]->text, "-not-an-option");
}

TEST(ParseOptions, LaunchersStopAtTheirCommand) {
  auto argv = Words({"timeout", "-s", "KILL", "60", "nc", "-e", "/bin/sh"});
  ParsedArgs pa;
  ParseOptions(argv, 1, &Sig("timeout"), /*stop_at_positional=*/true, &pa);
  EXPECT_EQ(pa.rest, 3u);  // "60": the launcher's own positionals start here
  EXPECT_FALSE(HasOpt(pa, "-e"));  // nc's option, not timeout's
}

bool Holds(const Condition& c, std::string_view program, const std::vector<Word>& argv,
           size_t from, bool launcher) {
  ParsedArgs pa;
  ParseOptions(argv, from, &Sig(program), launcher, &pa);
  return ConditionHolds(c, argv, from, pa, false, false, false);
}

TEST(ConditionHolds, AValueIsReadWhereTheProgramReadsIt) {
  Condition perm;
  perm.options = {"-perm"};
  perm.value_matches = std::make_shared<const re2::RE2>("^-?4000$");
  // A single-dash long option's value is the next word...
  EXPECT_TRUE(Holds(perm, "find", Words({"find", "/", "-perm", "-4000"}), 1, false));
  // ...and a number given to another option is not it.
  EXPECT_FALSE(Holds(perm, "find", Words({"find", ".", "-size", "-4000"}), 1, false));
  EXPECT_FALSE(Holds(perm, "find", Words({"find", "/", "-perm", "644"}), 1, false));

  Condition mount;
  mount.options = {"-v"};
  mount.value_contains = {"/:/"};
  EXPECT_TRUE(Holds(mount, "docker", Words({"docker", "run", "-v", "/:/host", "img"}), 2, true));
  // The launched command's own -v is not the launcher's.
  EXPECT_FALSE(Holds(mount, "docker", Words({"docker", "run", "img", "cp", "-v", "/:/x", "y"}), 2, true));
}

TEST(Destinations, UserHostPortAndRemoteSpecs) {
  std::string_view host;
  int port = -1;
  SplitUserHost("root@203.0.113.5:2222", &host, &port);
  EXPECT_EQ(host, "203.0.113.5");
  EXPECT_EQ(port, 2222);
  port = -1;
  SplitUserHost("[2001:db8::1]:443", &host, &port);
  EXPECT_EQ(host, "2001:db8::1");
  EXPECT_EQ(port, 443);
  EXPECT_TRUE(RemoteSpec("u@backup.example.org:/srv/data", &host));
  EXPECT_EQ(host, "backup.example.org");
  EXPECT_FALSE(RemoteSpec("./dir/a:b", &host));  // a local path with a colon
  EXPECT_FALSE(RemoteSpec("C:\\temp", &host));
  EXPECT_TRUE(LooksLikeTarget("10.0.0.0/24"));
  EXPECT_FALSE(LooksLikeTarget("-sV"));
  EXPECT_FALSE(LooksLikeTarget("report"));
}

TEST(InlineCode, LiteralsAndTheTrigramPrefilter) {
  const std::string_view code = "import socket\ns.connect(('203.0.113.5', 4444)); x = \"\"\"doc\"\"\"";
  std::vector<Literal> lits = Literals(code);
  ASSERT_EQ(lits.size(), 2u);
  EXPECT_EQ(lits[0].text, "203.0.113.5");
  EXPECT_EQ(lits[1].text, "doc");
  const Trigrams tri(code);
  EXPECT_TRUE(tri.MayContain("connect("));
  EXPECT_FALSE(tri.MayContain("pty.spawn"));
  EXPECT_TRUE(AnyOf(code, tri, {"os.dup2", "s.connect("}));
  EXPECT_FALSE(AnyOf(code, tri, {"os.dup2", "subprocess"}));
}

}  // namespace
}  // namespace rewardguard::classify_internal
