/* emnet: POSIX sockets and epoll for Emscripten programs.
 *
 * The umbrella header. Each module adds its own public header beside this
 * one (emnet/reactor.h, emnet/net.h); include what you use. */
#ifndef EMNET_EMNET_H
#define EMNET_EMNET_H

#define EMNET_VERSION_MAJOR 0
#define EMNET_VERSION_MINOR 1
#define EMNET_VERSION_PATCH 0

#endif
