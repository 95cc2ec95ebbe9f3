/* vd_broker_options_* and vd_broker_client_new: every setter, its invalid
 * values, and how a client built from the options behaves. The runner
 * leaves the broker variables unset, so an unset option is noticed. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

#include "emulator.h"
#include "harness.h"

/* Not UTF-8: a lone continuation byte. */
static const char NOT_UTF8[] = "https://vault.azure.net/\x80.default";

/* A client from `options` must fail with `want`, a message naming
 * `message_part` in err_buf, and *out_client untouched. */
static void check_client_refused(const vd_broker_options *options, int32_t want, const char *message_part) {
    vd_broker_client *sentinel = (vd_broker_client *)&sentinel;
    vd_broker_client *client = sentinel;
    char error[1024] = "";
    CHECK_STATUS(vd_broker_client_new(options, &client, error, sizeof error), want);
    CHECK(client == sentinel);
    CHECK_CONTAINS(error, message_part);
}

static void setters_refuse_null_options(void) {
    CHECK_STATUS(vd_broker_options_set_broker_url(NULL, "http://x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_credential_file(NULL, "/x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_timeout_ms(NULL, 5), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_audience(NULL, "https://x", "x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_cache(NULL, true), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_shared_cache(NULL, true), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_shared_cache_dir(NULL, "/x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_lane(NULL, "user"), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_configuration_revision(NULL, 1), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_options_set_runtime_access_socket(NULL, "/x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    char message[128];
    vd_broker_last_error_message(message, sizeof message, NULL);
    CHECK_CONTAINS(message, "options is NULL");
}

static void setters_refuse_non_utf8(void) {
    vd_broker_options *options = vd_broker_options_new();
    CHECK_STATUS(vd_broker_options_set_broker_url(options, NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_credential_file(options, NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_audience(options, NOT_UTF8, "vault"), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_audience(options, "https://x", NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_lane(options, NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_runtime_access_socket(options, NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    CHECK_STATUS(vd_broker_options_set_shared_cache_dir(options, NOT_UTF8), VD_BROKER_ERR_INVALID_UTF8);
    char message[128];
    vd_broker_last_error_message(message, sizeof message, NULL);
    CHECK_CONTAINS(message, "is not valid UTF-8");
    vd_broker_options_free(options);
}

static void client_needs_broker_url_and_credential_file(void) {
    check_client_refused(NULL, VD_BROKER_ERR_CONFIGURATION, "VD_CREDENTIAL_BROKER_URL");
    vd_broker_options *options = vd_broker_options_new();
    CHECK_STATUS(vd_broker_options_set_broker_url(options, harness_env("VD_TEST_BROKER_URL")), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "VD_CREDENTIAL_FILE");
    /* NULL and "" unset a setting again. */
    CHECK_STATUS(vd_broker_options_set_credential_file(options, "/run/vd/credential"), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_broker_url(options, ""), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "the broker URL is required: set the VD_CREDENTIAL_BROKER_URL");
    CHECK_STATUS(vd_broker_options_set_broker_url(options, harness_env("VD_TEST_BROKER_URL")), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_credential_file(options, NULL), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "the credential file is required: set the VD_CREDENTIAL_FILE");
    vd_broker_options_free(options);
}

static void client_refuses_bad_broker_url(void) {
    static const char *const bad[] = {"ftp://broker.test", "not a url", "http://", "http://broker.test/?a=b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vd_broker_options *options = broker_options("/run/vd/credential");
        CHECK_STATUS(vd_broker_options_set_broker_url(options, bad[i]), VD_BROKER_OK);
        check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "is not an http:// or https:// URL");
        vd_broker_options_free(options);
    }
}

static void client_new_arguments(void) {
    char error[256] = "";
    CHECK_STATUS(vd_broker_client_new(NULL, NULL, error, sizeof error), VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "out_client is NULL");
    /* No error buffer at all is allowed; the thread's last error still tells. */
    vd_broker_client *client = NULL;
    CHECK_STATUS(vd_broker_client_new(NULL, &client, NULL, 0), VD_BROKER_ERR_CONFIGURATION);
    CHECK(client == NULL);
    /* A zero-length buffer is not written to. */
    memset(error, 'Z', sizeof error);
    CHECK_STATUS(vd_broker_client_new(NULL, &client, error, 0), VD_BROKER_ERR_CONFIGURATION);
    CHECK(error[0] == 'Z');
}

static void tiny_error_buffer_gets_cut_message(void) {
    char full[1024] = "", tiny[8];
    vd_broker_client *client = NULL;
    CHECK_STATUS(vd_broker_client_new(NULL, &client, full, sizeof full), VD_BROKER_ERR_CONFIGURATION);
    memset(tiny, 'Z', sizeof tiny);
    CHECK_STATUS(vd_broker_client_new(NULL, &client, tiny, sizeof tiny), VD_BROKER_ERR_CONFIGURATION);
    CHECK(tiny[7] == '\0' && strlen(tiny) == 7 && strncmp(tiny, full, 7) == 0);
    char one[1] = {'Z'};
    CHECK_STATUS(vd_broker_client_new(NULL, &client, one, sizeof one), VD_BROKER_ERR_CONFIGURATION);
    CHECK(one[0] == '\0');
}

static void timeout_setter(void) {
    char url[128];
    int silent = silent_broker_url(url, sizeof url);
    struct fixture f;
    fixture_bearer(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_broker_url(options, url), VD_BROKER_OK);
    /* Setters take any value; the client refuses a bad one. */
    CHECK_STATUS(vd_broker_options_set_timeout_ms(options, 0), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_INVALID_ARGUMENT, "the timeout option must be a positive number of seconds");
    /* 2 s: long enough that, even under valgrind on a loaded machine, the
     * first call's set-up (the bearer file's watch armed, the connection
     * made) is done and the request sent before it runs out, so the wait
     * for the answer is what the timeout ends. */
    CHECK_STATUS(vd_broker_options_set_timeout_ms(options, 2000), VD_BROKER_OK);
    f.client = new_client(options);
    vd_broker_options_free(options);
    /* The broker never answers; the client's 2 s timeout ends the call. */
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_ERR_TIMEOUT);
    CHECK_CONTAINS(call.error, "no answer before the timeout");
    close(silent);
    fixture_close(&f);
}

static void audience_setter(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_audience(options, "https://vault.azure.net/", "key_vault_data_plane"),
                 VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_audience(options, "https://custom.example/.default", "custom"), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_audience(options, "https://management.azure.com", NULL), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_audience(options, "https://storage.azure.com", ""), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_audience(options, NULL, "x"), VD_BROKER_ERR_INVALID_ARGUMENT);
    vd_broker_client *client = new_client(options);
    CHECK_STATUS(vd_broker_options_set_audience(options, " ", "x"), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_INVALID_ARGUMENT, "an audience override has an empty resource");
    vd_broker_options_free(options);

    struct token_call call;
    CHECK_STATUS(get_token(client, VAULT_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK_STATUS(get_token(client, "https://custom.example", NULL, &call), VD_BROKER_OK);
    CHECK_STATUS(get_token(client, "https://management.azure.com/.default", NULL, &call),
                 VD_BROKER_ERR_SCOPE_NOT_ALLOWED);
    CHECK_STATUS(get_token(client, STORAGE_SCOPE, NULL, &call), VD_BROKER_ERR_SCOPE_NOT_ALLOWED);
    CHECK_CONTAINS(call.error, "https://custom.example");

    char *log = emulator_requests();
    CHECK(emulator_request_count() == 2);
    CHECK_CONTAINS(log, "\"body\":{\"audience\":\"key_vault_data_plane\"}");
    CHECK_CONTAINS(log, "\"body\":{\"audience\":\"custom\"}");
    free(log);
    vd_broker_client_free(client);
    fixture_close(&f);
}

static void cache_setter(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_cache(options, false), VD_BROKER_OK);
    vd_broker_client *uncached = new_client(options);
    CHECK_STATUS(vd_broker_options_set_cache(options, true), VD_BROKER_OK);
    vd_broker_client *cached = new_client(options);
    vd_broker_options_free(options);

    struct token_call call;
    CHECK_STATUS(get_token(uncached, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK_STATUS(get_token(uncached, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(emulator_request_count() == 2);
    CHECK_STATUS(get_token(cached, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK_STATUS(get_token(cached, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(emulator_request_count() == 3);
    vd_broker_client_free(uncached);
    vd_broker_client_free(cached);
    fixture_close(&f);
}

/* How many names in `dir` end in `suffix`; -1 if it cannot be read. */
static int count_files(const char *dir, const char *suffix) {
    DIR *listing = opendir(dir);
    if (listing == NULL) {
        return -1;
    }
    int count = 0;
    size_t suffix_len = strlen(suffix);
    for (struct dirent *entry = readdir(listing); entry != NULL; entry = readdir(listing)) {
        size_t len = strlen(entry->d_name);
        count += len > suffix_len && strcmp(entry->d_name + len - suffix_len, suffix) == 0;
    }
    closedir(listing);
    return count;
}

static void shared_cache_setters(void) {
    struct fixture f;
    emulator_reset();
    fixture_bearer(&f);
    char dir[512];
    scratch_path("shared-cache", dir, sizeof dir);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_shared_cache_dir(options, dir), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_shared_cache(options, false), VD_BROKER_OK);
    vd_broker_client *off = new_client(options);
    CHECK_STATUS(vd_broker_options_set_shared_cache(options, true), VD_BROKER_OK);
    vd_broker_client *on = new_client(options);
    vd_broker_options_free(options);

    struct token_call call;
    CHECK_STATUS(get_token(off, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(count_files(dir, ".token") == 0);
    /* A bearer neither client has seen: the shared one writes its entry. */
    rotate_bearer(&f);
    CHECK_STATUS(get_token(on, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    CHECK(count_files(dir, ".token") == 1);
    struct stat seen;
    CHECK(stat(dir, &seen) == 0 && (seen.st_mode & 07777) == 0700);
    CHECK(emulator_request_count() == 2);
    vd_broker_client_free(off);
    vd_broker_client_free(on);
    fixture_close(&f);
}

static void lane_and_revision_setters(void) {
    struct fixture f;
    fixture_open(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    CHECK_STATUS(vd_broker_options_set_lane(options, "robot"), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "is set but the configuration revision (option or VD_CREDENTIAL_CONFIGURATION_REVISION)");
    CHECK_STATUS(vd_broker_options_set_configuration_revision(options, 3), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "must be either 'user' or 'service'");
    CHECK_STATUS(vd_broker_options_set_lane(options, "user"), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_configuration_revision(options, -1), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "must be a non-negative integer, not -1");
    CHECK_STATUS(vd_broker_options_set_configuration_revision(options, 3), VD_BROKER_OK);
    vd_broker_client *client = new_client(options);
    CHECK_STATUS(vd_broker_options_set_lane(options, NULL), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "is set but the lane (option or VD_CREDENTIAL_LANE)");
    vd_broker_options_free(options);

    struct token_call call;
    CHECK_STATUS(get_token(client, VAULT_SCOPE, NULL, &call), VD_BROKER_OK);
    char *log = emulator_requests();
    CHECK_CONTAINS(log, "\"body\":{\"audience\":\"vault\",\"configurationRevision\":3,\"lane\":\"user\","
                        "\"scope\":\"data_platform\"}");
    free(log);
    vd_broker_client_free(client);
    fixture_close(&f);
}

/* Options that mint through the emulator's runtime-access helper: no broker
 * URL nor bearer, the helper holds both. */
static vd_broker_options *helper_options(void) {
    emulator_reset();
    vd_broker_options *options = vd_broker_options_new();
    CHECK_STATUS(vd_broker_options_set_runtime_access_socket(options, harness_env("VD_TEST_HELPER_SOCKET")),
                 VD_BROKER_OK);
    return options;
}

static void runtime_access_socket_setter(void) {
    vd_broker_options *options = helper_options();
    vd_broker_client *client = new_client(options);
    struct token_call call;
    CHECK_STATUS(get_token(client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    char *log = emulator_requests();
    CHECK(emulator_request_count() == 1);
    CHECK_CONTAINS(log, "\"face\":\"helper\"");
    CHECK_CONTAINS(log, "\"path\":\"/v1/credentials\"");
    free(log);
    vd_broker_client_free(client);

    /* A socket path that does not exist means the broker: then it needs a URL. */
    char missing[512];
    scratch_path("no-helper.sock", missing, sizeof missing);
    CHECK_STATUS(vd_broker_options_set_runtime_access_socket(options, missing), VD_BROKER_OK);
    check_client_refused(options, VD_BROKER_ERR_CONFIGURATION, "VD_CREDENTIAL_BROKER_URL");
    vd_broker_options_free(options);
}

static void helper_refusal(void) {
    vd_broker_options *options = helper_options();
    vd_broker_client *client = new_client(options);
    vd_broker_options_free(options);
    emulator_fault("{\"status\":403,\"headers\":{\"x-runtime-access-error\":\"grant_missing\"},"
                   "\"body\":{\"code\":\"grant_missing\",\"message\":\"no grant for storage\"}}");
    struct token_call call;
    CHECK_STATUS(get_token(client, STORAGE_SCOPE, NULL, &call), VD_BROKER_ERR_ACCESS_HELPER_REFUSED);
    CHECK_CONTAINS(call.error, "grant_missing");
    CHECK_CONTAINS(call.error, "no grant for storage");
    vd_broker_client_free(client);
}

static void options_outlive_nothing(void) {
    /* The client copies the options: freeing them first changes nothing. */
    struct fixture f;
    fixture_open(&f);
    vd_broker_options *options = broker_options(f.bearer_file);
    vd_broker_client *client = new_client(options);
    vd_broker_options_free(options);
    struct token_call call;
    CHECK_STATUS(get_token(client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);
    vd_broker_client_free(client);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(setters_refuse_null_options),
        TEST_CASE(setters_refuse_non_utf8),
        TEST_CASE(client_needs_broker_url_and_credential_file),
        TEST_CASE(client_refuses_bad_broker_url),
        TEST_CASE(client_new_arguments),
        TEST_CASE(tiny_error_buffer_gets_cut_message),
        TEST_CASE(timeout_setter),
        TEST_CASE(audience_setter),
        TEST_CASE(cache_setter),
        TEST_CASE(shared_cache_setters),
        TEST_CASE(lane_and_revision_setters),
        TEST_CASE(runtime_access_socket_setter),
        TEST_CASE(helper_refusal),
        TEST_CASE(options_outlive_nothing),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
