/* vd_broker_client_get_odbc_token: the SQL_COPT_SS_ACCESS_TOKEN blob,
 * checked byte for byte against the token the token call hands out for the
 * same cached token, and its sizing contract. */

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "harness.h"

/* The blob the Microsoft ODBC driver expects for `token`, built here from
 * its definition: a 4-byte little-endian byte count, then UTF-16LE. */
static unsigned char *expected_blob(const char *token, size_t *out_len) {
    size_t n = strlen(token), data = 2 * n;
    unsigned char *blob = malloc(4 + data);
    for (int i = 0; i < 4; i++) {
        blob[i] = (unsigned char)((data >> (8 * i)) & 0xff);
    }
    for (size_t i = 0; i < n; i++) {
        /* Tokens are ASCII, so each UTF-16 unit is the byte and a zero. */
        blob[4 + 2 * i] = (unsigned char)token[i];
        blob[5 + 2 * i] = 0;
    }
    *out_len = 4 + data;
    return blob;
}

static void blob_matches_token_byte_for_byte(void) {
    struct fixture f;
    fixture_open(&f);
    struct token_call call;
    CHECK_STATUS(get_token(f.client, SQL_SCOPE, NULL, &call), VD_BROKER_OK);

    size_t want_len = 0, blob_len = 0;
    unsigned char *want = expected_blob(call.token, &want_len);
    unsigned char blob[2 * VD_BROKER_TOKEN_BUFFER_SIZE + 4];
    int64_t expires_on = 0;
    char error[256] = "";
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, blob, sizeof blob, &blob_len, &expires_on,
                                                 NULL, error, sizeof error),
                 VD_BROKER_OK);
    CHECK(blob_len == want_len && blob_len == 4 + 2 * call.token_len);
    CHECK(memcmp(blob, want, want_len) == 0);
    CHECK(expires_on == call.expires_on);
    /* Same cached token: the broker was asked once. */
    CHECK(emulator_request_count() == 1);

    vd_broker_secure_zero(blob, blob_len);
    bool zeroed = true;
    for (size_t i = 0; i < blob_len; i++) {
        zeroed = zeroed && blob[i] == 0;
    }
    CHECK(zeroed);
    free(want);
    fixture_close(&f);
}

static void blob_buffer_sizing(void) {
    struct fixture f;
    fixture_open(&f);
    unsigned char small[32];
    memset(small, 0xA5, sizeof small);
    size_t needed = 0;
    int64_t expires_on = -7;
    char error[512] = "";
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, small, sizeof small, &needed, &expires_on,
                                                 NULL, error, sizeof error),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    bool untouched = true;
    for (size_t i = 0; i < sizeof small; i++) {
        untouched = untouched && small[i] == 0xA5;
    }
    CHECK(untouched && expires_on == -7);
    CHECK(needed > sizeof small && (needed - 4) % 2 == 0);
    CHECK_CONTAINS(error, "out_buf is too small");

    /* Exactly the reported size fits: the blob has no terminator. Allocate
     * one byte more and check it stays as it was. */
    unsigned char *exact = malloc(needed + 1);
    memset(exact, 0xA5, needed + 1);
    size_t blob_len = 0;
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, exact, needed, &blob_len, NULL, NULL, NULL, 0),
                 VD_BROKER_OK);
    CHECK(blob_len == needed && exact[needed] == 0xA5);
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, exact, needed - 1, &blob_len, NULL, NULL, NULL, 0),
                 VD_BROKER_ERR_BUFFER_TOO_SMALL);
    vd_broker_secure_zero(exact, needed);
    free(exact);
    CHECK(emulator_request_count() == 1);
    fixture_close(&f);
}

static void blob_arguments(void) {
    struct fixture f;
    fixture_open(&f);
    unsigned char blob[64];
    char error[256] = "";
    CHECK_STATUS(vd_broker_client_get_odbc_token(NULL, SQL_SCOPE, 0, blob, sizeof blob, NULL, NULL, NULL, error,
                                                 sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "client is NULL");
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, NULL, 0, blob, sizeof blob, NULL, NULL, NULL, error,
                                                 sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, SQL_SCOPE, 0, NULL, 64, NULL, NULL, NULL, error, sizeof error),
                 VD_BROKER_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(error, "out_buf is NULL");
    CHECK_STATUS(vd_broker_client_get_odbc_token(f.client, "https://sql.example/.default", 0, blob, sizeof blob, NULL,
                                                 NULL, NULL, error, sizeof error),
                 VD_BROKER_ERR_SCOPE_NOT_ALLOWED);
    CHECK(emulator_request_count() == 0);
    CHECK(VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN == 1256);
    /* NULL and zero-length wipes are no-ops. */
    vd_broker_secure_zero(NULL, 10);
    blob[0] = 7;
    vd_broker_secure_zero(blob, 0);
    CHECK(blob[0] == 7);
    fixture_close(&f);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(blob_matches_token_byte_for_byte),
        TEST_CASE(blob_buffer_sizing),
        TEST_CASE(blob_arguments),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
