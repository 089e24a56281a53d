/* errno values by name: each build maps its own numbers (Linux's natively,
 * Emscripten's WASI-based ones in wasm) to the same names, so traces
 * compare by name. */
#ifndef EMNET_CONFORMANCE_ERRNO_NAMES_H
#define EMNET_CONFORMANCE_ERRNO_NAMES_H

#include <errno.h>
#include <stdio.h>

#define TRACE_ERRNO_LIST(X)                                                        \
    X(EPERM) X(ENOENT) X(EINTR) X(EIO) X(EBADF) X(EAGAIN) X(ENOMEM) X(EACCES)      \
    X(EFAULT) X(EBUSY) X(EEXIST) X(ENODEV) X(EINVAL) X(ENFILE) X(EMFILE)           \
    X(ENOTTY) X(ENOSPC) X(ESPIPE) X(EPIPE) X(ERANGE) X(ENOSYS) X(ELOOP)            \
    X(ENOTSOCK) X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE) X(ENOPROTOOPT)           \
    X(EPROTONOSUPPORT) X(EOPNOTSUPP) X(EAFNOSUPPORT) X(EADDRINUSE)                 \
    X(EADDRNOTAVAIL) X(ENETDOWN) X(ENETUNREACH) X(ECONNABORTED) X(ECONNRESET)      \
    X(ENOBUFS) X(EISCONN) X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTUNREACH) \
    X(EALREADY) X(EINPROGRESS) X(ECANCELED) X(ESOCKTNOSUPPORT) X(ENAMETOOLONG)

static inline const char *trace_errno_name(int e)
{
    static char other[32];
    if (e == 0) return "(errno 0)";
#define TRACE_ERRNO_CASE(name) if (e == name) return #name;
    TRACE_ERRNO_LIST(TRACE_ERRNO_CASE)
#undef TRACE_ERRNO_CASE
    snprintf(other, sizeof other, "errno%d", e);
    return other;
}

#endif
