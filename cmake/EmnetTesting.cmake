# Helpers for test programs that build natively and as wasm from one source.
#
# emnet_test_program(<name> SOURCES ... [LIBS ...] [OPTIMIZED])
#   An executable with the tree's warnings (and sanitizers, natively); as wasm
#   it links emnet's pre-js files and runs under Node through the emulator,
#   linked quickly (EMNET_WASM_TEST_LINK_OPT) unless OPTIMIZED: a program
#   whose speed a benchmark reports.
#
# emnet_add_test(NAME <test> COMMAND <program> [args...] [EXIT_CODE <n>]
#                [OUTPUT <regex>] [LABELS ...])
#   Registers a ctest. EXIT_CODE checks the exact status the program ended
#   with (default 0); OUTPUT must match its output. Tests that talk to the
#   harness's servers read their ports from EMNET_* variables and fail loudly
#   when those are missing: run ctest under tests/harness/services.sh.

function(emnet_test_program name)
  cmake_parse_arguments(P "OPTIMIZED" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  emnet_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${P_LIBS})
  if(EMSCRIPTEN)
    if(NOT P_OPTIMIZED)
      emnet_wasm_quick_link(${name})
    endif()
    emnet_wasm_link(${name})
  endif()
endfunction()

function(emnet_add_test)
  cmake_parse_arguments(T "" "NAME;EXIT_CODE;OUTPUT" "COMMAND;LABELS" ${ARGN})
  if(NOT DEFINED T_EXIT_CODE)
    set(T_EXIT_CODE 0)
  endif()
  list(POP_FRONT T_COMMAND program)
  set(run "$<TARGET_FILE:${program}>")
  if(EMSCRIPTEN)
    set(run ${CMAKE_CROSSCOMPILING_EMULATOR} ${run})
  endif()
  add_test(NAME ${T_NAME}
           COMMAND "${PROJECT_SOURCE_DIR}/tests/harness/expect-exit.sh" ${T_EXIT_CODE} ${run} ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT 120 LABELS "${T_LABELS}")
  if(T_OUTPUT)
    set_tests_properties(${T_NAME} PROPERTIES PASS_REGULAR_EXPRESSION "${T_OUTPUT}")
  endif()
endfunction()
