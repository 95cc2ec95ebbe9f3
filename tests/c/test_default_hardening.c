/* The hardening as vd_broker_get_token's callers see it: a FIFO as the
 * credential file cannot hold the process-default client (it returns at its
 * default 10 s timeout), and lengths are reported for every capacity, 0
 * included. Each case runs in a process of its own (tests/c/run.sh). */

#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

static const char *last_error(void) {
    static char message[1024];
    vd_broker_last_error_message(message, sizeof message, NULL);
    record_message(message);
    return message;
}

static void default_capacity_zero_reports_the_length(void) {
    emulator_reset();
    char bearer[64], token[VD_BROKER_TOKEN_BUFFER_SIZE];
    fresh_bearer(bearer, sizeof bearer);
    write_file(harness_env("VD_CREDENTIAL_FILE"), bearer);
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);

    /* No length out-parameter: the message says how many bytes are needed. */
    char needed[64];
    snprintf(needed, sizeof needed, "needs %zu bytes", strlen(token) + 1);
    char unused[1] = {'Z'};
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, unused, 0, &expires_on), VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK_CONTAINS(last_error(), needed);
    CHECK(unused[0] == 'Z');

    size_t len = 0;
    CHECK_STATUS(vd_broker_get_odbc_token(SQL_SCOPE, (unsigned char *)unused, 0, &len, NULL),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(len == 4 + 2 * strlen(token));
    vd_broker_secure_zero(token, sizeof token);
}

static void default_fifo_credential_file_with_a_silent_writer(void) {
    const char *path = harness_env("VD_CREDENTIAL_FILE");
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    int silent_writer = open(path, O_RDWR | O_NONBLOCK);
    char token[64];
    int64_t expires_on = 0;
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_ERR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &after);
    CHECK_CONTAINS(last_error(), "gave no bearer before the timeout");
    /* The default timeout is 10 s: a correctness bound, not a speed (under
     * valgrind, which runs everything far slower, only the status counts). */
    long took_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
    printf("  vd_broker_get_token on a silent FIFO returned after %ld ms (default timeout 10000 ms)\n", took_ms);
    const char *mode = getenv("VD_TEST_MODE");
    CHECK(took_ms <= 10500 || (mode != NULL && strcmp(mode, "valgrind") == 0));
    close(silent_writer);
    unlink(path);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(default_capacity_zero_reports_the_length),
        TEST_CASE(default_fifo_credential_file_with_a_silent_writer),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
