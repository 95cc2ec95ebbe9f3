/* The log hook: vd_broker_set_log_callback receives the core's events — the
 * route a client chose, a fresh token, a retry and why, a proactive refresh,
 * a failed refresh that served the cached token, a cache hit, a failure — at
 * their levels, redacted (no bearer, no token, no URL userinfo), and it can
 * be replaced while calls run on other threads. */

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "harness.h"

#define MAX_EVENTS 256

/* What the recording callback saw. Callbacks may come from any thread. */
struct event {
    int32_t level;
    char *message;
};

static struct {
    pthread_mutex_t lock;
    struct event events[MAX_EVENTS];
    size_t count;
    bool malformed; /* a bad level, or message_len that is not strlen(message) */
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void record(int32_t level, const char *message, size_t message_len, void *user_data) {
    (void)user_data;
    pthread_mutex_lock(&seen.lock);
    if (level < VD_BROKER_LOG_ERROR || level > VD_BROKER_LOG_DEBUG || message == NULL ||
        strlen(message) != message_len) {
        seen.malformed = true;
    } else if (seen.count < MAX_EVENTS) {
        seen.events[seen.count].level = level;
        seen.events[seen.count].message = strdup(message);
        seen.count++;
    }
    pthread_mutex_unlock(&seen.lock);
}

static void forget_events(void) {
    for (size_t i = 0; i < seen.count; i++) {
        free(seen.events[i].message);
    }
    seen.count = 0;
    seen.malformed = false;
}

static void start_recording(int32_t max_level) {
    forget_events();
    CHECK_STATUS(vd_broker_set_log_callback(record, max_level, NULL), VD_BROKER_OK);
}

/* Stops the callback and checks that no event was malformed or carried a
 * secret (the bearer, or any token the case was handed). */
static void stop_recording(const char *bearer, const char *const *tokens, size_t token_count) {
    CHECK_STATUS(vd_broker_set_log_callback(NULL, 0, NULL), VD_BROKER_OK);
    CHECK(!seen.malformed);
    CHECK(seen.count < MAX_EVENTS);
    for (size_t i = 0; i < seen.count; i++) {
        CHECK_LACKS(seen.events[i].message, bearer);
        for (size_t t = 0; t < token_count; t++) {
            CHECK_LACKS(seen.events[i].message, tokens[t]);
        }
    }
    forget_events();
}

/* The first recorded message at `level` containing `part`, or NULL. */
static const char *find_event(int32_t level, const char *part) {
    for (size_t i = 0; i < seen.count; i++) {
        if (seen.events[i].level == level && strstr(seen.events[i].message, part) != NULL) {
            return seen.events[i].message;
        }
    }
    return NULL;
}

#define CHECK_EVENT(level, part) CHECK_CONTAINS(find_event((level), (part)), (part))
#define CHECK_NO_EVENT(level, part) CHECK(find_event((level), (part)) == NULL)

static void retry_and_its_reason_are_logged(void) {
    start_recording(VD_BROKER_LOG_INFO);
    struct fixture f;
    fixture_open(&f);
    CHECK_EVENT(VD_BROKER_LOG_INFO, "tokens come from the credential broker at http://127.0.0.1:");
    /* The broker's explanation is quoted in the message: a token in it is redacted. */
    emulator_fault("{\"status\":503,\"body\":{\"error_description\":\"upstream refused eyJhbGciOi.eyJzdWIi.c2ln\"}}");
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(emulator_request_count() == 2);
    CHECK_EVENT(VD_BROKER_LOG_INFO, "attempt 1 of 4 failed");
    CHECK_EVENT(VD_BROKER_LOG_INFO, "answered HTTP 503: upstream refused <redacted>); retrying in ");
    CHECK_EVENT(VD_BROKER_LOG_INFO, "minted a fresh token for " SQL_SCOPE " (expires in 3");
    const char *tokens[] = {call.token, "eyJhbGciOi.eyJzdWIi.c2ln"};
    stop_recording(f.bearer, tokens, 2);
    fixture_close(&f);
}

static void proactive_refresh_and_failed_refresh_are_logged(void) {
    struct fixture f;
    fixture_open(&f);
    /* refresh_in 0: every token is due for refresh as soon as it is cached. */
    emulator_settings("{\"refresh_in\":0}");
    struct token_call first, second, third;
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, NULL, &first), VD_BROKER_OK);
    start_recording(VD_BROKER_LOG_DEBUG);
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, NULL, &second), VD_BROKER_OK);
    CHECK(strcmp(first.token, second.token) != 0);
    CHECK_EVENT(VD_BROKER_LOG_INFO, "refreshing the cached token for " VAULT_SCOPE " before it expires");
    CHECK_EVENT(VD_BROKER_LOG_INFO, "refreshed token for " VAULT_SCOPE " (expires in ");

    /* The refresh fails: the still-valid token is served, with a warning. */
    emulator_fault("{\"status\":503}");
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, NULL, &third), VD_BROKER_OK);
    CHECK(strcmp(third.token, second.token) == 0);
    CHECK_EVENT(VD_BROKER_LOG_WARNING, "refreshing the token for " VAULT_SCOPE " failed (");
    CHECK_EVENT(VD_BROKER_LOG_WARNING, "answered HTTP 503: the emulator was told to answer 503 (1 attempt)); "
                                       "serving the cached token, which expires in ");
    const char *tokens[] = {first.token, second.token};
    stop_recording(f.bearer, tokens, 2);
    fixture_close(&f);
}

static void cache_hit_is_debug_and_filtered_by_level(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &call), VD_BROKER_OK);
    start_recording(VD_BROKER_LOG_DEBUG);
    CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK_EVENT(VD_BROKER_LOG_DEBUG, "token for " STORAGE_SCOPE " served from the cache (expires in ");
    CHECK(seen.count == 1);
    const char *tokens[] = {call.token};
    stop_recording(f.bearer, tokens, 1);

    start_recording(VD_BROKER_LOG_INFO);
    CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(seen.count == 0);
    stop_recording(f.bearer, tokens, 1);
    fixture_close(&f);
}

static void failure_is_a_warning(void) {
    struct fixture f;
    fixture_open(&f);
    start_recording(VD_BROKER_LOG_WARNING);
    emulator_fault("{\"status\":401}");
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_BROKER_REJECTED);
    CHECK_EVENT(VD_BROKER_LOG_WARNING, "no token for " SQL_SCOPE ": broker rejected the request (401)");
    CHECK(seen.count == 1);
    stop_recording(f.bearer, NULL, 0);
    fixture_close(&f);
}

static void url_userinfo_is_never_logged(void) {
    struct fixture f;
    fixture_bearer(&f);
    char url[256];
    const char *broker = harness_env("VD_TEST_BROKER_URL");
    snprintf(url, sizeof url, "http://studio:hunter2@%s", broker + strlen("http://"));
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_broker_url(options, url), VD_BROKER_OK);
    start_recording(VD_BROKER_LOG_DEBUG);
    f.client = new_client(options);
    vd_broker_options_free(options);
    CHECK_EVENT(VD_BROKER_LOG_INFO, "tokens come from the credential broker at http://127.0.0.1:");
    const char *secrets[] = {"hunter2"};
    stop_recording(f.bearer, secrets, 1);
    fixture_close(&f);
}

static void silent_once_cleared(void) {
    struct fixture f;
    fixture_open(&f);
    start_recording(VD_BROKER_LOG_DEBUG);
    CHECK_STATUS(vd_broker_set_log_callback(NULL, 0, NULL), VD_BROKER_OK);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(seen.count == 0);
    fixture_close(&f);
}

static void bad_level_is_refused(void) {
    CHECK_STATUS(vd_broker_set_log_callback(record, 0, NULL), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_set_log_callback(record, VD_BROKER_LOG_DEBUG + 1, NULL), VD_BROKER_ERR_INVALID_ARGUMENT);
    char message[256];
    vd_broker_last_error_message(message, sizeof message, NULL);
    CHECK_CONTAINS(message, "max_level 5 is not a vd_broker_log_level");
}

/* A callback that calls back into the library. */
struct reentry {
    const vd_broker_client *client;
    int32_t replace_status;
    int32_t nested_status;
    int calls;
};

static void call_back_in(int32_t level, const char *message, size_t message_len, void *user_data) {
    (void)level, (void)message, (void)message_len;
    struct reentry *r = user_data;
    if (r->calls++ == 0) {
        r->replace_status = vd_broker_set_log_callback(NULL, 0, NULL);
        struct token_call nested;
        r->nested_status = get_token(r->client, VAULT_SCOPE, NULL, &nested);
    }
}

static void callback_may_call_the_library(void) {
    struct fixture f;
    fixture_open(&f);
    struct reentry r = {.client = f.client, .replace_status = -1, .nested_status = -1};
    CHECK_STATUS(vd_broker_set_log_callback(call_back_in, VD_BROKER_LOG_INFO, &r), VD_BROKER_OK);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_set_log_callback(NULL, 0, NULL), VD_BROKER_OK);
    /* Replacing from inside would wait for itself: refused. The nested mint
     * worked, and its own events were not delivered into the callback. */
    CHECK_STATUS(r.replace_status, VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(r.nested_status, VD_BROKER_OK);
    CHECK(r.calls == 1);
    CHECK(emulator_request_count() == 2);
    fixture_close(&f);
}

/* Callbacks replaced while 4 threads make calls: once a replacement returns,
 * the old callback's user_data is retired and must never be seen again. */
struct generation {
    atomic_bool retired;
};

static atomic_int late_calls;
static atomic_int counted_calls;
static atomic_bool stop_calling;

static void counting(int32_t level, const char *message, size_t message_len, void *user_data) {
    (void)level, (void)message, (void)message_len;
    struct generation *g = user_data;
    if (atomic_load(&g->retired)) {
        atomic_fetch_add(&late_calls, 1);
    }
    atomic_fetch_add(&counted_calls, 1);
}

static void *warm_calls(void *arg) {
    const vd_broker_client *client = arg;
    while (!atomic_load(&stop_calling)) {
        struct token_call call;
        get_token(client, SQL_SCOPE, NULL, &call);
    }
    return NULL;
}

static void replaced_while_calls_run(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    static struct generation generations[64];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_create(&threads[i], NULL, warm_calls, f.client) == 0);
    }
    for (int g = 0; g < 64; g++) {
        atomic_store(&generations[g].retired, false);
        CHECK_STATUS(vd_broker_set_log_callback(counting, VD_BROKER_LOG_DEBUG, &generations[g]), VD_BROKER_OK);
        if (g > 0) {
            atomic_store(&generations[g - 1].retired, true);
        }
        /* Let the workers deliver to this generation before the next one. */
        for (int target = atomic_load(&counted_calls) + 4; atomic_load(&counted_calls) < target;) {
            sched_yield();
        }
    }
    CHECK_STATUS(vd_broker_set_log_callback(NULL, 0, NULL), VD_BROKER_OK);
    atomic_store(&generations[63].retired, true);
    /* A few more calls with no callback at all, then stop. */
    int before = atomic_load(&counted_calls);
    for (int i = 0; i < 10; i++) {
        CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    }
    atomic_store(&stop_calling, true);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK(atomic_load(&late_calls) == 0);
    CHECK(atomic_load(&counted_calls) > 0);
    CHECK(atomic_load(&counted_calls) == before);
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(retry_and_its_reason_are_logged),
        TEST_CASE(proactive_refresh_and_failed_refresh_are_logged),
        TEST_CASE(cache_hit_is_debug_and_filtered_by_level),
        TEST_CASE(failure_is_a_warning),
        TEST_CASE(url_userinfo_is_never_logged),
        TEST_CASE(silent_once_cleared),
        TEST_CASE(bad_level_is_refused),
        TEST_CASE(callback_may_call_the_library),
        TEST_CASE(replaced_while_calls_run),
    };
    int status = harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
    forget_events();
    return status;
}
