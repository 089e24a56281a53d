/* Where emnet takes over Emscripten's fd calls (3.1.6): read, write and
 * close arrive as the WASI imports fd_read/fd_write/fd_close, fcntl and
 * ioctl as __syscall_fcntl64/__syscall_ioctl, dup as __syscall_dup/dup3.
 * Defining them here makes wasm-ld bind the program's calls to us; for fds
 * that are not emnet's we call Emscripten's own JS implementation, which
 * stays reachable under its import name through the stock_* declarations.
 *
 * Keep every such override in this file and emscripten_poll.c, so that a
 * newer Emscripten is a change here, not everywhere. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <wasi/api.h>

#include "internal.h"

#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
#define ENV_IMPORT(name) __attribute__((import_module("env"), import_name(name)))

WASI_IMPORT("fd_read") __wasi_errno_t stock_fd_read(__wasi_fd_t, const __wasi_iovec_t *, size_t, __wasi_size_t *);
WASI_IMPORT("fd_write") __wasi_errno_t stock_fd_write(__wasi_fd_t, const __wasi_ciovec_t *, size_t, __wasi_size_t *);
WASI_IMPORT("fd_close") __wasi_errno_t stock_fd_close(__wasi_fd_t);
WASI_IMPORT("fd_seek") __wasi_errno_t stock_fd_seek(__wasi_fd_t, __wasi_filedelta_t, __wasi_whence_t, __wasi_filesize_t *);
WASI_IMPORT("fd_pread") __wasi_errno_t stock_fd_pread(__wasi_fd_t, const __wasi_iovec_t *, size_t, __wasi_filesize_t,
                                                      __wasi_size_t *);
WASI_IMPORT("fd_pwrite") __wasi_errno_t stock_fd_pwrite(__wasi_fd_t, const __wasi_ciovec_t *, size_t, __wasi_filesize_t,
                                                        __wasi_size_t *);
ENV_IMPORT("__syscall_fcntl64") long stock_fcntl64(long fd, long cmd, ...);
ENV_IMPORT("__syscall_ioctl") long stock_ioctl(long fd, long request, ...);
ENV_IMPORT("__syscall_dup") long stock_dup(long fd);
ENV_IMPORT("__syscall_dup3") long stock_dup3(long fd, long newfd, long flags);

/* Our definitions, with the signatures musl's syscall_arch.h gives them. */
long __syscall_fcntl64(long fd, long cmd, ...);
long __syscall_ioctl(long fd, long request, ...);
long __syscall_dup(long fd);
long __syscall_dup3(long fd, long newfd, long flags);

int emnet__fs_fd_exists(int fd)
{
    return !emnet_pollable_get(fd) && emnet_js_stream_cloexec(fd, -1) >= 0;
}

/* readv goes through one bounce buffer, so that a pollable sees a single
 * read (an eventfd needs its 8 bytes whole, a stream gives all it has up
 * to the total asked for). The cap only keeps a huge iovec from becoming
 * a huge allocation; a stream may return less, as Linux allows. */
#define BOUNCE_MAX (64u << 20)

__wasi_errno_t __wasi_fd_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t n, __wasi_size_t *nread)
{
    struct emnet_pollable *p = emnet_pollable_get((int)fd);
    if (!p) return stock_fd_read(fd, iovs, n, nread);
    long r;
    if (n == 1) {
        r = emnet__fd_read(p, iovs[0].buf, iovs[0].buf_len);
    } else {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) total += iovs[i].buf_len;
        if (total > BOUNCE_MAX) total = BOUNCE_MAX;
        uint8_t *tmp = malloc(total ? total : 1);
        if (!tmp) return ENOMEM;
        r = emnet__fd_read(p, tmp, total);
        for (size_t i = 0, off = 0; r > 0 && i < n && off < (size_t)r; i++) {
            size_t c = (size_t)r - off < iovs[i].buf_len ? (size_t)r - off : iovs[i].buf_len;
            memcpy(iovs[i].buf, tmp + off, c);
            off += c;
        }
        free(tmp);
    }
    if (r < 0) return (__wasi_errno_t)-r;
    *nread = (__wasi_size_t)r;
    return 0;
}

__wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n, __wasi_size_t *nwritten)
{
    struct emnet_pollable *p = emnet_pollable_get((int)fd);
    if (!p) return stock_fd_write(fd, iovs, n, nwritten);
    if (p->ops->gather_writes && n > 1) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) total += iovs[i].buf_len;
        if (total > BOUNCE_MAX) total = BOUNCE_MAX;
        uint8_t *tmp = malloc(total ? total : 1);
        if (!tmp) return ENOMEM;
        for (size_t i = 0, off = 0; i < n && off < total; i++) {
            size_t c = total - off < iovs[i].buf_len ? total - off : iovs[i].buf_len;
            memcpy(tmp + off, iovs[i].buf, c);
            off += c;
        }
        long r = emnet__fd_write(p, tmp, total);
        free(tmp);
        if (r < 0) return (__wasi_errno_t)-r;
        *nwritten = (__wasi_size_t)r;
        return 0;
    }
    /* Like Linux for a file without write_iter (eventfd): one write per
     * buffer, stopping at the first error or short write; an error counts
     * only if nothing was written before it. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        long r = emnet__fd_write(p, iovs[i].buf, iovs[i].buf_len);
        if (r < 0) {
            if (total) break;
            return (__wasi_errno_t)-r;
        }
        total += (size_t)r;
        if ((size_t)r < iovs[i].buf_len) break;
    }
    *nwritten = (__wasi_size_t)total;
    return 0;
}

/* emnet's fds are anonymous files: seeking is a no-op that stays at 0
 * (Linux's noop_llseek), positioned I/O is ESPIPE. */
__wasi_errno_t __wasi_fd_seek(__wasi_fd_t fd, __wasi_filedelta_t offset, __wasi_whence_t whence,
                              __wasi_filesize_t *newoffset)
{
    if (!emnet_pollable_get((int)fd)) return stock_fd_seek(fd, offset, whence, newoffset);
    if (whence != __WASI_WHENCE_SET && whence != __WASI_WHENCE_CUR && whence != __WASI_WHENCE_END) return EINVAL;
    *newoffset = 0;
    return 0;
}

__wasi_errno_t __wasi_fd_pread(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t n, __wasi_filesize_t offset,
                               __wasi_size_t *nread)
{
    if (!emnet_pollable_get((int)fd)) return stock_fd_pread(fd, iovs, n, offset, nread);
    return ESPIPE;
}

__wasi_errno_t __wasi_fd_pwrite(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n, __wasi_filesize_t offset,
                                __wasi_size_t *nwritten)
{
    if (!emnet_pollable_get((int)fd)) return stock_fd_pwrite(fd, iovs, n, offset, nwritten);
    return ESPIPE;
}

__wasi_errno_t __wasi_fd_close(__wasi_fd_t fd)
{
    if (!emnet_pollable_get((int)fd)) return stock_fd_close(fd);
    return (__wasi_errno_t)-emnet__fd_close((int)fd);
}

/* The status flags fcntl(F_SETFL) may change, as Linux's SETFL_MASK. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME | O_ASYNC)

/* Emscripten's own fcntl only ever adds status flags and keeps no
 * FD_CLOEXEC, and its ioctl aborts the program on FIONBIO and FIOCLEX. For
 * its fds (files, ttys) those are answered here, on its stream objects;
 * everything else is passed on. */
static long fs_fcntl(long fd, long cmd, long arg)
{
    switch (cmd) {
    case F_GETFD:
        return emnet_js_stream_cloexec((int)fd, -1);
    case F_SETFD:
        return emnet_js_stream_cloexec((int)fd, (arg & FD_CLOEXEC) != 0) < 0 ? -EBADF : 0;
    case F_GETFL:
        return emnet_js_stream_flags((int)fd, 0, 0);
    case F_SETFL: {
        long r = emnet_js_stream_flags((int)fd, SETFL_MASK, (int)(arg & SETFL_MASK));
        return r < 0 ? r : 0;
    }
    default:
        return stock_fcntl64(fd, cmd, arg);
    }
}

long __syscall_fcntl64(long fd, long cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);

    struct emnet_pollable *p = emnet_pollable_get((int)fd);
    if (!p) return fs_fcntl(fd, cmd, arg);
    switch (cmd) {
    case F_GETFD:
        return emnet__fd_cloexec((int)fd, -1) ? FD_CLOEXEC : 0;
    case F_SETFD:
        return emnet__fd_cloexec((int)fd, (arg & FD_CLOEXEC) != 0) < 0 ? -EBADF : 0;
    case F_GETFL:
        return O_RDWR | p->status_flags;
    case F_SETFL:
        p->status_flags = (p->status_flags & ~SETFL_MASK) | (int)(arg & SETFL_MASK);
        return 0;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (arg < 0 || arg >= EMNET__MAX_FDS) return -EINVAL;
        return emnet__fd_dup((int)fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
    case F_GETOWN:
    case F_SETOWN:
        return 0;   /* no signals in a page: nobody owns the fd */
    default:
        return -EINVAL;
    }
}

long __syscall_ioctl(long fd, long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);

    struct emnet_pollable *p = emnet_pollable_get((int)fd);
    switch (request) {
    case FIONBIO: {
        if (!arg) return -EFAULT;
        int on = *(int *)arg != 0;
        if (p) {
            emnet__fd_set_nonblock(p, on);
            return 0;
        }
        long r = emnet_js_stream_flags((int)fd, O_NONBLOCK, on ? O_NONBLOCK : 0);
        return r < 0 ? r : 0;
    }
    case FIOCLEX:
    case FIONCLEX: {
        long r = p ? emnet__fd_cloexec((int)fd, request == FIOCLEX)
                   : emnet_js_stream_cloexec((int)fd, request == FIOCLEX);
        return r < 0 ? r : 0;
    }
    default:
        if (!p) return stock_ioctl(fd, request, arg);
        return p->ops->ioctl ? p->ops->ioctl(p, (unsigned long)request, arg) : -ENOTTY;
    }
}

long __syscall_dup(long fd)
{
    if (!emnet_pollable_get((int)fd)) return stock_dup(fd);
    return emnet__fd_dup((int)fd, 0, 0);
}

long __syscall_dup3(long fd, long newfd, long flags)
{
    /* Linux's checks, all before newfd is touched: a failed dup2/dup3 must
     * leave newfd open. */
    if (flags & ~O_CLOEXEC) return -EINVAL;
    if (fd == newfd) return -EINVAL;
    if (newfd < 0 || newfd >= EMNET__MAX_FDS) return -EBADF;
    int emnet_old = emnet_pollable_get((int)fd) != NULL;
    if (!emnet_old && !emnet__fs_fd_exists((int)fd)) return -EBADF;
    /* dup3 replaces whatever newfd was, silently. */
    if (emnet_pollable_get((int)newfd)) emnet__fd_close((int)newfd);
    if (!emnet_old) return stock_dup3(fd, newfd, flags);
    stock_fd_close((__wasi_fd_t)newfd);   /* a file there, if any */
    long r = emnet__fd_dup((int)fd, (int)newfd, (flags & O_CLOEXEC) != 0);
    return r == newfd || r < 0 ? r : -EBUSY;
}
