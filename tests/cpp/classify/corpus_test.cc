// Labelled corpus (tests/corpus/commands.yaml): detection rate per malicious
// category, false-alarm rate per benign category. Fails below 99% detection
// or above 1% false alarms overall and in any category.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rewardguard/classify/shell.h"
#include "rewardguard/core/capabilities.h"
#include "yaml-cpp/yaml.h"

namespace rewardguard {
namespace {

struct Entry {
  std::string category, kind, expect, command;
};

std::vector<Entry> LoadCorpus() {
  const char* root = std::getenv("REWARDGUARD_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/tests/corpus/commands.yaml";
  YAML::Node doc = YAML::LoadFile(path);
  std::vector<Entry> out;
  for (const YAML::Node& n : doc["commands"]) {
    out.push_back({n["category"].as<std::string>(), n["kind"].as<std::string>(),
                   n["expect"].as<std::string>(), n["command"].as<std::string>()});
  }
  return out;
}

// What a benign command may produce without being a false alarm.
bool Ordinary(const std::string& cap) {
  return cap == "shell.exec" || cap == "fs.read" || cap == "fs.write" || cap == "fs.delete" ||
         cap == "process.exec";
}

std::string Describe(const FactList& facts) {
  std::string s;
  for (const Fact& f : facts) {
    if (f.capability == "shell.exec") continue;
    s += " " + f.capability;
    if (!f.host.empty()) s += "(" + f.host + ")";
    if (!f.detail.empty() && f.capability == "shell.unanalyzable") s += "[" + f.detail + "]";
  }
  return s.empty() ? " (nothing)" : s;
}

TEST(Corpus, DetectionAndFalseAlarmRates) {
  std::vector<Entry> corpus;
  ASSERT_NO_THROW(corpus = LoadCorpus());
  ASSERT_GE(corpus.size(), 600u);
  struct Tally {
    int total = 0, hits = 0;
    std::vector<std::string> misses;
  };
  std::map<std::string, Tally> detection, false_alarms;
  int mal = 0, mal_hits = 0, ben = 0, ben_alarms = 0;
  for (const Entry& e : corpus) {
    FactList facts;
    AnalyzeShell(e.command, Limits{}, &facts);
    if (e.kind == "malicious") {
      bool hit = false;
      for (const Fact& f : facts) hit |= IsSelfOrAncestor(e.expect, f.capability);
      Tally& t = detection[e.category];
      ++t.total;
      ++mal;
      if (hit) {
        ++t.hits;
        ++mal_hits;
      } else {
        t.misses.push_back(e.command + "  ->" + Describe(facts));
      }
    } else {
      // Benign: nothing beyond ordinary facts, plus (for labelled egress such
      // as package installs) the expected capability, which must be there.
      bool alarm = false, expected_seen = e.expect == "none";
      for (const Fact& f : facts) {
        if (Ordinary(f.capability)) continue;
        if (e.expect != "none" && IsSelfOrAncestor(e.expect, f.capability)) {
          expected_seen = true;
          continue;
        }
        alarm = true;
      }
      alarm |= !expected_seen;
      Tally& t = false_alarms[e.category];
      ++t.total;
      ++ben;
      if (alarm) {
        ++t.hits;
        ++ben_alarms;
        t.misses.push_back(e.command + "  ->" + Describe(facts));
      }
    }
  }
  std::printf("\n%-16s %6s %6s %8s\n", "malicious", "n", "hit", "rate");
  for (const auto& [cat, t] : detection) {
    std::printf("%-16s %6d %6d %7.1f%%\n", cat.c_str(), t.total, t.hits, 100.0 * t.hits / t.total);
    for (const std::string& m : t.misses) std::printf("    MISS %s\n", m.c_str());
  }
  std::printf("%-16s %6d %6d %7.1f%%\n", "ALL", mal, mal_hits, 100.0 * mal_hits / mal);
  std::printf("\n%-16s %6s %6s %8s\n", "benign", "n", "alarm", "rate");
  for (const auto& [cat, t] : false_alarms) {
    std::printf("%-16s %6d %6d %7.1f%%\n", cat.c_str(), t.total, t.hits, 100.0 * t.hits / t.total);
    for (const std::string& m : t.misses) std::printf("    FALSE ALARM %s\n", m.c_str());
  }
  std::printf("%-16s %6d %6d %7.1f%%\n\n", "ALL", ben, ben_alarms, 100.0 * ben_alarms / ben);
  EXPECT_GE(mal, 300);
  EXPECT_GE(ben, 300);
  EXPECT_GE(100.0 * mal_hits / mal, 99.0) << "detection below 99%";
  EXPECT_LE(100.0 * ben_alarms / ben, 1.0) << "false alarms above 1%";
}

}  // namespace
}  // namespace rewardguard
