# Warning and sanitizer flags shared by every target of the tree.
#
# emnet_target_defaults(<target>) applies them; modules call it on each
# library and executable they define so no target escapes -Werror.

set(EMNET_WARNING_FLAGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
if(EMNET_WERROR)
  list(APPEND EMNET_WARNING_FLAGS -Werror)
endif()

if(EMNET_SANITIZE AND NOT EMSCRIPTEN)
  set(EMNET_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
else()
  set(EMNET_SANITIZE_FLAGS "")
endif()

function(emnet_target_defaults target)
  target_compile_options(${target} PRIVATE ${EMNET_WARNING_FLAGS} ${EMNET_SANITIZE_FLAGS})
  target_link_options(${target} PRIVATE ${EMNET_SANITIZE_FLAGS})
  target_include_directories(${target} PRIVATE "${EMNET_INCLUDE_DIR}")
endfunction()
