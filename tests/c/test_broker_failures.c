/* A broker that refuses, fails, misbehaves or is not there, seen through
 * vd_broker_client_get_token: a named status, a message in the call's own
 * error buffer that says what to do, and never the bearer. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

/* Queues `fault`, makes one call that must fail with `want`, the HTTP status
 * `http_status` (0: the failure was no answer) and a message containing
 * `message_part`; returns how many requests the broker saw. */
static long check_fault(const char *fault, int32_t want, uint16_t http_status, const char *message_part) {
    struct fixture f;
    fixture_open(&f);
    if (fault != NULL) {
        emulator_fault(fault);
    }
    struct token_call call;
    memset(call.token, 'Z', 16);
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), want);
    CHECK_CONTAINS(call.error, message_part);
    CHECK_LACKS(call.error, f.bearer);
    CHECK(call.http_status == http_status);
    CHECK(call.token[0] == '\0' && call.token_len == 0 && call.expires_on == 0);
    /* The thread's last error holds the same message. */
    char last[1024];
    vd_broker_last_error_message(last, sizeof last, NULL);
    CHECK(strcmp(last, call.error) == 0);
    long requests = emulator_request_count();
    emulator_call("DELETE", "/_emulator/faults", NULL, NULL);
    fixture_close(&f);
    return requests;
}

static void rejected_401_and_403(void) {
    CHECK(check_fault("{\"status\":401}", VD_BROKER_ERR_BROKER_REJECTED, 401, "broker rejected the request (401)") == 1);
    CHECK(check_fault("{\"status\":403,\"body\":{\"error_description\":\"bearer revoked\"}}",
                      VD_BROKER_ERR_BROKER_REJECTED, 403, "(403): the intent access token may be expired") == 1);
}

static void rejected_bearer_unknown_to_broker(void) {
    struct fixture f;
    fixture_open(&f);
    write_file(f.bearer_file, "not_a_studio_bearer");
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_BROKER_REJECTED);
    CHECK_CONTAINS(call.error, "the intent access token is expired, revoked or unknown");
    CHECK_LACKS(call.error, "not_a_studio_bearer");
    fixture_close(&f);
}

static void other_4xx_not_retried(void) {
    CHECK(check_fault("{\"status\":400}", VD_BROKER_ERR_BROKER_STATUS, 400, "answered HTTP 400") == 1);
    CHECK(check_fault("{\"status\":404}", VD_BROKER_ERR_BROKER_STATUS, 404, "answered HTTP 404") == 1);
}

static void persistent_5xx_retried_then_reported(void) {
    CHECK(check_fault("{\"status\":503,\"times\":100}", VD_BROKER_ERR_BROKER_STATUS, 503, "(4 attempts)") == 4);
    CHECK(check_fault("{\"status\":500,\"times\":100}", VD_BROKER_ERR_BROKER_STATUS, 500, "answered HTTP 500") == 4);
}

static void transient_5xx_recovers(void) {
    struct fixture f;
    fixture_open(&f);
    emulator_fault("{\"status\":502,\"times\":2}");
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(emulator_request_count() == 3);
    fixture_close(&f);
}

static void retry_after_past_timeout(void) {
    long requests = check_fault("{\"status\":429,\"headers\":{\"Retry-After\":\"3600\"},\"times\":100}",
                                VD_BROKER_ERR_BROKER_STATUS, 429, "retry after 3600 s, past the timeout");
    CHECK(requests == 1);
}

static void answer_without_access_token(void) {
    check_fault("{\"status\":200,\"body\":{\"expires_in\":3600}}", VD_BROKER_ERR_BROKER_RESPONSE, 0,
                "no 'access_token' field");
    check_fault("{\"status\":200,\"body\":{\"access_token\":\"\"}}", VD_BROKER_ERR_BROKER_RESPONSE, 0,
                "an empty 'access_token'");
}

static void answer_not_json(void) {
    check_fault("{\"status\":200,\"body\":\"<html>sign in</html>\"}", VD_BROKER_ERR_BROKER_RESPONSE, 0,
                "a body that is not JSON");
    check_fault("{\"status\":200,\"body\":[1,2]}", VD_BROKER_ERR_BROKER_RESPONSE, 0, "JSON that is not an object");
    check_fault("{\"status\":200,\"body\":{\"access_token\":\"t\",\"expires_in\":\"soon\"}}",
                VD_BROKER_ERR_BROKER_RESPONSE, 0, "'expires_in' that is not a non-negative number");
}

static void answer_too_big(void) {
    check_fault("{\"action\":\"huge\",\"huge_bytes\":2000000}", VD_BROKER_ERR_BROKER_RESPONSE, 0,
                "answered with more than 1048576 bytes");
}

static void connection_closed_or_reset(void) {
    CHECK(check_fault("{\"action\":\"close\",\"times\":100}", VD_BROKER_ERR_BROKER_UNREACHABLE, 0,
                      "could not reach the credential broker") == 4);
    CHECK(check_fault("{\"action\":\"reset\",\"times\":100}", VD_BROKER_ERR_BROKER_UNREACHABLE, 0,
                      "could not reach the credential broker") == 4);
    check_fault("{\"action\":\"garbage\",\"times\":100}", VD_BROKER_ERR_BROKER_UNREACHABLE, 0, "is Studio running?");
}

/* A fixture whose client asks the broker at `url` instead of the emulator. */
static void fixture_at(struct fixture *f, const char *url) {
    fixture_bearer(f);
    vd_broker_options *options = broker_options(f->bearer_file);
    CHECK_STATUS(vd_broker_options_set_broker_url(options, url), VD_BROKER_OK);
    f->client = new_client(options);
    vd_broker_options_free(options);
}

static void unreachable_broker(void) {
    char url[128];
    unreachable_broker_url(url, sizeof url);
    struct fixture f;
    fixture_at(&f, url);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_BROKER_UNREACHABLE);
    CHECK_CONTAINS(call.error, "could not reach the credential broker at");
    CHECK_CONTAINS(call.error, url);
    CHECK_CONTAINS(call.error, "is Studio running?");
    CHECK_LACKS(call.error, f.bearer);
    fixture_close(&f);
}

static void per_call_timeout(void) {
    char url[128];
    int silent = silent_broker_url(url, sizeof url);
    struct fixture f;
    fixture_at(&f, url);
    /* The client's timeout is 10 s; this call's own 250 ms ends it. */
    char token[VD_BROKER_TOKEN_BUFFER_SIZE], error[512] = "";
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 250, token, sizeof token, NULL, NULL, NULL,
                                            NULL, error, sizeof error),
                 VD_BROKER_ERR_TIMEOUT);
    CHECK_CONTAINS(error, "no answer before the timeout");
    CHECK_LACKS(error, f.bearer);
    close(silent);
    fixture_close(&f);
}

static void credential_file_problems(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    write_file(f.bearer_file, "\n   \n");
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_CREDENTIAL_BLANK);
    CHECK_CONTAINS(call.error, f.bearer_file);
    write_file(f.bearer_file, "vd_iat_one vd_iat_two");
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_CREDENTIAL_UNREADABLE);
    CHECK_CONTAINS(call.error, "exactly one vd_iat_* bearer");
    CHECK_LACKS(call.error, "vd_iat_one");
    remove(f.bearer_file);
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_CREDENTIAL_UNREADABLE);
    CHECK_CONTAINS(call.error, "Is the Studio intent session active?");
    CHECK(emulator_request_count() == 0);
    /* The file is read on every call: once it is back, so is the token. */
    rotate_bearer(&f);
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(rejected_401_and_403),
        TEST_CASE(rejected_bearer_unknown_to_broker),
        TEST_CASE(other_4xx_not_retried),
        TEST_CASE(persistent_5xx_retried_then_reported),
        TEST_CASE(transient_5xx_recovers),
        TEST_CASE(retry_after_past_timeout),
        TEST_CASE(answer_without_access_token),
        TEST_CASE(answer_not_json),
        TEST_CASE(answer_too_big),
        TEST_CASE(connection_closed_or_reset),
        TEST_CASE(unreachable_broker),
        TEST_CASE(per_call_timeout),
        TEST_CASE(credential_file_problems),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
