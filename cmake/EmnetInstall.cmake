# Installing emnet for programs built outside this tree (component
# `library`; README.md "Use emnet in your own program"):
#   include/emnet/*.h                      the public headers
#   lib/emscripten/libemnet.a              the wasm library (link it whole)
#   lib/libemnet.a                         the native one (the hosted loop over the kernel)
#   share/emnet/js/                        the --js-library and pre-js files
#   lib/cmake/emnet/                       find_package(emnet): emnet::emnet, emnet_link()
#   lib/emscripten/pkgconfig/emnet.pc      pkg-config (lib/pkgconfig/emnet.pc natively)
#   bin/emnet-config                       flags for Makefiles (wasm, or --native)
# The wasm and the native build install into one prefix side by side, so a
# program's one build script serves both.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(EMNET_WASM_LIBDIR "${CMAKE_INSTALL_LIBDIR}/emscripten")
set(EMNET_NATIVE_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
set(EMNET_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/emnet")
set(EMNET_INSTALL_JS_DIR "${CMAKE_INSTALL_DATADIR}/emnet/js")

# One archive of every module's objects: what the build tree links as
# object libraries (so that every call emnet takes over from Emscripten is
# in), a program outside it links whole.
if(EMSCRIPTEN)
  add_library(emnet_archive STATIC $<TARGET_OBJECTS:emnet_reactor> $<TARGET_OBJECTS:emnet_net>)
  set(libdir "${EMNET_WASM_LIBDIR}")
else()
  add_library(emnet_archive STATIC $<TARGET_OBJECTS:emnet_reactor>)
  set(libdir "${EMNET_NATIVE_LIBDIR}")
endif()
set_target_properties(emnet_archive PROPERTIES OUTPUT_NAME emnet LINKER_LANGUAGE C)
install(TARGETS emnet_archive ARCHIVE DESTINATION "${libdir}" COMPONENT library)
install(DIRECTORY "${EMNET_INCLUDE_DIR}/emnet" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT library
        FILES_MATCHING PATTERN "*.h")

# The CMake package, the same for both builds (it picks the library by
# EMSCRIPTEN in the consumer's build).
configure_package_config_file(cmake/install/emnetConfig.cmake.in "${CMAKE_CURRENT_BINARY_DIR}/emnetConfig.cmake"
  INSTALL_DESTINATION "${EMNET_CMAKE_DIR}")
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/emnetConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/emnetConfig.cmake" "${CMAKE_CURRENT_BINARY_DIR}/emnetConfigVersion.cmake"
              cmake/emnetLinkOptions.cmake
        DESTINATION "${EMNET_CMAKE_DIR}" COMPONENT library)

# pkg-config and emnet-config take their flags from emnetLinkOptions.cmake's
# lists, with paths relative to the installed prefix.
if(EMSCRIPTEN)
  set(EMNET_JS_DIR "\${jsdir}")
  emnet_link_options(opts JS_LIBRARIES BASE)
  list(JOIN opts " " EMNET_PC_LINK_OPTIONS)
  set(EMNET_PC_LIBS "-Wl,--whole-archive \${libdir}/libemnet.a -Wl,--no-whole-archive ${EMNET_PC_LINK_OPTIONS}")
  set(EMNET_PC_LIBDIR "${EMNET_WASM_LIBDIR}")
  foreach(mode ASYNCIFY JSPI)
    set(EMNET_JS_DIR "\${jsdir}")
    emnet_link_options(opts ${mode})
    list(JOIN opts " " EMNET_CONFIG_${mode})
  endforeach()
  set(EMNET_JS_DIR "${CMAKE_SOURCE_DIR}/js")   # back to the tree's
  set(js ${EMNET_JS_LIBRARIES} ${EMNET_PRE_JS} ${EMNET_ASYNCIFY_PRE_JS} ${EMNET_JSPI_PRE_JS})
  list(TRANSFORM js PREPEND "${EMNET_JS_DIR}/")
  install(FILES ${js} DESTINATION "${EMNET_INSTALL_JS_DIR}" COMPONENT library)
else()
  set(EMNET_PC_LIBS "\${libdir}/libemnet.a")
  set(EMNET_PC_LIBDIR "${EMNET_NATIVE_LIBDIR}")
endif()
file(RELATIVE_PATH EMNET_PC_TO_PREFIX "/${EMNET_PC_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" EMNET_PC_TO_PREFIX "${EMNET_PC_TO_PREFIX}")
configure_file(cmake/install/emnet.pc.in "${CMAKE_CURRENT_BINARY_DIR}/emnet.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/emnet.pc" DESTINATION "${EMNET_PC_LIBDIR}/pkgconfig" COMPONENT library)
if(EMSCRIPTEN)
  # One emnet-config serves both builds; the wasm install writes it.
  file(RELATIVE_PATH EMNET_CONFIG_TO_PREFIX "/${CMAKE_INSTALL_BINDIR}" "/")
  configure_file(cmake/install/emnet-config.in "${CMAKE_CURRENT_BINARY_DIR}/emnet-config" @ONLY)
  install(PROGRAMS "${CMAKE_CURRENT_BINARY_DIR}/emnet-config" DESTINATION "${CMAKE_INSTALL_BINDIR}"
          COMPONENT library)
endif()
