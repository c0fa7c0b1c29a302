# `cmake --install` lays out headers, static libraries, the rewardguard
# command and a CMake package: find_package(rewardguard) then link
# rewardguard::core (and rewardguard::torch when built).
include(CMakePackageConfigHelpers)

get_property(_rg_targets GLOBAL PROPERTY REWARDGUARD_INSTALL_TARGETS)
install(TARGETS ${_rg_targets} EXPORT rewardguardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY lib/rewardguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.cuh"
  PATTERN "internal" EXCLUDE)

set(_rg_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rewardguard)
install(EXPORT rewardguardTargets NAMESPACE rewardguard:: DESTINATION ${_rg_cmake_dir})
configure_package_config_file(cmake/rewardguardConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/rewardguardConfig.cmake
  INSTALL_DESTINATION ${_rg_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/rewardguardConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rewardguardConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/rewardguardConfigVersion.cmake
  DESTINATION ${_rg_cmake_dir})
