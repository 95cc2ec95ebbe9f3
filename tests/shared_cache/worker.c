/* One process of the shared-cache count test: THREADS threads each make
 * CALLS calls of vd_broker_get_token (the process-default client,
 * configured from the environment) for Azure SQL, and check they all got the
 * same token. Prints "token <fingerprint>" — a hash, never the token — so the
 * runner can check every process got the same one.
 *
 *   worker THREADS CALLS */

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vd_broker.h"

static int calls_per_thread;

/* FNV-1a: a fingerprint to compare tokens by, not a secret-keeping hash. */
static uint64_t fingerprint(const char *text) {
    uint64_t hash = 1469598103934665603ULL;
    for (; *text != '\0'; text++) {
        hash = (hash ^ (unsigned char)*text) * 1099511628211ULL;
    }
    return hash;
}

/* Returns the fingerprint of the token every call got, or 0 on a failure. */
static void *work(void *unused) {
    (void)unused;
    uint64_t first = 0;
    for (int i = 0; i < calls_per_thread; i++) {
        char token[VD_BROKER_TOKEN_BUFFER_SIZE];
        int64_t expires_on;
        int32_t status = vd_broker_get_token("https://database.windows.net/.default", token, sizeof token, &expires_on);
        if (status != VD_BROKER_OK) {
            char message[512];
            vd_broker_last_error_message(message, sizeof message, NULL);
            fprintf(stderr, "worker: %s: %s\n", vd_broker_status_name(status), message);
            return (void *)0;
        }
        uint64_t seen = fingerprint(token);
        vd_broker_secure_zero(token, sizeof token);
        if (i == 0) {
            first = seen;
        } else if (seen != first) {
            fprintf(stderr, "worker: call %d got another token than the first\n", i);
            return (void *)0;
        }
    }
    return (void *)(uintptr_t)first;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: worker THREADS CALLS\n");
        return 2;
    }
    int threads = atoi(argv[1]);
    calls_per_thread = atoi(argv[2]);
    if (threads < 1 || threads > 256 || calls_per_thread < 1) {
        fprintf(stderr, "worker: THREADS must be 1..256 and CALLS at least 1\n");
        return 2;
    }
    pthread_t ids[256];
    for (int t = 0; t < threads; t++) {
        pthread_create(&ids[t], NULL, work, NULL);
    }
    uint64_t first = 0;
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        void *result;
        pthread_join(ids[t], &result);
        uint64_t seen = (uint64_t)(uintptr_t)result;
        failed |= seen == 0 || (t > 0 && seen != first);
        if (t == 0) {
            first = seen;
        }
    }
    if (failed) {
        fprintf(stderr, "worker: a thread failed or got another token\n");
        return 1;
    }
    printf("token %016" PRIx64 "\n", first);
    return 0;
}
