#define _POSIX_C_SOURCE 200809L

#include "emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "emulator control: %s%s%s\n", what, detail != NULL ? ": " : "", detail != NULL ? detail : "");
    exit(2);
}

/* Host (an IPv4 literal: the emulator listens on loopback) and port of the
 * broker URL "http://HOST:PORT/...". */
static struct sockaddr_in control_address(void) {
    const char *url = harness_env("VD_TEST_BROKER_URL");
    char host[64];
    unsigned port = 0;
    if (sscanf(url, "http://%63[0-9.]:%u", host, &port) != 2 || port == 0 || port > 65535) {
        fail("VD_TEST_BROKER_URL is not http://IPv4:PORT/...", url);
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fail("bad host in VD_TEST_BROKER_URL", url);
    }
    return address;
}

static void send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t sent = send(fd, data, len, MSG_NOSIGNAL);
        if (sent <= 0) {
            fail("send failed", NULL);
        }
        data += sent;
        len -= (size_t)sent;
    }
}

/* Reads until the server closes (the request said Connection: close). */
static char *receive_all(int fd) {
    size_t capacity = 16384, used = 0;
    char *data = malloc(capacity);
    for (;;) {
        if (data == NULL) {
            fail("out of memory", NULL);
        }
        if (used + 1 == capacity) {
            capacity *= 2;
            data = realloc(data, capacity);
            continue;
        }
        ssize_t got = recv(fd, data + used, capacity - used - 1, 0);
        if (got < 0) {
            fail("recv failed", NULL);
        }
        if (got == 0) {
            break;
        }
        used += (size_t)got;
    }
    data[used] = '\0';
    return data;
}

int emulator_call(const char *method, const char *path, const char *json_body, char **out_body) {
    struct sockaddr_in address = control_address();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        fail("cannot connect to the emulator", harness_env("VD_TEST_BROKER_URL"));
    }
    const char *body = json_body != NULL ? json_body : "";
    char head[512];
    int head_len = snprintf(head, sizeof head,
                            "%s %s HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            method, path, strlen(body));
    if (head_len < 0 || (size_t)head_len >= sizeof head) {
        fail("request line too long", path);
    }
    send_all(fd, head, (size_t)head_len);
    send_all(fd, body, strlen(body));
    char *answer = receive_all(fd);
    close(fd);

    int status = 0;
    char *payload = strstr(answer, "\r\n\r\n");
    if (sscanf(answer, "HTTP/1.1 %d", &status) != 1 || payload == NULL) {
        fail("not an HTTP answer", path);
    }
    if (out_body != NULL) {
        payload += 4;
        memmove(answer, payload, strlen(payload) + 1);
        *out_body = answer;
    } else {
        free(answer);
    }
    return status;
}

static void expect_ok(const char *method, const char *path, const char *body) {
    char *answer = NULL;
    int status = emulator_call(method, path, body, &answer);
    if (status != 200) {
        fprintf(stderr, "emulator control: %s %s %s -> %d %s\n", method, path, body != NULL ? body : "", status,
                answer);
        free(answer);
        exit(2);
    }
    free(answer);
}

void emulator_reset(void) {
    expect_ok("POST", "/_emulator/reset", NULL);
}

void emulator_fault(const char *fault_json) {
    expect_ok("POST", "/_emulator/faults", fault_json);
}

void emulator_settings(const char *settings_json) {
    expect_ok("PUT", "/_emulator/settings", settings_json);
}

char *emulator_requests(void) {
    char *body = NULL;
    if (emulator_call("GET", "/_emulator/requests", NULL, &body) != 200) {
        fail("GET /_emulator/requests failed", body);
    }
    return body;
}

long emulator_request_count(void) {
    char *body = emulator_requests();
    const char *count = strstr(body, "\"count\":");
    long n = count != NULL ? strtol(count + strlen("\"count\":"), NULL, 10) : -1;
    free(body);
    if (n < 0) {
        fail("no count in the request log", NULL);
    }
    return n;
}

size_t count_occurrences(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle)) {
        n++;
    }
    return n;
}

bool json_string_field(const char *json, const char *field, size_t nth, char *out, size_t out_len) {
    char key[128];
    snprintf(key, sizeof key, "\"%s\":\"", field);
    const char *at = strstr(json, key);
    for (size_t i = 0; at != NULL && i < nth; i++) {
        at = strstr(at + 1, key);
    }
    if (at == NULL || out_len == 0) {
        return false;
    }
    at += strlen(key);
    size_t len = 0;
    /* The fields read here (digests, audiences, faces) hold no escapes. */
    while (at[len] != '\0' && at[len] != '"' && len + 1 < out_len) {
        out[len] = at[len];
        len++;
    }
    out[len] = '\0';
    return at[len] == '"';
}

/* A TCP socket bound to a free loopback port; its broker URL goes to `out`. */
static int bind_loopback(char *out, size_t out_len) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &len) != 0) {
        fail("cannot bind a loopback port", NULL);
    }
    snprintf(out, out_len, "http://127.0.0.1:%u/api/v1/credential-broker", (unsigned)ntohs(address.sin_port));
    return fd;
}

void unreachable_broker_url(char *out, size_t out_len) {
    close(bind_loopback(out, out_len));
}

int silent_broker_url(char *out, size_t out_len) {
    int fd = bind_loopback(out, out_len);
    if (listen(fd, 16) != 0) {
        fail("cannot listen on a loopback port", NULL);
    }
    return fd;
}
