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

# Link options every emnet wasm program gets:
#  - the pre-js files make the same .js run under Node (no fetch() of the
#    .wasm path) and pass EMNET_* settings from the host environment;
#  - FORCE_FILESYSTEM keeps Emscripten's FS even when a program only calls
#    write/close, because socket fds are FS streams;
#  - EXIT_RUNTIME makes main's return value the process exit status in Node
#    and reach Module.onExit in a page.
set(EMNET_WASM_LINK_OPTIONS
  "SHELL:--pre-js ${EMNET_JS_DIR}/pre_node_wasm.js"
  "SHELL:--pre-js ${EMNET_JS_DIR}/pre_env.js"
  -sFORCE_FILESYSTEM=1
  -sEXIT_RUNTIME=1
  -sALLOW_MEMORY_GROWTH=1)

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

# emnet_wasm_link(<target> [ASYNCIFY | JSPI])
#   ASYNCIFY: blocking calls (epoll_wait/poll/select with a timeout, reads
#   of blocking fds) suspend the program instead of failing with ENOTSUP.
#   JSPI: the same through WebAssembly.Suspending where the engine has it
#   (Chromium), without ASYNCIFY's code growth; links at -O2 (js/jspi.js).
function(emnet_wasm_link target)
  cmake_parse_arguments(W "ASYNCIFY;JSPI" "" "" ${ARGN})
  target_link_options(${target} PRIVATE ${EMNET_WASM_LINK_OPTIONS})
  if(W_ASYNCIFY)
    # A suspended call's stack is saved in ASYNCIFY's buffer; Emscripten's
    # 4 KiB default overflows ("RuntimeError: unreachable" at the unwind)
    # when the blocking call sits under deep frames, as in a program linked
    # without inlining (-O1). 64 KiB costs only memory.
    target_link_options(${target} PRIVATE -sASYNCIFY -sASYNCIFY_STACK_SIZE=65536 -sASYNCIFY_IMPORTS=emnet_js_wait
                        "SHELL:--pre-js ${EMNET_JS_DIR}/asyncify_main.js")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${EMNET_JS_DIR}/asyncify_main.js")
  endif()
  if(W_JSPI)
    target_link_options(${target} PRIVATE -O2 "SHELL:--pre-js ${EMNET_JS_DIR}/jspi.js")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${EMNET_JS_DIR}/jspi.js")
  endif()
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    "${EMNET_JS_DIR}/pre_node_wasm.js" "${EMNET_JS_DIR}/pre_env.js")
endfunction()
