/* mqtt_echo: libmosquitto, compiled unchanged, in a page. The program
 * connects to an MQTT broker (through emnet-proxy, like any TCP server),
 * subscribes to emnet/to-page/#, and answers every message it gets on
 * emnet/from-page/<the same rest of the topic>, with the same payload and
 * QoS. It also leaves a retained message (emnet/from-page/retained) and a
 * will (emnet/will, "page gone", sent by the broker if the connection is
 * cut without a DISCONNECT). libmosquitto's own loop reconnects when the
 * broker goes away and comes back; the subscription is made again on each
 * connect. A message on emnet/to-page/quit ends the program (status 0).
 *
 *   mqtt_echo HOST PORT [CLIENT_ID]
 *
 * Each event is printed on one line, for the test that drives it. Blocking
 * calls (connect, select in mosquitto_loop_forever): link with ASYNCIFY. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

static void on_connect(struct mosquitto *mosq, void *arg, int rc)
{
    (void)arg;
    printf("connected rc=%d\n", rc);
    if (rc != 0) return;
    mosquitto_subscribe(mosq, NULL, "emnet/to-page/#", 2);
    static const char retained[] = "retained from the page";
    mosquitto_publish(mosq, NULL, "emnet/from-page/retained", (int)strlen(retained), retained, 1, true);
}

static void on_subscribe(struct mosquitto *mosq, void *arg, int mid, int count, const int *granted)
{
    (void)mosq, (void)arg, (void)mid;
    printf("subscribed qos=%d\n", count > 0 ? granted[0] : -1);
}

static void on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
    (void)mosq, (void)arg;
    printf("disconnected rc=%d\n", rc);
}

static void on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *m)
{
    (void)arg;
    printf("got %s qos=%d retain=%d %.*s\n", m->topic, m->qos, m->retain ? 1 : 0, m->payloadlen,
           (const char *)m->payload);
    const char *rest = m->topic + strlen("emnet/to-page/");
    if (!strcmp(rest, "quit")) {
        mosquitto_disconnect(mosq);
        return;
    }
    char topic[256];
    snprintf(topic, sizeof topic, "emnet/from-page/echo/%s", rest);
    int rc = mosquitto_publish(mosq, NULL, topic, m->payloadlen, m->payload, m->qos, false);
    if (rc != MOSQ_ERR_SUCCESS) printf("publish failed: %s\n", mosquitto_strerror(rc));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [CLIENT_ID]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(argc > 3 ? argv[3] : "emnet-page", true, NULL);
    if (!mosq) {
        perror("mosquitto_new");
        return 1;
    }
    static const char will[] = "page gone";
    mosquitto_will_set(mosq, "emnet/will", (int)strlen(will), will, 1, false);
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_subscribe_callback_set(mosq, on_subscribe);
    mosquitto_disconnect_callback_set(mosq, on_disconnect);
    mosquitto_message_callback_set(mosq, on_message);
    mosquitto_reconnect_delay_set(mosq, 1, 2, false);

    int rc = mosquitto_connect(mosq, argv[1], atoi(argv[2]), 10);
    if (rc != MOSQ_ERR_SUCCESS) {
        printf("connect failed: %s\n", mosquitto_strerror(rc));
        return 1;
    }
    /* Returns after mosquitto_disconnect(); reconnects by itself before. */
    rc = mosquitto_loop_forever(mosq, 1000, 1);
    printf("loop ended: %s\n", mosquitto_strerror(rc));
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    return rc == MOSQ_ERR_SUCCESS ? 0 : 1;
}
