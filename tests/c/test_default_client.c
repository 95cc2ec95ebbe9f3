/* The process-default entry point, vd_broker_get_token, as a C program that
 * uses nothing else would: configured from the environment. Its client is
 * built once per process, so tests/c/run.sh runs each case in a process of
 * its own, with the environment the case needs (see its scenario table). */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

static char token[VD_BROKER_TOKEN_BUFFER_SIZE];

static const char *last_error(void) {
    static char message[1024];
    vd_broker_last_error_message(message, sizeof message, NULL);
    return message;
}

/* Writes a fresh bearer to VD_CREDENTIAL_FILE; returns it. */
static const char *write_fresh_bearer(void) {
    static char bearer[64];
    fresh_bearer(bearer, sizeof bearer);
    write_file(harness_env("VD_CREDENTIAL_FILE"), bearer);
    return bearer;
}

/* A failing call: its status, a message naming the problem, no secret. */
static void check_failure(const char *scope, int32_t want, const char *message_part, const char *bearer) {
    int64_t expires_on = -7;
    memset(token, 'Z', sizeof token);
    CHECK_STATUS(vd_broker_get_token(scope, token, sizeof token, &expires_on), want);
    CHECK_CONTAINS(last_error(), message_part);
    CHECK_LACKS(last_error(), bearer);
    CHECK(token[0] == 'Z' && expires_on == -7);
}

static void default_gets_token(void) {
    emulator_reset();
    write_fresh_bearer();
    int64_t expires_on = 0, before = unix_now();
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    int64_t after = unix_now();
    CHECK(strlen(token) > 0 && count_occurrences(token, ".") == 2);
    CHECK(expires_on >= before + 3600 && expires_on <= after + 3600);

    char *log = emulator_requests();
    CHECK(emulator_request_count() == 1);
    CHECK_CONTAINS(log, "\"audience\":\"sql\"");
    CHECK_CONTAINS(log, "\"authorization\":\"bearer\"");
    CHECK_CONTAINS(log, "\"content_type\":\"application/json\"");
    free(log);

    /* The second call is served from the cache. */
    char again[VD_BROKER_TOKEN_BUFFER_SIZE];
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, again, sizeof again, &expires_on), VD_BROKER_OK);
    CHECK(strcmp(token, again) == 0);
    CHECK(emulator_request_count() == 1);
}

static void default_rereads_rotated_bearer(void) {
    emulator_reset();
    write_fresh_bearer();
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(STORAGE_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    char first[VD_BROKER_TOKEN_BUFFER_SIZE];
    memcpy(first, token, sizeof first);

    write_fresh_bearer();
    CHECK_STATUS(vd_broker_get_token(STORAGE_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    CHECK(strcmp(first, token) != 0);

    char *log = emulator_requests();
    char digest1[80] = "", digest2[80] = "";
    CHECK(emulator_request_count() == 2);
    CHECK(json_string_field(log, "bearer_sha256", 0, digest1, sizeof digest1));
    CHECK(json_string_field(log, "bearer_sha256", 1, digest2, sizeof digest2));
    CHECK(strlen(digest1) == 64 && strcmp(digest1, digest2) != 0);
    free(log);
}

static void default_unmapped_scope(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    check_failure("https://example.com/.default", VD_BROKER_ERR_SCOPE_NOT_ALLOWED, "no broker audience", bearer);
    CHECK_CONTAINS(last_error(), "https://database.windows.net");
    CHECK(emulator_request_count() == 0);
}

static void default_null_and_empty_scope(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    check_failure(NULL, VD_BROKER_ERR_INVALID_ARGUMENT, "scope is NULL", bearer);
    check_failure("", VD_BROKER_ERR_INVALID_ARGUMENT, "no scope given", bearer);
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, NULL, 100, &expires_on), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error(), "out_buf is NULL");
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, NULL), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_error(), "expires_on is NULL");
    CHECK(emulator_request_count() == 0);
}

static void default_buffer_too_small(void) {
    emulator_reset();
    write_fresh_bearer();
    char small[32];
    int64_t expires_on = -7;
    memset(small, 'Z', sizeof small);
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, small, sizeof small, &expires_on), VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(small[0] == 'Z' && small[sizeof small - 1] == 'Z' && expires_on == -7);
    CHECK_CONTAINS(last_error(), "Call again with a buffer of at least");
    const char *needs = strstr(last_error(), "needs ");
    long needed = needs != NULL ? strtol(needs + strlen("needs "), NULL, 10) : 0;

    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    if (!CHECK(needed > (long)sizeof small && (size_t)needed == strlen(token) + 1)) {
        return;
    }
    /* Exactly the size asked for fits; one byte less does not and is untouched. */
    char *exact = malloc((size_t)needed);
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, exact, (size_t)needed, &expires_on), VD_BROKER_OK);
    CHECK(strcmp(exact, token) == 0);
    memset(exact, 'Z', (size_t)needed);
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, exact, (size_t)needed - 1, &expires_on),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(exact[0] == 'Z' && exact[needed - 2] == 'Z');
    free(exact);
    CHECK(emulator_request_count() == 1);
}

static void default_broker_rejects(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    emulator_fault("{\"status\":401}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_REJECTED, "broker rejected the request (401)", bearer);
    emulator_fault("{\"status\":403}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_REJECTED, "broker rejected the request (403)", bearer);
    CHECK_CONTAINS(last_error(), "expired, revoked or out of scope");
    CHECK(emulator_request_count() == 2);
}

static void default_broker_bad_request(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    emulator_fault("{\"status\":400}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_STATUS, "answered HTTP 400", bearer);
    CHECK(emulator_request_count() == 1);
}

static void default_broker_persistent_5xx(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    emulator_fault("{\"status\":503,\"times\":100}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_STATUS, "answered HTTP 503", bearer);
    CHECK_CONTAINS(last_error(), "4 attempts");
    CHECK(emulator_request_count() == 4);
}

static void default_answer_without_access_token(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    emulator_fault("{\"status\":200,\"body\":{\"token_type\":\"Bearer\",\"expires_in\":3600}}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_RESPONSE, "no 'access_token' field", bearer);
}

static void default_answer_not_json(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    emulator_fault("{\"status\":200,\"body\":\"<html>proxy login</html>\",\"headers\":{\"Content-Type\":\"text/html\"}}");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_RESPONSE, "a body that is not JSON", bearer);
}

/* `expires_in` as the broker sends it → the expiry the caller sees. */
static void check_expiry(const char *settings, int64_t lifetime) {
    emulator_reset();
    write_fresh_bearer();
    emulator_settings(settings);
    int64_t expires_on = 0, before = unix_now();
    CHECK_STATUS(vd_broker_get_token(VAULT_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    int64_t after = unix_now();
    CHECK(expires_on >= before + lifetime && expires_on <= after + lifetime);
}

static void default_expires_in_absent(void) {
    check_expiry("{\"omit_expires_in\":true,\"expires_in\":600}", 3600);
}

static void default_expires_in_numeric_string(void) {
    check_expiry("{\"expires_in_as_string\":true,\"expires_in\":1234}", 1234);
}

static void default_odbc_token(void) {
    emulator_reset();
    write_fresh_bearer();
    int64_t expires_on = 0, blob_expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    size_t n = strlen(token), blob_len = 0;
    unsigned char *blob = malloc(4 + 2 * n);
    CHECK_STATUS(vd_broker_get_odbc_token(SQL_SCOPE, blob, 4 + 2 * n, &blob_len, &blob_expires_on), VD_BROKER_OK);
    CHECK(blob_len == 4 + 2 * n && blob_expires_on == expires_on);
    uint32_t data_len = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 | (uint32_t)blob[3] << 24;
    CHECK(data_len == 2 * n);
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        same = same && blob[4 + 2 * i] == (unsigned char)token[i] && blob[5 + 2 * i] == 0;
    }
    CHECK(same);
    vd_broker_secure_zero(blob, blob_len);
    free(blob);
    CHECK(emulator_request_count() == 1);
}

static void default_legacy_url_variable(void) {
    CHECK(getenv("VD_CREDENTIAL_BROKER_URL") == NULL && getenv("VD_AZ_TOKEN_URL") != NULL);
    default_gets_token();
}

static void default_missing_broker_url(void) {
    emulator_reset();
    const char *bearer = write_fresh_bearer();
    check_failure(SQL_SCOPE, VD_BROKER_ERR_CONFIGURATION, "VD_CREDENTIAL_BROKER_URL", bearer);
    CHECK_CONTAINS(last_error(), "VD_AZ_TOKEN_URL");
    unsigned char blob[64];
    CHECK_STATUS(vd_broker_get_odbc_token(SQL_SCOPE, blob, sizeof blob, NULL, NULL), VD_BROKER_ERR_CONFIGURATION);
    CHECK(emulator_request_count() == 0);
}

static void default_missing_credential_file_variable(void) {
    emulator_reset();
    check_failure(SQL_SCOPE, VD_BROKER_ERR_CONFIGURATION, "the credential file is required: set the VD_CREDENTIAL_FILE environment variable", "");
    CHECK(emulator_request_count() == 0);
}

static void default_missing_credential_file(void) {
    emulator_reset();
    const char *path = harness_env("VD_CREDENTIAL_FILE");
    CHECK(access(path, F_OK) != 0);
    check_failure(SQL_SCOPE, VD_BROKER_ERR_CREDENTIAL_UNREADABLE, path, "");
    CHECK_CONTAINS(last_error(), "Is the Studio intent session active?");
    CHECK(emulator_request_count() == 0);
}

static void default_blank_credential_file(void) {
    emulator_reset();
    write_file(harness_env("VD_CREDENTIAL_FILE"), " \n\t\n");
    check_failure(SQL_SCOPE, VD_BROKER_ERR_CREDENTIAL_BLANK, "is empty", "");
    CHECK(emulator_request_count() == 0);
    /* Once the backend writes the bearer, the same process gets its token. */
    write_fresh_bearer();
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
}

static void default_unreachable_broker(void) {
    const char *bearer = write_fresh_bearer();
    check_failure(SQL_SCOPE, VD_BROKER_ERR_BROKER_UNREACHABLE, "could not reach the credential broker at", bearer);
    CHECK_CONTAINS(last_error(), "is Studio running?");
    CHECK_CONTAINS(last_error(), harness_env("VD_CREDENTIAL_BROKER_URL"));
}

static void default_invalid_lane(void) {
    const char *bearer = write_fresh_bearer();
    check_failure(SQL_SCOPE, VD_BROKER_ERR_CONFIGURATION, "the lane (option or VD_CREDENTIAL_LANE) must be either 'user' or 'service'",
                  bearer);
}

static void default_lane_and_revision(void) {
    emulator_reset();
    write_fresh_bearer();
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(VAULT_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    char *log = emulator_requests();
    CHECK_CONTAINS(log, "\"body\":{\"audience\":\"vault\",\"configurationRevision\":7,\"lane\":\"service\","
                        "\"scope\":\"data_platform\"}");
    free(log);
}

static void default_cache_off(void) {
    emulator_reset();
    write_fresh_bearer();
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_get_token(SQL_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    CHECK(emulator_request_count() == 2);
}

static void default_helper_socket(void) {
    emulator_reset();
    CHECK(getenv("VD_CREDENTIAL_BROKER_URL") == NULL && getenv("VD_CREDENTIAL_FILE") == NULL);
    int64_t expires_on = 0;
    CHECK_STATUS(vd_broker_get_token(STORAGE_SCOPE, token, sizeof token, &expires_on), VD_BROKER_OK);
    char *log = emulator_requests();
    CHECK(emulator_request_count() == 1);
    CHECK_CONTAINS(log, "\"face\":\"helper\"");
    CHECK_CONTAINS(log, "\"authorization\":\"none\"");
    CHECK_CONTAINS(log, "\"body\":{\"audience\":\"storage\",\"scope\":\"data_platform\"}");
    free(log);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(default_gets_token),
        TEST_CASE(default_rereads_rotated_bearer),
        TEST_CASE(default_unmapped_scope),
        TEST_CASE(default_null_and_empty_scope),
        TEST_CASE(default_buffer_too_small),
        TEST_CASE(default_broker_rejects),
        TEST_CASE(default_broker_bad_request),
        TEST_CASE(default_broker_persistent_5xx),
        TEST_CASE(default_answer_without_access_token),
        TEST_CASE(default_answer_not_json),
        TEST_CASE(default_expires_in_absent),
        TEST_CASE(default_expires_in_numeric_string),
        TEST_CASE(default_odbc_token),
        TEST_CASE(default_legacy_url_variable),
        TEST_CASE(default_missing_broker_url),
        TEST_CASE(default_missing_credential_file_variable),
        TEST_CASE(default_missing_credential_file),
        TEST_CASE(default_blank_credential_file),
        TEST_CASE(default_unreachable_broker),
        TEST_CASE(default_invalid_lane),
        TEST_CASE(default_lane_and_revision),
        TEST_CASE(default_cache_off),
        TEST_CASE(default_helper_socket),
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s CASE (each case needs its own process and environment)\n", argv[0]);
        return 2;
    }
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
