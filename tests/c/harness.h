/* A tiny test harness for the C tests of the vd_broker ABI: named test
 * cases, checks that record failures without aborting, and the fixtures
 * every test needs (a fresh bearer in a file, a client pointed at the
 * emulator). Each test binary prints one "ok - name" or "not ok - name" line
 * per case; tests/c/run.sh counts them. */

#ifndef VD_BROKER_TEST_HARNESS_H
#define VD_BROKER_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vd_broker.h"

struct test_case {
    const char *name;
    void (*run)(void);
};

#define TEST_CASE(fn) { #fn, fn }

/* Runs every case, or only the one named by argv[1] ("--list" lists them);
 * returns the exit status. */
int harness_main(const struct test_case *cases, size_t count, int argc, char **argv);

bool harness_check(bool ok, const char *what, const char *file, int line);
bool harness_check_status(int32_t got, int32_t want, const char *what, const char *file, int line);
bool harness_check_contains(const char *text, const char *needle, const char *what, const char *file, int line);
bool harness_check_lacks(const char *text, const char *needle, const char *what, const char *file, int line);

#define CHECK(cond) harness_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STATUS(got, want) harness_check_status((got), (want), #got, __FILE__, __LINE__)
#define CHECK_CONTAINS(text, needle) harness_check_contains((text), (needle), #text, __FILE__, __LINE__)
/* A secret (bearer, token) must never appear in a message. */
#define CHECK_LACKS(text, needle) harness_check_lacks((text), (needle), #text, __FILE__, __LINE__)

/* The secrets sweep (tests/suites/99-secrets-sweep.sh): a message that left
 * the library (an err_buf, the last error) is appended to
 * $VD_TEST_MESSAGE_LOG, a secret a test made (a bearer, a password) to
 * $VD_TEST_SECRET_LOG; nothing happens when they are unset. CHECK_LACKS,
 * get_token and fresh_bearer record what they see. Thread-safe. */
void record_message(const char *text);
void record_secret(const char *secret);

/* The value of an environment variable the runner must set. */
const char *harness_env(const char *name);

/* A new random bearer the emulator accepts ("vd_iat_" + 32 hex digits).
 * The token cache is process-wide and keyed by the bearer, so a fresh one
 * per test guarantees the broker is asked. */
void fresh_bearer(char *out, size_t out_len);

/* A path in the runner's scratch directory, unique per call in this process. */
void scratch_path(const char *stem, char *out, size_t out_len);

void write_file(const char *path, const char *contents);

/* Unix seconds now. */
int64_t unix_now(void);

/* A bearer in a file of its own and a client for the emulator's broker,
 * cache on. The emulator is reset first. */
struct fixture {
    char bearer[64];
    char bearer_file[512];
    vd_broker_client *client;
};

void fixture_open(struct fixture *f);
void fixture_close(struct fixture *f);

/* Only the bearer and its file, no client: for a client of the test's own
 * making. fixture_close frees what was made. */
void fixture_bearer(struct fixture *f);

/* Options pointing at the emulator's broker and `bearer_file`. */
vd_broker_options *broker_options(const char *bearer_file);

/* A client from `options`; a failure to create it fails the test. */
vd_broker_client *new_client(const vd_broker_options *options);

/* Writes a new bearer into f's file (the backend's rotation). */
void rotate_bearer(struct fixture *f);

/* One get-token call on f's client with a token buffer of
 * VD_BROKER_TOKEN_BUFFER_SIZE and an error buffer; returns the status. */
struct token_call {
    char token[VD_BROKER_TOKEN_BUFFER_SIZE];
    size_t token_len;
    int64_t expires_on;
    int64_t refresh_on;
    uint16_t http_status;
    char error[1024];
};

int32_t get_token(const vd_broker_client *client, const char *scope, const char *claims, struct token_call *out);

/* Scopes that map to the default audiences. */
#define SQL_SCOPE "https://database.windows.net/.default"
#define STORAGE_SCOPE "https://storage.azure.com/.default"
#define VAULT_SCOPE "https://vault.azure.net/.default"

#endif
