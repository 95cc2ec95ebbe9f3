/* The stall matrix: each blocking step of a get-token call, in turn, made to
 * stall — name resolution, TCP connect, a proxy's CONNECT, TLS, send,
 * receive, the helper's connect and receive, opening and reading the bearer
 * file, waiting for another thread's mint — with a 2 s timeout. Every call
 * must return VD_BROKER_ERR_TIMEOUT within 2.5 s: the deadline is one per
 * call, and no step restarts it. (The elapsed time is checked as a
 * correctness bound, not measured as speed.) The steps stall at once, each
 * on a thread of its own.
 *
 * Under valgrind, which runs one thread at a time some fifty times slower,
 * the work around the waits alone can take seconds: there the bound is
 * only that every call returns (within 2 s + 15 s), with its status. */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

#define TIMEOUT_MS 2000
#define BOUND_MS 2500
#define VALGRIND_BOUND_MS 17000
#define STALLED_HOST "stall.invalid"
#define PROXIED_HOST "127.0.0.3"

/* Name resolution stalls for one host: this program's getaddrinfo comes
 * before the C library's for the whole process, the library's lookups
 * included; every other name goes to the real one. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    if (node != NULL && strcmp(node, STALLED_HOST) == 0) {
        sleep(8);
        return EAI_AGAIN;
    }
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    /* The form POSIX gives for turning dlsym's object pointer into a function's. */
    *(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
    return real(node, service, hints, res);
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static atomic_bool stop_servers;

/* ---- servers that stall ---------------------------------------------- */

/* A loopback listener whose accept queue is full: one connection sits in it
 * unaccepted (backlog 0), so the kernel drops every further SYN. */
static int full_tcp_listener(char *url, size_t url_len, int *filler) {
    int fd = silent_broker_url(url, url_len);
    listen(fd, 0);
    struct sockaddr_in address;
    socklen_t len = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &len);
    *filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(*filler, (struct sockaddr *)&address, len);
    struct pollfd wait = {.fd = *filler, .events = POLLOUT};
    poll(&wait, 1, 1000);
    return fd;
}

/* A Unix socket at `path` listening with `backlog`; with `fill`, as many
 * connections wait in the backlog as it takes (then connecting blocks). */
static int unix_listener(const char *path, int backlog, bool fill, int *fillers, size_t *fill_count) {
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0) {
        printf("  cannot listen on %s: %s\n", path, strerror(errno));
    }
    *fill_count = 0;
    while (fill && *fill_count < 16) {
        int filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(filler, (struct sockaddr *)&address, sizeof address) != 0) {
            close(filler); /* EAGAIN: full */
            break;
        }
        fillers[(*fill_count)++] = filler;
    }
    return fd;
}

/* Accepts connections; reads each request's head, answers `head`, then one
 * byte every 50 ms until the client goes (`stop_servers` ends it). */
struct drip_server {
    int fd;
    const char *head;
    pthread_t thread;
};

static void *drip(void *arg) {
    struct drip_server *server = arg;
    while (!atomic_load(&stop_servers)) {
        struct pollfd ready = {.fd = server->fd, .events = POLLIN};
        if (poll(&ready, 1, 100) <= 0) {
            continue;
        }
        int client = accept(server->fd, NULL, NULL);
        char request[4096];
        ssize_t got = recv(client, request, sizeof request, 0); /* the head arrives in one piece */
        (void)got;
        for (size_t i = 0; !atomic_load(&stop_servers); i++) {
            char byte = server->head[i] != '\0' ? server->head[i] : 'a';
            if (server->head[i] == '\0') {
                i--;
            }
            if (send(client, &byte, 1, MSG_NOSIGNAL) != 1) {
                break;
            }
            usleep(50 * 1000);
        }
        close(client);
    }
    return NULL;
}

static void start_drip(struct drip_server *server, char *url, size_t url_len, const char *head) {
    server->fd = silent_broker_url(url, url_len);
    server->head = head;
    pthread_create(&server->thread, NULL, drip, server);
}

/* ---- the calls ---------------------------------------------------------- */

struct stall {
    const char *step;
    vd_broker_client *client;
    const char *scope;
    int start_after; /* when > 0: a listener; the call starts once a connection waits on it */
    int32_t status;
    int64_t started_ms; /* since the matrix started */
    int64_t took_ms;
    char error[1024];
};

static int64_t matrix_start_ms;

static void *call(void *arg) {
    struct stall *stall = arg;
    if (stall->start_after > 0) {
        struct pollfd connected = {.fd = stall->start_after, .events = POLLIN};
        poll(&connected, 1, 30 * 1000);
    }
    char token[VD_BROKER_TOKEN_BUFFER_SIZE];
    int64_t started = now_ms();
    stall->started_ms = started - matrix_start_ms;
    stall->status = vd_broker_client_get_token(stall->client, stall->scope, NULL, 0, token, sizeof token, NULL, NULL,
                                               NULL, NULL, stall->error, sizeof stall->error);
    stall->took_ms = now_ms() - started;
    record_message(stall->error);
    return NULL;
}

/* A client of `broker_url` reading `bearer_file` (or of the helper at
 * `helper_socket`) with a timeout of `timeout_ms`, cache on; with `audience`,
 * "https://stall.example" maps to it. */
static vd_broker_client *stall_client(const char *broker_url, const char *bearer_file, const char *helper_socket,
                                      int64_t timeout_ms, const char *audience) {
    vd_broker_options *options = vd_broker_options_new();
    if (helper_socket != NULL) {
        vd_broker_options_set_runtime_access_socket(options, helper_socket);
    } else {
        vd_broker_options_set_broker_url(options, broker_url);
        vd_broker_options_set_credential_file(options, bearer_file);
    }
    vd_broker_options_set_timeout_ms(options, (uint64_t)timeout_ms);
    if (audience != NULL) {
        vd_broker_options_set_audience(options, "https://stall.example", audience);
    }
    vd_broker_client *client = new_client(options);
    vd_broker_options_free(options);
    return client;
}

static void every_blocking_step_ends_by_the_deadline(void) {
    const char *mode = getenv("VD_TEST_MODE");
    bool valgrind = mode != NULL && strcmp(mode, "valgrind") == 0;
    int64_t bound = valgrind ? VALGRIND_BOUND_MS : BOUND_MS;
    /* The mint waited for stays in flight past the waiter's timeout. */
    int64_t leader_timeout_ms = valgrind ? 12000 : 3000;
    char url[256], bearer_file[512], bearer[64];
    fresh_bearer(bearer, sizeof bearer);
    scratch_path("stall-bearer", bearer_file, sizeof bearer_file);
    write_file(bearer_file, bearer);

    /* Servers. */
    char dns_url[256] = "http://" STALLED_HOST ":9/api";
    char tcp_url[256], proxy_url[256], tls_url[256], silent_url[256], drip_url[256];
    int tcp_filler;
    int tcp_fd = full_tcp_listener(tcp_url, sizeof tcp_url, &tcp_filler);
    struct drip_server proxy, answer;
    start_drip(&proxy, proxy_url, sizeof proxy_url, "HTTP/1.1 200 Connection established\r\nX-Drip: ");
    start_drip(&answer, drip_url, sizeof drip_url, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Drip: ");
    int silent_fd = silent_broker_url(silent_url, sizeof silent_url);
    char mint_url[256];
    int mint_fd = silent_broker_url(mint_url, sizeof mint_url);
    int tls_fd = silent_broker_url(url, sizeof url);
    snprintf(tls_url, sizeof tls_url, "https://%s", url + strlen("http://"));
    /* Through the proxy: a host NO_PROXY does not exempt (nothing listens
     * there; the proxy never gets as far as connecting). */
    char proxied_url[256];
    snprintf(proxied_url, sizeof proxied_url, "http://" PROXIED_HOST ":9/api");
    /* Read as each client sets up its first connection. */
    setenv("HTTP_PROXY", proxy_url, 1);
    /* An audience whose request body (512 KiB) cannot leave while nobody reads. */
    size_t huge_size = 512u << 10;
    char *huge = malloc(huge_size + 1);
    memset(huge, 'a', huge_size);
    huge[huge_size] = '\0';

    char full_helper[512], silent_helper[512];
    scratch_path("full-helper", full_helper, sizeof full_helper);
    scratch_path("silent-helper", silent_helper, sizeof silent_helper);
    int fillers[16];
    size_t fill_count, none;
    int full_fd = unix_listener(full_helper, 0, true, fillers, &fill_count);
    int silent_helper_fd = unix_listener(silent_helper, 16, false, NULL, &none);

    char fifo[512], silent_fifo[512];
    scratch_path("fifo", fifo, sizeof fifo);
    scratch_path("silent-fifo", silent_fifo, sizeof silent_fifo);
    mkfifo(fifo, 0600);
    mkfifo(silent_fifo, 0600);
    int silent_writer = open(silent_fifo, O_RDWR | O_NONBLOCK);

    struct stall stalls[] = {
        {.step = "name resolution", .client = stall_client(dns_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "TCP connect", .client = stall_client(tcp_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "proxy CONNECT (dripped)", .client = stall_client(proxied_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "TLS handshake", .client = stall_client(tls_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        /* A Unix socket's send buffer is its own (not the peer's), and small. */
        {.step = "send", .client = stall_client(NULL, NULL, silent_helper, TIMEOUT_MS, huge), .scope = "https://stall.example/.default"},
        {.step = "receive", .client = stall_client(silent_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = VAULT_SCOPE},
        {.step = "receive (dripped)", .client = stall_client(drip_url, bearer_file, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "helper connect", .client = stall_client(NULL, NULL, full_helper, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "helper receive", .client = stall_client(NULL, NULL, silent_helper, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "bearer file open", .client = stall_client(silent_url, fifo, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        {.step = "bearer file read", .client = stall_client(silent_url, silent_fifo, NULL, TIMEOUT_MS, NULL), .scope = SQL_SCOPE},
        /* Same broker, bearer and audience as the leader below: one cache key.
         * It starts once the leader is connected to the broker, in flight. */
        {.step = "another thread's mint",
         .client = stall_client(mint_url, bearer_file, NULL, TIMEOUT_MS, NULL),
         .scope = STORAGE_SCOPE,
         .start_after = mint_fd},
    };
    size_t count = sizeof stalls / sizeof stalls[0];
    /* The leader of that mint: its own, longer timeout keeps it in flight. */
    struct stall leader = {.step = "(mint leader)",
                           .client = stall_client(mint_url, bearer_file, NULL, leader_timeout_ms, NULL),
                           .scope = STORAGE_SCOPE};
    pthread_t threads[sizeof stalls / sizeof stalls[0]], leader_thread;
    matrix_start_ms = now_ms();
    pthread_create(&leader_thread, NULL, call, &leader);
    for (size_t i = 0; i < count; i++) {
        pthread_create(&threads[i], NULL, call, &stalls[i]);
    }
    for (size_t i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_join(leader_thread, NULL);

    for (size_t i = 0; i < count; i++) {
        struct stall *s = &stalls[i];
        printf("  stall: %-24s returned %s after %lld ms (timeout %d ms, bound %lld ms)\n", s->step,
               vd_broker_status_name(s->status), (long long)s->took_ms, TIMEOUT_MS, (long long)bound);
        if (!CHECK_STATUS(s->status, VD_BROKER_ERR_TIMEOUT) || !CHECK(s->took_ms <= bound)) {
            printf("  (%s: %s)\n", s->step, s->error);
        }
        CHECK_LACKS(s->error, bearer);
        vd_broker_client_free(s->client);
    }
    printf("  stall: %-24s returned %s after %lld ms (timeout %lld ms); it started at %lld ms, the waiter at %lld ms\n",
           leader.step, vd_broker_status_name(leader.status), (long long)leader.took_ms, (long long)leader_timeout_ms,
           (long long)leader.started_ms, (long long)stalls[count - 1].started_ms);
    CHECK_STATUS(leader.status, VD_BROKER_ERR_TIMEOUT);
    /* The waiter ended by its own deadline, not by the leader's outcome. */
    CHECK_CONTAINS(stalls[count - 1].error, "still in flight when this call's timeout ran out");

    vd_broker_client_free(leader.client);

    atomic_store(&stop_servers, true);
    pthread_join(proxy.thread, NULL);
    pthread_join(answer.thread, NULL);
    close(proxy.fd);
    close(answer.fd);
    close(tcp_fd);
    close(tcp_filler);
    close(silent_fd);
    close(mint_fd);
    close(tls_fd);
    close(full_fd);
    for (size_t i = 0; i < fill_count; i++) {
        close(fillers[i]);
    }
    close(silent_helper_fd);
    close(silent_writer);
    unlink(full_helper);
    unlink(silent_helper);
    unlink(fifo);
    unlink(silent_fifo);
    unlink(bearer_file);
    free(huge);
}

int main(int argc, char **argv) {
    /* The proxy case's host goes through the proxy; every other one is
     * exempted, so no other case's request reaches the dripping proxy. */
    setenv("NO_PROXY", "127.0.0.1," STALLED_HOST, 1); /* HTTP_PROXY is set by the case */
    unsetenv("no_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("https_proxy");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");
    static const struct test_case cases[] = {
        TEST_CASE(every_blocking_step_ends_by_the_deadline),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
