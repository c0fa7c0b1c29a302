// rewardguard/core/glob.h
//
// Path globs and host patterns as policy conditions write them.
//
//   GlobMatch("~/.ssh/*", "~/.ssh/id_rsa");        // true
//   GlobMatch("/etc/**", "/etc/cron.d/job");        // true
//   HostMatch("*.corp.example", "git.corp.example");  // true
//   HostMatch("*.corp.example", "corp.example");      // false
#ifndef REWARDGUARD_CORE_GLOB_H_
#define REWARDGUARD_CORE_GLOB_H_

#include <string_view>

namespace rewardguard {

// `*` matches within one path segment, `**` across segments (including
// none), `?` one character other than '/'. Everything else is literal.
// Runs in O(|pattern| * |path|) time whatever the input.
bool GlobMatch(std::string_view pattern, std::string_view path);

// Case-insensitive; a trailing dot on the host is ignored. "*.suffix" matches
// any host strictly below `suffix`; "*" matches every host; anything else is
// exact.
bool HostMatch(std::string_view pattern, std::string_view host);

}  // namespace rewardguard

#endif  // REWARDGUARD_CORE_GLOB_H_
