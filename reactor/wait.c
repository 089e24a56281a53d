/* The blocking bridge: how a call that must wait (epoll_wait, poll or
 * select with a timeout, read of an empty blocking eventfd) waits.
 *
 * A page cannot block. With ASYNCIFY (or JSPI) the program is suspended,
 * the browser runs, and the first notification (a JS callback writing an
 * eventfd, data arriving on a socket) or the deadline -- whichever comes
 * first -- resumes it; the caller then looks again. Without either, a call
 * that would block fails at once with ENOTSUP after one console message
 * that names the fix; it never spins. */
#include <errno.h>

#include "internal.h"

static int suspended;

int emnet__block_until(uint64_t deadline_ns)
{
    if (!emnet_js_can_block()) {
        emnet_js_warn_once(
            "emnet: a call would block (epoll_wait/poll/select with a timeout, or read/write on a "
            "blocking fd), and this build cannot suspend, so the page would freeze. Link with "
            "-sASYNCIFY -sASYNCIFY_IMPORTS=emnet_js_wait (CMake: emnet_wasm_link(<target> ASYNCIFY)), "
            "or use non-blocking fds with a zero timeout and the hosted loop (emnet_loop_run). "
            "The call fails with ENOTSUP.");
        return -ENOTSUP;
    }
    uint64_t next = emnet__timers_next();
    if (next < deadline_ns) deadline_ns = next;   /* a timerfd may come due first */
    uint64_t now = emnet__now_ns();
    if (deadline_ns > now) {
        double ms = deadline_ns == EMNET__NEVER ? -1.0 : (double)(deadline_ns - now) / 1e6;
        suspended = 1;
        emnet_js_wait(ms);
        suspended = 0;
    }
    emnet__timers_run();
    return 0;
}

uint64_t emnet__deadline_after(uint64_t timeout_ns)
{
    return timeout_ns ? emnet__now_ns() + timeout_ns : EMNET__NEVER;
}

int emnet__wait_until(uint64_t deadline_ns)
{
    if (deadline_ns != EMNET__NEVER && emnet__now_ns() >= deadline_ns) return -EAGAIN;
    return emnet__block_until(deadline_ns);   /* the caller tries once more, then stops here */
}

void emnet__wake(void)
{
    if (suspended) {
        suspended = 0;
        emnet_js_wake();
    }
}
