/* Threads: one client shared by 64 pthreads, and the thread-local last error. */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "harness.h"

#define THREADS 64

struct worker {
    const vd_broker_client *client;
    pthread_barrier_t *start;
    int32_t status;
    struct token_call call;
};

static void *fetch(void *arg) {
    struct worker *w = arg;
    pthread_barrier_wait(w->start);
    w->status = get_token(w->client, VAULT_SCOPE, NULL, &w->call);
    return NULL;
}

static void sixty_four_threads_one_request(void) {
    struct fixture f;
    fixture_open(&f);
    /* A slow broker keeps the first request in flight while the others arrive. */
    emulator_settings("{\"delay_ms\":300}");
    static struct worker workers[THREADS];
    pthread_t threads[THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.client = f.client, .start = &start};
        CHECK(pthread_create(&threads[i], NULL, fetch, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_barrier_destroy(&start);

    int ok = 0, same = 0;
    for (int i = 0; i < THREADS; i++) {
        ok += workers[i].status == VD_BROKER_OK;
        same += strcmp(workers[i].call.token, workers[0].call.token) == 0;
    }
    CHECK(ok == THREADS);
    CHECK(same == THREADS);
    /* The cache is single-flight: concurrent misses make one request. */
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

static void *fail_on_this_thread(void *arg) {
    const vd_broker_client *client = arg;
    struct token_call call;
    get_token(client, "https://elsewhere.example/.default", NULL, &call);
    return NULL;
}

static void last_error_is_per_thread(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, NULL, NULL, &call), VD_BROKER_ERR_INVALID_ARGUMENT);

    pthread_t other;
    CHECK(pthread_create(&other, NULL, fail_on_this_thread, f.client) == 0);
    pthread_join(other, NULL);

    /* Another thread's failure did not replace this thread's message. */
    char message[256];
    vd_broker_last_error_message(message, sizeof message, NULL);
    CHECK(strcmp(message, "scope is NULL") == 0);
    fixture_close(&f);
}

static void *read_last_error_length(void *arg) {
    size_t *len = arg;
    vd_broker_last_error_message(NULL, 0, len);
    return NULL;
}

static void new_thread_has_no_last_error(void) {
    size_t len = 99;
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, read_last_error_length, &len) == 0);
    pthread_join(thread, NULL);
    CHECK(len == 0);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(sixty_four_threads_one_request),
        TEST_CASE(last_error_is_per_thread),
        TEST_CASE(new_thread_has_no_last_error),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
