#include "rewardguard/core/json.h"

#include <string>

#include "gtest/gtest.h"

namespace rewardguard {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(AppendJsonString, EscapesWhatJsonRequires) {
  EXPECT_EQ(Json(""), R"("")");
  EXPECT_EQ(Json("plain text"), R"("plain text")");
  EXPECT_EQ(Json("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(Json("a\nb\tc\rd"), R"("a\nb\tc\rd")");
  EXPECT_EQ(Json(std::string("\x01\x1f", 2)), R"("\u0001\u001f")");
  EXPECT_EQ(Json(std::string("nul\0byte", 8)), R"("nul\u0000byte")");
  EXPECT_EQ(Json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 copied as is
}

TEST(AppendJsonString, Appends) {
  std::string out = "{\"k\":";
  AppendJsonString(&out, "v");
  EXPECT_EQ(out, R"({"k":"v")");
}

}  // namespace
}  // namespace rewardguard
