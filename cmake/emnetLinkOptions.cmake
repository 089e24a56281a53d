# The link options of an emnet wasm program, in one place for the source
# tree (EmnetWasm.cmake) and the installed package (emnetConfig.cmake,
# emnet.pc, emnet-config are generated from these lists). Set EMNET_JS_DIR
# to the folder of emnet's JS files before including this file.

# Every program:
#  - the --js-library files are emnet's JS half (sockets' WebSocket and
#    WebTransport objects, the wait import, the resolver);
#  - the pre-js files make the same .js run under Node (no fetch() of the
#    .wasm path) and pass EMNET_* settings from the host environment;
#  - FORCE_FILESYSTEM keeps Emscripten's FS even when a program only calls
#    write/close, because socket fds are FS streams;
#  - EXIT_RUNTIME makes main's return value the process exit status in Node
#    and reach Module.onExit in a page;
#  - receive buffers grow with what a socket holds: ALLOW_MEMORY_GROWTH.
set(EMNET_JS_LIBRARIES library_emnet.js library_emnet_websocket.js library_emnet_webtransport.js
    library_emnet_dns.js)
set(EMNET_PRE_JS pre_node_wasm.js pre_env.js)
set(EMNET_WASM_FLAGS -sFORCE_FILESYSTEM=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1)

# Blocking calls (epoll_wait/poll/select with a timeout, reads of blocking
# fds) suspend the program instead of failing with ENOTSUP:
#  - ASYNCIFY: a suspended call's stack is saved in ASYNCIFY's buffer;
#    Emscripten's 4 KiB default overflows ("RuntimeError: unreachable" at
#    the unwind) when the blocking call sits under deep frames, as in a
#    program linked without inlining (-O1). 64 KiB costs only memory.
#  - JSPI: the same through WebAssembly.Suspending where the engine has it
#    (Chromium), without ASYNCIFY's code growth; needs readable import and
#    export names, so it links at -O2 (js/jspi.js).
set(EMNET_ASYNCIFY_FLAGS -sASYNCIFY -sASYNCIFY_STACK_SIZE=65536 -sASYNCIFY_IMPORTS=emnet_js_wait)
set(EMNET_ASYNCIFY_PRE_JS asyncify_main.js)
set(EMNET_JSPI_FLAGS -O2)
set(EMNET_JSPI_PRE_JS jspi.js)

# emnet_link_options(<out-var> [JS_LIBRARIES] [BASE] [ASYNCIFY] [JSPI]):
# the options, with the files of EMNET_JS_DIR, in the order given. BASE is
# what every program needs beside the --js-library files (JS_LIBRARIES);
# ASYNCIFY and JSPI add only what blocking calls need on top.
function(emnet_link_options out)
  cmake_parse_arguments(W "JS_LIBRARIES;BASE;ASYNCIFY;JSPI" "" "" ${ARGN})
  set(opts)
  if(W_JS_LIBRARIES)
    foreach(f IN LISTS EMNET_JS_LIBRARIES)
      list(APPEND opts "--js-library=${EMNET_JS_DIR}/${f}")
    endforeach()
  endif()
  foreach(part BASE ASYNCIFY JSPI)
    if(W_${part})
      if(part STREQUAL "BASE")
        set(pre ${EMNET_PRE_JS})
        set(flags ${EMNET_WASM_FLAGS})
      else()
        set(pre ${EMNET_${part}_PRE_JS})
        set(flags ${EMNET_${part}_FLAGS})
      endif()
      foreach(f IN LISTS pre)
        list(APPEND opts "--pre-js=${EMNET_JS_DIR}/${f}")
      endforeach()
      list(APPEND opts ${flags})
    endif()
  endforeach()
  set(${out} "${opts}" PARENT_SCOPE)
endfunction()
