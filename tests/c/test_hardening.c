/* What a C caller sees of the hardening: lengths reported for every
 * capacity, 0 included; no bearer, however a broker dresses its echo of it,
 * and no URL password in err_buf or the thread's last error; a leftover
 * file at the helper's path does not divert the client. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

static void capacity_zero_reports_the_length(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);

    char unused[1] = {'Z'};
    size_t len = 0;
    char error[512] = "";
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, unused, 0, &len, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(len == call.token_len && unused[0] == 'Z');
    record_message(error);

    size_t blob_len = 0, probe_len = 0;
    unsigned char blob[VD_BROKER_TOKEN_BUFFER_SIZE * 2 + 4];
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, blob, sizeof blob, &blob_len, NULL, NULL,
                                                 NULL, 0),
                 VD_BROKER_OK);
    for (size_t capacity = 0; capacity < 3; capacity++) {
        probe_len = 0;
        CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, blob, capacity, &probe_len, NULL, NULL,
                                                     error, sizeof error),
                     VD_BROKER_ERR_BUFFER_TOO_SMALL);
        CHECK(probe_len == blob_len && blob_len == 4 + 2 * call.token_len);
    }
    vd_broker_secure_zero(blob, sizeof blob);
    fixture_close(&f);
}

/* The broker answers `status` with an error_description of `echo`. */
static void check_echo(struct fixture *f, int status, int32_t want, const char *echo) {
    char *fault = malloc(strlen(echo) + 128);
    sprintf(fault, "{\"status\":%d,\"body\":{\"error_description\":\"%s\"}}", status, echo);
    emulator_fault(fault);
    free(fault);
    struct token_call call;
    CHECK_STATUS(get_token(f->client, SQL_SCOPE, NULL, &call), want);
    CHECK_CONTAINS(call.error, "<redacted>");
    char last[1024];
    vd_broker_last_error_message(last, sizeof last, NULL);
    CHECK(strcmp(last, call.error) == 0);
    /* No run of 8 characters of the bearer. */
    for (size_t at = 0; at + 8 <= strlen(f->bearer); at++) {
        char run[9];
        memcpy(run, f->bearer + at, 8);
        run[8] = '\0';
        CHECK_LACKS(call.error, run);
    }
}

static void a_broker_echo_never_shows_the_bearer(void) {
    struct fixture f;
    fixture_open(&f);
    char echo[256];
    const char *bearer = f.bearer;
    size_t len = strlen(bearer);
    /* A control character (as JSON escapes it) inside the bearer; a
     * percent-escape; all but its last characters; its tail without the prefix. */
    snprintf(echo, sizeof echo, "bearer %.12s\\u0001%s revoked", bearer, bearer + 12);
    check_echo(&f, 403, VD_BROKER_ERR_BROKER_REJECTED, echo);
    snprintf(echo, sizeof echo, "bearer %.12s%%0A%s revoked", bearer, bearer + 12);
    check_echo(&f, 400, VD_BROKER_ERR_BROKER_STATUS, echo);
    snprintf(echo, sizeof echo, "bearer %.*s revoked", (int)(len - 3), bearer);
    check_echo(&f, 403, VD_BROKER_ERR_BROKER_REJECTED, echo);
    snprintf(echo, sizeof echo, "bearer ...%.*s revoked", (int)(len - 9), bearer + 7);
    check_echo(&f, 400, VD_BROKER_ERR_BROKER_STATUS, echo);
    fixture_close(&f);
}

static void a_url_password_is_never_shown(void) {
    const char *password = "pw-Tk5pW3sQ9d";
    record_secret(password);
    struct fixture f;
    fixture_bearer(&f);
    char url[256], with_password[320];
    unreachable_broker_url(url, sizeof url);
    snprintf(with_password, sizeof with_password, "http://studio:%s@%s", password, url + strlen("http://"));
    vd_broker_options *options = vd_broker_options_new();
    vd_broker_options_set_broker_url(options, with_password);
    vd_broker_options_set_credential_file(options, f.bearer_file);
    vd_broker_options_set_timeout_ms(options, 2000);
    f.client = new_client(options);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_BROKER_UNREACHABLE);
    CHECK_CONTAINS(call.error, url);
    CHECK_LACKS(call.error, password);

    /* Refused as invalid: the refusal shows the URL without it. */
    snprintf(with_password, sizeof with_password, "ftp://studio:%s@host/api", password);
    vd_broker_options_set_broker_url(options, with_password);
    vd_broker_client *refused = NULL;
    char error[512] = "";
    CHECK_STATUS(vd_broker_client_new(options, &refused, error, sizeof error), VD_BROKER_ERR_CONFIGURATION);
    CHECK_CONTAINS(error, "ftp://host/api");
    CHECK_LACKS(error, password);
    vd_broker_options_free(options);
    fixture_close(&f);
}

static void a_leftover_file_at_the_helper_path_is_not_the_helper(void) {
    struct fixture f;
    emulator_reset();
    fixture_bearer(&f);
    char leftover[512];
    scratch_path("leftover.sock", leftover, sizeof leftover);
    write_file(leftover, "");
    vd_broker_options *options = broker_options(f.bearer_file);
    vd_broker_options_set_runtime_access_socket(options, leftover);
    f.client = new_client(options);
    vd_broker_options_free(options);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(emulator_request_count() == 1);
    unlink(leftover);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(capacity_zero_reports_the_length),
        TEST_CASE(a_broker_echo_never_shows_the_bearer),
        TEST_CASE(a_url_password_is_never_shown),
        TEST_CASE(a_leftover_file_at_the_helper_path_is_not_the_helper),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
