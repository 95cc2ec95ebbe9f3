/* get_token: an Azure access token for a scope, from a C program linked
 * against the installed library.
 *
 *   cc get_token.c $(pkg-config --cflags --libs vd_broker) -o get_token
 *   VD_CREDENTIAL_BROKER_URL=... VD_CREDENTIAL_FILE=... ./get_token https://storage.azure.com/.default
 *
 * Prints the token's length and expiry (never the token itself); with
 * --print-token, prints the token alone, for a pipe. Exits with the
 * library's status code on failure. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vd_broker.h>

int main(int argc, char **argv) {
    int print_token = argc == 3 && strcmp(argv[1], "--print-token") == 0;
    if (argc != 2 + print_token) {
        fprintf(stderr, "usage: %s [--print-token] SCOPE\n", argv[0]);
        return 64;
    }
    const char *scope = argv[argc - 1];

    /* NULL options: the broker URL and the bearer file come from the environment. */
    vd_broker_client *client = NULL;
    char error[1024];
    int32_t status = vd_broker_client_new(NULL, &client, error, sizeof error);
    if (status != VD_BROKER_OK) {
        fprintf(stderr, "%s: %s\n", vd_broker_status_name(status), error);
        return status;
    }

    /* Start with a buffer that fits every token Azure issues today; should
     * one ever be longer, the call says how long and writes nothing. */
    size_t capacity = VD_BROKER_TOKEN_BUFFER_SIZE, token_len = 0;
    char *token = malloc(capacity);
    int64_t expires_on = 0, refresh_on = 0;
    for (;;) {
        status = vd_broker_client_get_token(client, scope, NULL, 0, token, capacity, &token_len, &expires_on,
                                            &refresh_on, NULL, error, sizeof error);
        if (status != VD_BROKER_ERR_BUFFER_TOO_SMALL || token == NULL) {
            break;
        }
        vd_broker_secure_zero(token, capacity);
        free(token);
        capacity = token_len + 1;
        token = malloc(capacity);
    }

    if (status == VD_BROKER_OK) {
        if (print_token) {
            printf("%s\n", token);
        } else {
            char when[64];
            time_t expires = (time_t)expires_on;
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", localtime(&expires));
            printf("token for %s: %zu bytes, expires %s (refresh after %lld s)\n", scope, token_len, when,
                   (long long)(refresh_on - (int64_t)time(NULL)));
        }
    } else {
        fprintf(stderr, "%s: %s\n", vd_broker_status_name(status), error);
    }

    if (token != NULL) {
        vd_broker_secure_zero(token, capacity);
        free(token);
    }
    vd_broker_client_free(client);
    return status;
}
