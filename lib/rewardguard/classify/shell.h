// rewardguard/classify/shell.h
//
// Shell analysis: a command line in, the facts of everything it would run.
//
//   FactList facts;
//   AnalyzeShell("ssh -fNR 9000:localhost:22 a@203.0.113.5", Limits{}, &facts);
//   // net.tunnel program=ssh host=203.0.113.5 ...
//
// What cannot be resolved statically (eval of a computed string, a variable
// as the program name, obfuscation) is `shell.unanalyzable`: fail closed.
// Every simple command yields at least a `shell.exec` fact with its program.
// Thread-safe; bounded work per byte of input (see Limits).
#ifndef REWARDGUARD_CLASSIFY_SHELL_H_
#define REWARDGUARD_CLASSIFY_SHELL_H_

#include <string_view>

#include "rewardguard/classify/file_memory.h"
#include "rewardguard/core/fact.h"
#include "rewardguard/core/limits.h"

namespace rewardguard {

// `memory`: the files earlier calls wrote (a later `bash x.sh` is judged by
// what x.sh holds); `writes`: where to append the files this command writes
// (see file_memory.h). Both may be null.
void AnalyzeShell(std::string_view command, const Limits& limits, FactList* out,
                  const FileMemory* memory = nullptr, FileWrites* writes = nullptr);

// Appends `word` so that a shell reads it back as that one word: as it is
// when it is made of safe characters, else in single quotes.
void AppendShellWord(std::string_view word, std::string* out);

}  // namespace rewardguard

#endif  // REWARDGUARD_CLASSIFY_SHELL_H_
