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

function(emnet_wasm_quick_link target)
  if(EMNET_WASM_TEST_LINK_OPT)
    target_link_options(${target} PRIVATE ${EMNET_WASM_TEST_LINK_OPT})
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
