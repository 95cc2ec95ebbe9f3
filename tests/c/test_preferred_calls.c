/* The preferred calls: vd_broker_client_create, vd_broker_client_fetch_token
 * and vd_broker_client_fetch_odbc_token hand out library-owned tokens and
 * errors (one free call each), and a failed setter is reported once, by
 * the constructor, with the core's message. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "harness.h"

/* A stand-in for "not written yet": the calls must overwrite it. */
static char untouched_marker;
#define UNTOUCHED ((void *)&untouched_marker)

static void fetch_token_hands_out_an_owned_token_and_no_error(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_token *token = UNTOUCHED;
    vd_broker_error *error = UNTOUCHED;
    CHECK_STATUS(vd_broker_client_fetch_token(f.client, STORAGE_SCOPE, NULL, 0, &token, &error), VD_BROKER_OK);
    CHECK(error == NULL);
    if (CHECK(token != NULL && token != UNTOUCHED)) {
        CHECK(token->secret_len > 20 && strlen(token->secret) == token->secret_len);
        CHECK(token->expires_on > unix_now() && token->refresh_on <= token->expires_on);
        /* The same token the sized call gives (the cache answers it). */
        struct token_call call;
        CHECK_STATUS(get_token(f.client, STORAGE_SCOPE, NULL, &call), VD_BROKER_OK);
        CHECK(strcmp(call.token, token->secret) == 0);
    }
    vd_broker_token_free(token);
    vd_broker_token_free(NULL);
    vd_broker_error_free(NULL);
    fixture_close(&f);
}

static void fetch_odbc_token_hands_out_the_blob(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_token *blob = NULL;
    CHECK_STATUS(vd_broker_client_fetch_odbc_token(f.client, SQL_SCOPE, 0, &blob, NULL), VD_BROKER_OK);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    if (CHECK(blob != NULL)) {
        const uint8_t *bytes = (const uint8_t *)blob->secret;
        uint32_t prefix = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
        CHECK(blob->secret_len == 4 + 2 * call.token_len && prefix == 2 * call.token_len);
        CHECK(bytes[4] == (uint8_t)call.token[0] && bytes[5] == 0);
    }
    vd_broker_token_free(blob);
    fixture_close(&f);
}

static void a_failure_is_an_error_object_and_no_token(void) {
    struct fixture f;
    fixture_open(&f);
    emulator_fault("{\"status\":403}");
    vd_broker_token *token = UNTOUCHED;
    vd_broker_error *error = NULL;
    CHECK_STATUS(vd_broker_client_fetch_token(f.client, VAULT_SCOPE, NULL, 0, &token, &error), VD_BROKER_ERR_BROKER_REJECTED);
    CHECK(token == NULL);
    if (CHECK(error != NULL)) {
        CHECK_STATUS(error->status, VD_BROKER_ERR_BROKER_REJECTED);
        CHECK(error->http_status == 403);
        CHECK_CONTAINS(error->message, "(403)");
        CHECK_LACKS(error->message, f.bearer);
    }
    vd_broker_error_free(error);
    /* Without somewhere to put the error, the status still says it. */
    CHECK_STATUS(vd_broker_client_fetch_token(f.client, VAULT_SCOPE, NULL, 0, NULL, NULL), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_client_fetch_token(NULL, VAULT_SCOPE, NULL, 0, &token, &error), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error->message, "client is NULL");
    vd_broker_error_free(error);
    CHECK_STATUS(vd_broker_client_fetch_odbc_token(f.client, NULL, 0, &token, &error), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error->message, "scope is NULL");
    vd_broker_error_free(error);
    fixture_close(&f);
}

/* vd_broker_client_fetch_cached_token hands out what the process cache
 * holds, and on a miss no token and no error, without asking the broker;
 * its arguments are checked as fetch_token's. */
static void fetch_cached_token_asks_the_cache_alone(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_token *token = UNTOUCHED;
    vd_broker_error *error = UNTOUCHED;
    long before = emulator_request_count();
    CHECK_STATUS(vd_broker_client_fetch_cached_token(f.client, VAULT_SCOPE, 0, &token, &error), VD_BROKER_OK);
    CHECK(token == NULL && error == NULL);
    CHECK(emulator_request_count() == before);
    vd_broker_token *fetched = NULL;
    CHECK_STATUS(vd_broker_client_fetch_token(f.client, VAULT_SCOPE, NULL, 0, &fetched, NULL), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_client_fetch_cached_token(f.client, VAULT_SCOPE, 0, &token, &error), VD_BROKER_OK);
    if (CHECK(token != NULL && fetched != NULL)) {
        CHECK(strcmp(token->secret, fetched->secret) == 0 && token->expires_on == fetched->expires_on);
    }
    vd_broker_token_free(token);
    vd_broker_token_free(fetched);
    /* A rotated bearer is a new key: nothing cached for it yet. */
    rotate_bearer(&f);
    CHECK_STATUS(vd_broker_client_fetch_cached_token(f.client, VAULT_SCOPE, 0, &token, NULL), VD_BROKER_OK);
    CHECK(token == NULL);
    CHECK(emulator_request_count() == before + 1);
    CHECK_STATUS(vd_broker_client_fetch_cached_token(f.client, VAULT_SCOPE, 0, NULL, NULL), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_client_fetch_cached_token(f.client, NULL, 0, &token, &error), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error->message, "scope is NULL");
    vd_broker_error_free(error);
    fixture_close(&f);
}

/* Creates a client from `options` expecting `want` and `message_part`. */
static void check_refused(const vd_broker_options *options, int32_t want, const char *message_part) {
    vd_broker_client *client = UNTOUCHED;
    vd_broker_error *error = NULL;
    CHECK_STATUS(vd_broker_client_create(options, &client, &error), want);
    CHECK(client == NULL);
    if (CHECK(error != NULL)) {
        CHECK_STATUS(error->status, want);
        CHECK_CONTAINS(error->message, message_part);
    }
    vd_broker_error_free(error);
}

static void a_failed_setter_is_reported_by_the_constructor(void) {
    struct fixture f;
    fixture_bearer(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_lane(options, "\xff"), VD_BROKER_ERR_INVALID_UTF8);
    /* A later, valid setting does not hide the first failure. */
    CHECK_STATUS(vd_broker_options_set_lane(options, "user"), VD_BROKER_OK);
    check_refused(options, VD_BROKER_ERR_INVALID_UTF8, "the lane option is not valid UTF-8");
    vd_broker_options_free(options);

    options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_timeout_seconds(options, -0.5), VD_BROKER_ERR_INVALID_ARGUMENT);
    check_refused(options, VD_BROKER_ERR_INVALID_ARGUMENT, "the timeout option must be a positive number of seconds, not -0.5");
    vd_broker_options_free(options);

    options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_configuration_revision_text(options, "seven"), VD_BROKER_ERR_CONFIGURATION);
    check_refused(options, VD_BROKER_ERR_CONFIGURATION,
                  "the configuration revision (option or VD_CREDENTIAL_CONFIGURATION_REVISION) must be a non-negative integer, not \"seven\"");
    vd_broker_options_free(options);
    fixture_close(&f);
}

static void text_revision_and_seconds_are_taken(void) {
    struct fixture f;
    fixture_bearer(&f);
    emulator_reset();
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_lane(options, "service"), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_configuration_revision_text(options, " 12 "), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_timeout_seconds(options, 2.5), VD_BROKER_OK);
    vd_broker_client *client = NULL;
    CHECK_STATUS(vd_broker_client_create(options, &client, NULL), VD_BROKER_OK);
    vd_broker_options_free(options);
    vd_broker_token *token = NULL;
    CHECK_STATUS(vd_broker_client_fetch_token(client, VAULT_SCOPE, NULL, 0, &token, NULL), VD_BROKER_OK);
    vd_broker_token_free(token);
    char *log = emulator_requests();
    CHECK_CONTAINS(log, "\"configurationRevision\":12");
    free(log);
    vd_broker_client_free(client);
    fixture_close(&f);
}

static void classifiers_and_descriptions(void) {
    CHECK(vd_broker_status_is_retriable(VD_BROKER_ERR_BROKER_UNREACHABLE));
    CHECK(!vd_broker_status_is_retriable(VD_BROKER_ERR_BROKER_REJECTED));
    CHECK(vd_broker_status_is_authentication_failure(VD_BROKER_ERR_ACCESS_HELPER_REFUSED));
    CHECK(vd_broker_status_is_configuration_error(VD_BROKER_ERR_CONFIGURATION));
    CHECK(vd_broker_status_is_caller_error(VD_BROKER_ERR_INVALID_UTF8));
    CHECK(!vd_broker_status_is_caller_error(VD_BROKER_OK) && !vd_broker_status_is_retriable(1000));
    /* Studio absent: no configuration, no bearer file, no broker listening; not a refusal or a 5xx. */
    CHECK(vd_broker_status_is_unavailable(VD_BROKER_ERR_CONFIGURATION));
    CHECK(vd_broker_status_is_unavailable(VD_BROKER_ERR_CREDENTIAL_UNREADABLE));
    CHECK(vd_broker_status_is_unavailable(VD_BROKER_ERR_BROKER_UNREACHABLE));
    CHECK(!vd_broker_status_is_unavailable(VD_BROKER_ERR_BROKER_REJECTED) && !vd_broker_status_is_unavailable(VD_BROKER_ERR_BROKER_STATUS));
    CHECK(!vd_broker_status_is_unavailable(VD_BROKER_ERR_CREDENTIAL_BLANK) && !vd_broker_status_is_unavailable(VD_BROKER_OK));
    CHECK_CONTAINS(vd_broker_status_description(VD_BROKER_ERR_CREDENTIAL_BLANK), "is empty");
    CHECK(strcmp(vd_broker_status_description(1000), "Unknown status.") == 0);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(fetch_token_hands_out_an_owned_token_and_no_error),
        TEST_CASE(fetch_odbc_token_hands_out_the_blob),
        TEST_CASE(a_failure_is_an_error_object_and_no_token),
        TEST_CASE(fetch_cached_token_asks_the_cache_alone),
        TEST_CASE(a_failed_setter_is_reported_by_the_constructor),
        TEST_CASE(text_revision_and_seconds_are_taken),
        TEST_CASE(classifiers_and_descriptions),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
