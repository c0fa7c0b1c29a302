# Warnings are errors in our own code. GCC 12 reports -Wrestrict false
# positives inside libstdc++'s std::string at -O3 (GCC bug 105329).
set(REWARDGUARD_WARNINGS -Wall -Wextra -Werror $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)

# rewardguard_library(NAME <name> SOURCES ... DEPS ...)
# One static library per lib/rewardguard/<stage> folder. Headers are included
# as "rewardguard/<stage>/<file>.h" from the lib/ root.
function(rewardguard_library)
  cmake_parse_arguments(ARG "" "NAME;EXPORT_NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(rewardguard_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(rewardguard::${ARG_NAME} ALIAS rewardguard_${ARG_NAME})
  set_target_properties(rewardguard_${ARG_NAME} PROPERTIES EXPORT_NAME ${ARG_NAME})
  target_include_directories(rewardguard_${ARG_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/lib>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(rewardguard_${ARG_NAME} PUBLIC cxx_std_20)
  target_compile_options(rewardguard_${ARG_NAME} PRIVATE ${REWARDGUARD_WARNINGS})
  target_link_libraries(rewardguard_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY REWARDGUARD_INSTALL_TARGETS rewardguard_${ARG_NAME})
endfunction()

# rewardguard_test(NAME <name> SOURCES ... DEPS ...): a GoogleTest binary
# registered with CTest.
function(rewardguard_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_compile_options(${ARG_NAME} PRIVATE ${REWARDGUARD_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "REWARDGUARD_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
