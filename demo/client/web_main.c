/* The chat client in a page (wasm). main() starts the chat on the
 * hosted loop and returns to the browser; after that the page calls
 *   Module.ccall('emnet_chat_page_input', null, ['string', 'string'], [tab, text])
 * for each line the user sends (tab: the channel or nick shown), and the
 * program calls Module.onChatEvent(line) for each event, a line
 * "type\twhere\twho\ttext" (demo/irc/irc_client.h). All protocol work is
 * here in C; the page only draws. */
#include <emscripten.h>
#include <stdio.h>

#include "args.h"
#include "chat.h"

/* Called by the page (exported). */
void emnet_chat_page_input(const char *tab, const char *line);

static struct emnet_chat *chat;

EM_JS(void, emnet_chat_page_event, (const char *line), {
    var text = UTF8ToString(line);
    if (Module['onChatEvent']) Module['onChatEvent'](text);
});

static void on_event(void *arg, const char *line)
{
    (void)arg;
    emnet_chat_page_event(line);
}

/* The page stays as it is after /quit: the user reloads to start again. */
static void on_closed(void *arg)
{
    (void)arg;
}

static const struct emnet_chat_ops chat_ops = { on_event, on_closed };

EMSCRIPTEN_KEEPALIVE void emnet_chat_page_input(const char *tab, const char *line)
{
    if (chat) emnet_chat_input(chat, tab && tab[0] ? tab : NULL, line);
}

int main(int argc, char **argv)
{
    struct emnet_chat_config cfg;
    if (emnet_chat_parse_args(argc, argv, &cfg) < 0) return 2;
    emnet_loop *loop = emnet_loop_new();
    if (!loop) {
        perror("emnet_loop_new");
        return 1;
    }
    chat = emnet_chat_new(loop, &cfg, &chat_ops, NULL);
    if (!chat) {
        perror("emnet_chat_new");
        return 1;
    }
    return emnet_loop_run(loop);   /* in wasm: returns to the browser, never here */
}
