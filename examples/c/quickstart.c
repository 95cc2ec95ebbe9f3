/* quickstart: the library end to end in one small C program. It calls
 * vd_broker_get_token — configured from VD_CREDENTIAL_BROKER_URL and
 * VD_CREDENTIAL_FILE — for two scopes and shows what came back: the token
 * masked, its length, its expiry and the audience (`aud`) the token claims.
 * Run it through examples/quickstart.sh, which sets everything up. */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vd_broker.h"

/* Decodes base64url (no padding) from `in` up to `in_len` into `out`. */
static size_t base64url_decode(const char *in, size_t in_len, char *out, size_t out_len) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned bits = 0, value = 0;
    size_t n = 0;
    for (size_t i = 0; i < in_len && n + 1 < out_len; i++) {
        const char *at = strchr(alphabet, in[i]);
        if (at == NULL || in[i] == '\0') {
            break;
        }
        value = (value << 6) | (unsigned)(at - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((value >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return n;
}

/* The `aud` claim of a JWT-shaped token (the middle part is JSON). A
 * quickstart's shortcut: a real program would use a JSON parser. */
static void audience_claim(const char *token, char *out, size_t out_len) {
    snprintf(out, out_len, "(not a JWT)");
    const char *payload = strchr(token, '.');
    const char *end = payload != NULL ? strchr(payload + 1, '.') : NULL;
    if (end == NULL) {
        return;
    }
    char json[4096];
    base64url_decode(payload + 1, (size_t)(end - payload - 1), json, sizeof json);
    const char *aud = strstr(json, "\"aud\":\"");
    if (aud != NULL) {
        aud += strlen("\"aud\":\"");
        const char *close = strchr(aud, '"');
        if (close != NULL) {
            snprintf(out, out_len, "%.*s", (int)(close - aud), aud);
        }
    }
}

static int show(const char *scope) {
    char token[VD_BROKER_TOKEN_BUFFER_SIZE];
    int64_t expires_on = 0;
    int32_t status = vd_broker_get_token(scope, token, sizeof token, &expires_on);
    printf("%s\n", scope);
    if (status != VD_BROKER_OK) {
        char message[1024];
        vd_broker_last_error_message(message, sizeof message, NULL);
        printf("  failed: %s: %s\n", vd_broker_status_name(status), message);
        return 1;
    }
    char audience[256], when[64];
    audience_claim(token, audience, sizeof audience);
    time_t expires = (time_t)expires_on;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", localtime(&expires));
    printf("  token    %.12s… (%zu bytes)\n", token, strlen(token));
    printf("  expires  %s (in %lld s)\n", when, (long long)(expires_on - (int64_t)time(NULL)));
    printf("  aud      %s\n", audience);
    vd_broker_secure_zero(token, sizeof token);
    return 0;
}

int main(void) {
    printf("vd_broker %s\n\n", vd_broker_version());
    int failures = show("https://storage.azure.com/.default");
    failures += show("https://database.windows.net/.default");
    return failures == 0 ? 0 : 1;
}
