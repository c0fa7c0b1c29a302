// rewardguard/classify/internal/inline_code.h
//
// Lexical helpers for the inline code the shell analyzer looks into
// (`python -c`, heredocs fed to an interpreter, written script files): its
// string literals, and a trigram prefilter that rules out most indicator
// searches before they run.
//
//   const Trigrams tri(code);
//   if (AnyOf(code, tri, indicators)) ...
//   for (const Literal& l : Literals(code)) ...
//
// Private to classify/.
#ifndef REWARDGUARD_CLASSIFY_INTERNAL_INLINE_CODE_H_
#define REWARDGUARD_CLASSIFY_INTERNAL_INLINE_CODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rewardguard {
namespace classify_internal {

// String literals of inline code ('..', "..", `..`, triple quotes); raw
// contents, escapes kept. Bounded.
struct Literal {
  std::string_view text;
  size_t end;  // offset after the closing quote
  char quote;
};

std::vector<Literal> Literals(std::string_view code);

// Hashed trigrams of a text: a needle with a trigram the text lacks cannot
// occur, which skips most of the ~300 indicator searches per snippet. Every
// trigram of the needle is tested, not just its first: in 2 KB of code a
// third of the 4,096 buckets are set, so one trigram alone lets a third of
// the needles through to a full search.
struct Trigrams {
  uint64_t bits[64] = {};
  static uint32_t Hash(const char* p) {
    return (static_cast<uint32_t>(static_cast<unsigned char>(p[0])) * 961u +
            static_cast<uint32_t>(static_cast<unsigned char>(p[1])) * 31u +
            static_cast<uint32_t>(static_cast<unsigned char>(p[2]))) & 4095u;
  }
  explicit Trigrams(std::string_view t) {
    for (size_t i = 0; i + 2 < t.size(); ++i) {
      uint32_t h = Hash(t.data() + i);
      bits[h >> 6] |= uint64_t{1} << (h & 63);
    }
  }
  bool MayContain(std::string_view n) const {
    for (size_t i = 0; i + 2 < n.size(); ++i) {
      const uint32_t h = Hash(n.data() + i);
      if (!((bits[h >> 6] >> (h & 63)) & 1)) return false;
    }
    return true;
  }
};

// Whether `code` contains one of `needles`; `tri` is Trigrams(code).
bool AnyOf(std::string_view code, const Trigrams& tri, const std::vector<std::string>& needles);

}  // namespace classify_internal
}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_INTERNAL_INLINE_CODE_H_
