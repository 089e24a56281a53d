/* emnet-chat: the chat client in a terminal. Commands come on stdin, one
 * per line (/join #c, /part, /msg nick text, /nick new, /quit, or text
 * for the current channel); events go to stdout, one per line, as
 * "type\twhere\twho\ttext" (see demo/irc/irc_client.h), flushed at once so
 * that a program driving us through pipes sees each as it happens.
 * End of input, SIGINT (Ctrl-C) and SIGTERM mean /quit; a second signal
 * stops at once. Exits 0 once the chat is closed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "args.h"
#include "chat.h"

#define INPUT_MAX 16384   /* longer lines are dropped; long texts are split into IRC lines later */

struct term {
    emnet_loop *loop;
    struct emnet_chat *chat;
    char in[INPUT_MAX];
    size_t inlen;
    int stdin_watched;
    int sigfd;
    int signals;
};

static void on_event(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
    fflush(stdout);
}

static void on_closed(void *arg)
{
    struct term *t = arg;
    emnet_loop_stop(t->loop, 0);
}

static const struct emnet_chat_ops chat_ops = { on_event, on_closed };

static void stop_reading(struct term *t)
{
    if (!t->stdin_watched) return;
    emnet_loop_del(t->loop, STDIN_FILENO);
    t->stdin_watched = 0;
}

static void on_stdin(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)loop, (void)events;
    struct term *t = arg;
    for (;;) {
        ssize_t n = read(fd, t->in + t->inlen, sizeof t->in - 1 - t->inlen);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {   /* end of input (or a broken terminal): leave politely */
            stop_reading(t);
            emnet_chat_input(t->chat, NULL, "/quit");
            return;
        }
        t->inlen += (size_t)n;
        char *start = t->in, *nl;
        while ((nl = memchr(start, '\n', t->inlen - (size_t)(start - t->in))) != NULL) {
            *nl = '\0';
            if (nl > start && nl[-1] == '\r') nl[-1] = '\0';
            emnet_chat_input(t->chat, NULL, start);
            start = nl + 1;
        }
        t->inlen -= (size_t)(start - t->in);
        memmove(t->in, start, t->inlen);
        if (t->inlen == sizeof t->in - 1) t->inlen = 0;   /* an endless line: drop it */
    }
}

/* Signals arrive as readable data on a signalfd, so they are handled in
 * the loop like any input, never inside a signal handler. */
static void on_signal(emnet_loop *loop, int fd, uint32_t events, void *arg)
{
    (void)events;
    struct term *t = arg;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (t->signals++ > 0) {
            emnet_loop_stop(loop, 130);
            return;
        }
        stop_reading(t);
        emnet_chat_input(t->chat, NULL, "/quit interrupted");
    }
}

static int watch_signals(struct term *t)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return -1;
    t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (t->sigfd < 0) return -1;
    return emnet_loop_add(t->loop, t->sigfd, EPOLLIN, on_signal, t);
}

int main(int argc, char **argv)
{
    struct emnet_chat_config cfg;
    if (emnet_chat_parse_args(argc, argv, &cfg) < 0) return 2;
    struct term t = { .sigfd = -1 };
    t.loop = emnet_loop_new();
    if (!t.loop) {
        perror("emnet_loop_new");
        return 1;
    }
    int flags = fcntl(STDIN_FILENO, F_GETFL);
    fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
    t.chat = emnet_chat_new(t.loop, &cfg, &chat_ops, &t);
    if (!t.chat) {
        perror("emnet_chat_new");
        return 1;
    }
    if (watch_signals(&t) < 0) perror("emnet-chat: signals");
    if (emnet_loop_add(t.loop, STDIN_FILENO, EPOLLIN, on_stdin, &t) == 0) t.stdin_watched = 1;
    else fprintf(stderr, "emnet-chat: cannot watch stdin (%s): no commands will be read\n", strerror(errno));
    int status = emnet_loop_run(t.loop);
    stop_reading(&t);
    if (t.sigfd >= 0) {
        emnet_loop_del(t.loop, t.sigfd);
        close(t.sigfd);
    }
    fcntl(STDIN_FILENO, F_SETFL, flags);   /* a terminal shared with the shell stays blocking */
    emnet_chat_free(t.chat);
    emnet_loop_free(t.loop);
    return status;
}
