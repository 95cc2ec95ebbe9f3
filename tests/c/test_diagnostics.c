/* The calls that never fail: status names, the version, the thread's last
 * error, and the free functions' NULL no-ops. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void status_names(void) {
    static const struct {
        int32_t code;
        const char *name;
    } known[] = {
        {VD_BROKER_OK, "VD_BROKER_OK"},
        {VD_BROKER_ERR_INVALID_ARGUMENT, "VD_BROKER_ERR_INVALID_ARGUMENT"},
        {VD_BROKER_ERR_INVALID_UTF8, "VD_BROKER_ERR_INVALID_UTF8"},
        {VD_BROKER_ERR_BUFFER_TOO_SMALL, "VD_BROKER_ERR_BUFFER_TOO_SMALL"},
        {VD_BROKER_ERR_CONFIGURATION, "VD_BROKER_ERR_CONFIGURATION"},
        {VD_BROKER_ERR_SCOPE_NOT_ALLOWED, "VD_BROKER_ERR_SCOPE_NOT_ALLOWED"},
        {VD_BROKER_ERR_CREDENTIAL_UNREADABLE, "VD_BROKER_ERR_CREDENTIAL_UNREADABLE"},
        {VD_BROKER_ERR_CREDENTIAL_BLANK, "VD_BROKER_ERR_CREDENTIAL_BLANK"},
        {VD_BROKER_ERR_BROKER_UNREACHABLE, "VD_BROKER_ERR_BROKER_UNREACHABLE"},
        {VD_BROKER_ERR_BROKER_REJECTED, "VD_BROKER_ERR_BROKER_REJECTED"},
        {VD_BROKER_ERR_BROKER_STATUS, "VD_BROKER_ERR_BROKER_STATUS"},
        {VD_BROKER_ERR_BROKER_RESPONSE, "VD_BROKER_ERR_BROKER_RESPONSE"},
        {VD_BROKER_ERR_TIMEOUT, "VD_BROKER_ERR_TIMEOUT"},
        {VD_BROKER_ERR_ACCESS_HELPER_REFUSED, "VD_BROKER_ERR_ACCESS_HELPER_REFUSED"},
        {VD_BROKER_ERR_PANIC, "VD_BROKER_ERR_PANIC"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        /* The codes are part of the ABI: 0..14 in this order, forever. */
        CHECK(known[i].code == (int32_t)i);
        const char *name = vd_broker_status_name(known[i].code);
        if (!CHECK(name != NULL && strcmp(name, known[i].name) == 0)) {
            printf("  status %d is named %s\n", (int)known[i].code, name != NULL ? name : "(NULL)");
        }
    }
    CHECK(strcmp(vd_broker_status_name(15), "VD_BROKER_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(vd_broker_status_name(-1), "VD_BROKER_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(vd_broker_status_name(INT32_MAX), "VD_BROKER_UNKNOWN_STATUS") == 0);
}

static void version(void) {
    const char *v = vd_broker_version();
    CHECK(v != NULL && strcmp(v, harness_env("VD_TEST_VERSION")) == 0);
    /* A static string: the same pointer every time. */
    CHECK(vd_broker_version() == v);
}

static void last_error_message(void) {
    char buf[16];
    size_t len = 99;
    vd_broker_client *client = NULL;
    char full[1024] = "";
    CHECK_STATUS(vd_broker_client_new(NULL, &client, full, sizeof full), VD_BROKER_ERR_CONFIGURATION);

    /* NULL buffer: only the length, like snprintf. */
    vd_broker_last_error_message(NULL, 0, &len);
    CHECK(len == strlen(full) && len > sizeof buf);

    /* A small buffer gets the start of the message, NUL-terminated. */
    memset(buf, 'Z', sizeof buf);
    len = 0;
    vd_broker_last_error_message(buf, sizeof buf, &len);
    CHECK(len == strlen(full));
    CHECK(buf[sizeof buf - 1] == '\0' && strncmp(buf, full, sizeof buf - 1) == 0);

    /* A big enough one gets it all; out_len may be NULL. */
    char whole[1024];
    vd_broker_last_error_message(whole, sizeof whole, NULL);
    CHECK(strcmp(whole, full) == 0);
    buf[0] = 'Z';
    vd_broker_last_error_message(buf, 0, NULL);
    CHECK(buf[0] == 'Z');
}

static void free_null_is_a_no_op(void) {
    vd_broker_client_free(NULL);
    vd_broker_options_free(NULL);
    vd_broker_options *options = vd_broker_options_new();
    CHECK(options != NULL);
    vd_broker_options_free(options);
}

static void header_constants(void) {
    CHECK(VD_BROKER_TOKEN_BUFFER_SIZE == 16384);
    CHECK(VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN == 1256);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(status_names),
        TEST_CASE(version),
        TEST_CASE(last_error_message),
        TEST_CASE(free_null_is_a_no_op),
        TEST_CASE(header_constants),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
