#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emulator.h"

/* Failures of the running case; a case passes when it recorded none. */
static int case_failures;

int harness_main(const struct test_case *cases, size_t count, int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : NULL;
    if (only != NULL && strcmp(only, "--list") == 0) {
        for (size_t i = 0; i < count; i++) {
            printf("%s\n", cases[i].name);
        }
        return 0;
    }
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (only != NULL && strcmp(only, cases[i].name) != 0) {
            continue;
        }
        case_failures = 0;
        cases[i].run();
        if (case_failures == 0) {
            passed++;
            printf("ok - %s\n", cases[i].name);
        } else {
            failed++;
            printf("not ok - %s\n", cases[i].name);
        }
        fflush(stdout);
    }
    if (passed + failed == 0) {
        fprintf(stderr, "no test case named %s\n", only != NULL ? only : "(any)");
        return 2;
    }
    return failed == 0 ? 0 : 1;
}

bool harness_check(bool ok, const char *what, const char *file, int line) {
    if (!ok) {
        case_failures++;
        printf("  FAILED %s:%d: %s\n", file, line, what);
    }
    return ok;
}

bool harness_check_status(int32_t got, int32_t want, const char *what, const char *file, int line) {
    if (got == want) {
        return true;
    }
    case_failures++;
    char message[1024];
    size_t len = 0;
    vd_broker_last_error_message(message, sizeof message, &len);
    printf("  FAILED %s:%d: %s is %s, expected %s (last error on this thread: %s)\n", file, line, what,
           vd_broker_status_name(got), vd_broker_status_name(want), len > 0 ? message : "none");
    return false;
}

bool harness_check_contains(const char *text, const char *needle, const char *what, const char *file, int line) {
    if (text != NULL && strstr(text, needle) != NULL) {
        return true;
    }
    case_failures++;
    printf("  FAILED %s:%d: %s does not contain \"%s\": \"%s\"\n", file, line, what, needle,
           text != NULL ? text : "(NULL)");
    return false;
}

/* Appends `prefix`, `text` (line breaks as spaces) and a newline to the file
 * named by $variable, in one write so that lines never interleave. */
static void append_line(const char *variable, const char *prefix, const char *text) {
    const char *path = getenv(variable);
    if (path == NULL || path[0] == '\0' || text == NULL) {
        return;
    }
    size_t len = strlen(prefix) + strlen(text) + 2;
    char *line = malloc(len);
    if (line == NULL) {
        return;
    }
    snprintf(line, len, "%s%s\n", prefix, text);
    for (char *c = line; c[1] != '\0'; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ssize_t written = write(fd, line, strlen(line));
        (void)written;
        close(fd);
    }
    free(line);
}

void record_message(const char *text) {
    if (text != NULL && text[0] != '\0') {
        append_line("VD_TEST_MESSAGE_LOG", "c\t", text);
    }
}

void record_secret(const char *secret) {
    append_line("VD_TEST_SECRET_LOG", "", secret);
}

bool harness_check_lacks(const char *text, const char *needle, const char *what, const char *file, int line) {
    record_message(text);
    if (text == NULL || needle[0] == '\0' || strstr(text, needle) == NULL) {
        return true;
    }
    case_failures++;
    /* Do not print the text: it holds the secret. */
    printf("  FAILED %s:%d: %s contains a secret\n", file, line, what);
    return false;
}

const char *harness_env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "%s is not set: run the C tests through tests/c/run.sh\n", name);
        exit(2);
    }
    return value;
}

void fresh_bearer(char *out, size_t out_len) {
    unsigned char random[16];
    FILE *urandom = fopen("/dev/urandom", "rb");
    if (urandom == NULL || fread(random, 1, sizeof random, urandom) != sizeof random) {
        fprintf(stderr, "cannot read /dev/urandom\n");
        exit(2);
    }
    fclose(urandom);
    int used = snprintf(out, out_len, "vd_iat_");
    for (size_t i = 0; i < sizeof random && used > 0 && (size_t)used < out_len; i++) {
        used += snprintf(out + used, out_len - (size_t)used, "%02x", random[i]);
    }
    record_secret(out);
}

void scratch_path(const char *stem, char *out, size_t out_len) {
    static unsigned serial;
    snprintf(out, out_len, "%s/%s-%ld-%u", harness_env("VD_TEST_SCRATCH_DIR"), stem, (long)getpid(), ++serial);
}

void write_file(const char *path, const char *contents) {
    /* Write then rename, as the Studio backend rotates the bearer: a reader
     * never sees a half-written file. */
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", path);
    FILE *file = fopen(partial, "w");
    if (file == NULL || fputs(contents, file) < 0 || fclose(file) != 0 || rename(partial, path) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
}

int64_t unix_now(void) {
    return (int64_t)time(NULL);
}

vd_broker_options *broker_options(const char *bearer_file) {
    vd_broker_options *options = vd_broker_options_new();
    CHECK(options != NULL);
    CHECK_STATUS(vd_broker_options_set_broker_url(options, harness_env("VD_TEST_BROKER_URL")), VD_BROKER_OK);
    CHECK_STATUS(vd_broker_options_set_credential_file(options, bearer_file), VD_BROKER_OK);
    return options;
}

vd_broker_client *new_client(const vd_broker_options *options) {
    vd_broker_client *client = NULL;
    char error[512] = "";
    if (!CHECK_STATUS(vd_broker_client_new(options, &client, error, sizeof error), VD_BROKER_OK)) {
        printf("  client error: %s\n", error);
    }
    return client;
}

void fixture_bearer(struct fixture *f) {
    fresh_bearer(f->bearer, sizeof f->bearer);
    scratch_path("bearer", f->bearer_file, sizeof f->bearer_file);
    write_file(f->bearer_file, f->bearer);
    f->client = NULL;
}

void fixture_open(struct fixture *f) {
    emulator_reset();
    fixture_bearer(f);
    vd_broker_options *options = broker_options(f->bearer_file);
    f->client = new_client(options);
    vd_broker_options_free(options);
}

void fixture_close(struct fixture *f) {
    vd_broker_client_free(f->client);
    f->client = NULL;
    unlink(f->bearer_file);
}

void rotate_bearer(struct fixture *f) {
    fresh_bearer(f->bearer, sizeof f->bearer);
    write_file(f->bearer_file, f->bearer);
}

int32_t get_token(const vd_broker_client *client, const char *scope, const char *claims, struct token_call *out) {
    out->token[0] = '\0';
    out->error[0] = '\0';
    out->token_len = 0;
    out->expires_on = 0;
    out->refresh_on = 0;
    out->http_status = 99;
    int32_t status = vd_broker_client_get_token(client, scope, claims, 0, out->token, sizeof out->token,
                                                &out->token_len, &out->expires_on, &out->refresh_on,
                                                &out->http_status, out->error, sizeof out->error);
    record_message(out->error);
    return status;
}
