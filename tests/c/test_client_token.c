/* vd_broker_client_get_token: its outputs, the buffer-sizing contract, bad
 * arguments, claims and a rotated bearer. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "harness.h"

static void outputs_on_success(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    int64_t before = unix_now();
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    int64_t after = unix_now();
    CHECK(call.token_len > 0 && call.token_len == strlen(call.token));
    CHECK(call.expires_on >= before + 3600 && call.expires_on <= after + 3600);
    /* An hour-long token is due for refresh five minutes before it expires. */
    CHECK(call.refresh_on == call.expires_on - 300);
    CHECK(call.error[0] == '\0' && call.http_status == 0);

    /* Every output pointer may be NULL. */
    char token[VD_BROKER_TOKEN_BUFFER_SIZE];
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, token, sizeof token, NULL, NULL, NULL, NULL, NULL,
                                            0),
                 VD_BROKER_OK);
    CHECK(strcmp(token, call.token) == 0);
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

static void broker_refresh_hint(void) {
    struct fixture f;
    fixture_open(&f);
    emulator_settings("{\"refresh_in\":600}");
    struct token_call call;
    int64_t before = unix_now();
    CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &call), VD_BROKER_OK);
    int64_t after = unix_now();
    CHECK(call.refresh_on >= before + 600 && call.refresh_on <= after + 600);
    CHECK(call.refresh_on < call.expires_on);
    fixture_close(&f);
}

static void buffer_too_small_writes_nothing(void) {
    struct fixture f;
    fixture_open(&f);
    char small[64];
    memset(small, 'Z', sizeof small);
    size_t token_len = 0;
    int64_t expires_on = -7, refresh_on = -7;
    char error[512] = "";
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, small, sizeof small, &token_len,
                                            &expires_on, &refresh_on, NULL, error, sizeof error),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    bool untouched = true;
    for (size_t i = 0; i < sizeof small; i++) {
        untouched = untouched && small[i] == 'Z';
    }
    CHECK(untouched);
    CHECK(expires_on == -7 && refresh_on == -7);
    CHECK(token_len > sizeof small);
    CHECK_CONTAINS(error, "out_buf is too small");

    /* token_len + 1 is enough, and the second call comes from the cache. */
    char *exact = malloc(token_len + 1);
    size_t second_len = 0;
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, exact, token_len + 1, &second_len,
                                            &expires_on, NULL, NULL, error, sizeof error),
                 VD_BROKER_OK);
    CHECK(second_len == token_len && strlen(exact) == token_len && expires_on > 0);
    /* token_len alone (no room for the NUL) is too small. */
    memset(exact, 'Z', token_len + 1);
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, exact, token_len, &second_len, NULL, NULL,
                                            NULL, NULL, 0),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(exact[0] == 'Z' && exact[token_len - 1] == 'Z' && exact[token_len] == 'Z');
    free(exact);
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

static void null_arguments(void) {
    struct fixture f;
    fixture_open(&f);
    char token[VD_BROKER_TOKEN_BUFFER_SIZE], error[256];
    CHECK_STATUS(vd_broker_client_get_token(NULL, SQL_SCOPE, NULL, 0, token, sizeof token, NULL, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "client is NULL");
    CHECK_STATUS(vd_broker_client_get_token(f.client, NULL, NULL, 0, token, sizeof token, NULL, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "scope is NULL");
    CHECK_STATUS(vd_broker_client_get_token(f.client, "", NULL, 0, token, sizeof token, NULL, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "no scope given");
    size_t token_len = 99;
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, NULL, 100, &token_len, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "out_buf is NULL");
    CHECK(token_len == 99);
    /* A NULL buffer fails before anything is minted. */
    CHECK(emulator_request_count() == 0);
    /* Capacity 0 is a buffer too small, with the length it needs reported
     * (tests/c/test_hardening.c). */
    CHECK_STATUS(vd_broker_client_get_token(f.client, SQL_SCOPE, NULL, 0, token, 0, &token_len, NULL, NULL, NULL, error,
                                            sizeof error),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    CHECK(token_len > 0 && token_len != 99);
    fixture_close(&f);
}

static void non_utf8_arguments(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, "https://vault.azure.net/\xff.default", NULL, &call), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_CONTAINS(call.error, "scope is not valid UTF-8");
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, "{\"access_token\":\xc3(}", &call), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_CONTAINS(call.error, "claims is not valid UTF-8");
    CHECK(emulator_request_count() == 0);
    fixture_close(&f);
}

static void unmapped_scope_never_reaches_broker(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, "https://graph.microsoft.com/.default", NULL, &call),
                 VD_BROKER_ERR_SCOPE_NOT_ALLOWED);
    CHECK_CONTAINS(call.error, "\"https://graph.microsoft.com/.default\"");
    CHECK_CONTAINS(call.error, "known resources");
    /* The lookup is exact: a differently cased host is another resource. */
    CHECK_STATUS(get_token(f.client, "https://VAULT.azure.net/.default", NULL, &call),
                 VD_BROKER_ERR_SCOPE_NOT_ALLOWED);
    CHECK(emulator_request_count() == 0);
    fixture_close(&f);
}

static void scope_forms_map_to_one_audience(void) {
    struct fixture f;
    fixture_open(&f);
    static const char *const forms[] = {"https://vault.azure.net/.default", "https://vault.azure.net/",
                                        "https://vault.azure.net"};
    struct token_call call;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        CHECK_STATUS(get_token(f.client, forms[i], NULL, &call), VD_BROKER_OK);
    }
    /* Same audience, same bearer: one request, the rest from the cache. */
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

static void claims_skip_and_replace_the_cache(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call first, challenged, after;
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, NULL, &first), VD_BROKER_OK);
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, "{\"access_token\":{\"nbf\":{\"essential\":true}}}", &challenged),
                 VD_BROKER_OK);
    CHECK(emulator_request_count() == 2);
    CHECK(strcmp(first.token, challenged.token) != 0);
    CHECK_STATUS(get_token(f.client, VAULT_SCOPE, NULL, &after), VD_BROKER_OK);
    CHECK(strcmp(after.token, challenged.token) == 0);
    CHECK(emulator_request_count() == 2);
    fixture_close(&f);
}

static void rotated_bearer_seen_by_next_call(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call first, second;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &first), VD_BROKER_OK);
    rotate_bearer(&f);
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &second), VD_BROKER_OK);
    CHECK(strcmp(first.token, second.token) != 0);
    char *log = emulator_requests();
    char digest1[80] = "", digest2[80] = "";
    CHECK(emulator_request_count() == 2);
    CHECK(json_string_field(log, "bearer_sha256", 0, digest1, sizeof digest1));
    CHECK(json_string_field(log, "bearer_sha256", 1, digest2, sizeof digest2));
    CHECK(strcmp(digest1, digest2) != 0);
    free(log);
    fixture_close(&f);
}

static void clients_share_the_process_cache(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    vd_broker_client *other = new_client(options);
    vd_broker_options_free(options);
    struct token_call a, b;
    CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &a), VD_BROKER_OK);
    CHECK_STATUS(get_token(other, STORAGE_SCOPE, NULL, &b), VD_BROKER_OK);
    CHECK(strcmp(a.token, b.token) == 0);
    CHECK(emulator_request_count() == 1);
    vd_broker_client_free(other);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(outputs_on_success),
        TEST_CASE(broker_refresh_hint),
        TEST_CASE(buffer_too_small_writes_nothing),
        TEST_CASE(null_arguments),
        TEST_CASE(non_utf8_arguments),
        TEST_CASE(unmapped_scope_never_reaches_broker),
        TEST_CASE(scope_forms_map_to_one_audience),
        TEST_CASE(claims_skip_and_replace_the_cache),
        TEST_CASE(rotated_bearer_seen_by_next_call),
        TEST_CASE(clients_share_the_process_cache),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
