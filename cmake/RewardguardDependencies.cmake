# Third-party libraries, all from Debian packages (scripts/setup.sh installs
# them). The same calls are repeated in rewardguardConfig.cmake for consumers.
find_package(absl REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(simdjson REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET GLOBAL re2)
if(REWARDGUARD_BUILD_CLI)
  find_package(CLI11 REQUIRED)
endif()
