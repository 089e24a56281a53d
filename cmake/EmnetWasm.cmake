# Everything the Emscripten 3.1.6 build needs, in one place, so no developer's
# shell has to know about it.

# emcc's -O2 and above run its acorn-based JS optimizer, which require()s
# 'acorn' from Debian's node module folder. Put NODE_PATH on every link
# command instead of relying on the caller's environment.
find_path(EMNET_NODE_MODULES acorn PATHS /usr/share/nodejs /usr/lib/nodejs
          NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)   # a host path, not a target one
if(NOT EMNET_NODE_MODULES)
  message(FATAL_ERROR "Debian's node-acorn is missing (run scripts/setup.sh)")
endif()
set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=${EMNET_NODE_MODULES})

# emcmake would set the emulator to "node --experimental-wasm-threads", which
# Node 20 rejects. Our runner passes the flags emnet's programs need.
set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_SOURCE_DIR}/tests/harness/run-node.sh")

set(EMNET_JS_DIR "${CMAKE_SOURCE_DIR}/js")
include(emnetLinkOptions)

# Test programs link at -O1: their objects are compiled optimised all the
# same, but the link's whole-program passes (and ASYNCIFY's, at -O3) take
# about four times as long, and the tree links some 150 test programs.
# Benchmark programs (emnet_test_program ... OPTIMIZED) and what a user
# builds keep the build type's level.
set(EMNET_WASM_TEST_LINK_OPT "-O1" CACHE STRING "Link optimisation level of wasm test programs")

# The conformance scenarios (tests/conformance) link at -O2 all the same:
# `make test` starts them some 300 times under Node (the wasm tier) and 250
# in Chromium, and at -O1 their ASYNCIFY-instrumented main (27k lines,
# ~1,500 locals, unoptimised) costs V8 700-1000 ms between the runtime's
# start and main's first line (Firefox starts both fast). Measured on 2
# cores: conf_fd_closed's page ran 1,190 ms at -O1, 470-620 ms at -O2 (its
# Chromium test 2.0 s vs 0.9 s); the wasm tier's 46 epoll/fd/eventfd/
# timerfd/poll/select scenarios took 19.8 s at -O1, 11.8 s at -O2. The
# price is the link: 1.2 s vs 2.0 s per program, 201 s vs 353 s for all
# 136 scenarios at -j2.
set(EMNET_WASM_CONFORMANCE_LINK_OPT "-O2" CACHE STRING
    "Link optimisation level of the wasm conformance programs (started often: start-up time matters)")

# emnet_wasm_quick_link(<target> [LINK_OPT <level>]): links a test program
# at EMNET_WASM_TEST_LINK_OPT, or at <level> where its start-up time
# matters more than its link time. An empty level keeps the build type's.
function(emnet_wasm_quick_link target)
  cmake_parse_arguments(Q "" "LINK_OPT" "" ${ARGN})
  if("LINK_OPT" IN_LIST ARGN)
    set(level "${Q_LINK_OPT}")
  else()
    set(level "${EMNET_WASM_TEST_LINK_OPT}")
  endif()
  if(level)
    target_link_options(${target} PRIVATE ${level})
  endif()
endfunction()

# emnet_wasm_link(<target> [ASYNCIFY | JSPI]): the pre-js files and flags
# of emnetLinkOptions.cmake (the --js-library files come with the `emnet`
# target, js/CMakeLists.txt).
function(emnet_wasm_link target)
  emnet_link_options(opts BASE ${ARGN})
  target_link_options(${target} PRIVATE ${opts})
  foreach(f IN LISTS EMNET_PRE_JS EMNET_ASYNCIFY_PRE_JS EMNET_JSPI_PRE_JS)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${EMNET_JS_DIR}/${f}")
  endforeach()
endfunction()
