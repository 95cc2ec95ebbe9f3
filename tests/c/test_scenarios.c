/* tests/scenarios.json through the preferred calls of the C ABI: every
 * scenario gives the status, classification and message text the file
 * lists — the same ones the Python, Go and .NET tests check. */

#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator.h"
#include "harness.h"

/* `text` with every `{name}` replaced by `value`, into `out`. */
static void substitute(const char *text, const char *name, const char *value, char *out, size_t out_len) {
    size_t used = 0, name_len = strlen(name);
    while (*text != '\0' && used + 1 < out_len) {
        if (strncmp(text, name, name_len) == 0) {
            used += (size_t)snprintf(out + used, out_len - used, "%s", value);
            text += name_len;
        } else {
            out[used++] = *text++;
        }
    }
    out[used < out_len ? used : out_len - 1] = '\0';
}

static void post_json(json_t *value, void (*send)(const char *)) {
    if (json_is_object(value)) {
        char *text = json_dumps(value, JSON_COMPACT);
        send(text);
        free(text);
    }
}

static bool flag(json_t *scenario, const char *field) {
    return json_is_true(json_object_get(scenario, field));
}

/* Creates the scenario's client and makes its call; returns the failure
 * (NULL when, wrongly, nothing failed). */
static vd_broker_error *run_scenario(json_t *scenario, const char *bearer_file) {
    vd_broker_options *options = vd_broker_options_new();
    if (strcmp(json_string_value(json_object_get(scenario, "broker")), "emulator") == 0) {
        vd_broker_options_set_broker_url(options, harness_env("VD_TEST_BROKER_URL"));
        vd_broker_options_set_credential_file(options, bearer_file);
    }
    vd_broker_options_set_runtime_access_socket(options, "/nonexistent/vd-broker-scenarios.sock");
    json_t *timeout = json_object_get(scenario, "timeout_seconds");
    if (json_is_number(timeout)) {
        vd_broker_options_set_timeout_seconds(options, json_number_value(timeout));
    }
    vd_broker_client *client = NULL;
    vd_broker_error *error = NULL;
    vd_broker_client_create(options, &client, &error);
    vd_broker_options_free(options);
    if (error == NULL) {
        post_json(json_object_get(scenario, "settings"), emulator_settings);
        post_json(json_object_get(scenario, "fault"), emulator_fault);
        vd_broker_token *token = NULL;
        vd_broker_client_fetch_token(client, json_string_value(json_object_get(scenario, "scope")), NULL, 0, &token, &error);
        CHECK(token == NULL);
        vd_broker_token_free(token);
        CHECK(strcmp(json_string_value(json_object_get(scenario, "fails_at")), "token") == 0);
    } else {
        CHECK(client == NULL);
        CHECK(strcmp(json_string_value(json_object_get(scenario, "fails_at")), "create") == 0);
    }
    vd_broker_client_free(client);
    return error;
}

static void check_scenario(json_t *scenario) {
    const char *name = json_string_value(json_object_get(scenario, "name"));
    printf("  scenario %s\n", name);
    emulator_reset();
    char bearer[64], bearer_file[512];
    fresh_bearer(bearer, sizeof bearer);
    scratch_path("scenario-bearer", bearer_file, sizeof bearer_file);
    bool blank = strcmp(json_string_value(json_object_get(scenario, "bearer")), "blank") == 0;
    write_file(bearer_file, blank ? "" : bearer);

    vd_broker_error *error = run_scenario(scenario, bearer_file);
    emulator_reset();
    unlink(bearer_file);
    if (!CHECK(error != NULL)) {
        return;
    }
    CHECK(strcmp(vd_broker_status_name(error->status), json_string_value(json_object_get(scenario, "status"))) == 0);
    CHECK(error->http_status == json_integer_value(json_object_get(scenario, "http_status")));
    CHECK(vd_broker_status_is_retriable(error->status) == flag(scenario, "retriable"));
    CHECK(vd_broker_status_is_authentication_failure(error->status) == flag(scenario, "authentication_failure"));
    CHECK(vd_broker_status_is_configuration_error(error->status) == flag(scenario, "configuration_error"));
    CHECK(vd_broker_status_is_caller_error(error->status) == flag(scenario, "caller_error"));

    char token_url[512], with_url[2048], expected[2048];
    snprintf(token_url, sizeof token_url, "%s/token", harness_env("VD_TEST_BROKER_URL"));
    substitute(json_string_value(json_object_get(scenario, "message")), "{token_url}", token_url, with_url, sizeof with_url);
    substitute(with_url, "{credential_file}", bearer_file, expected, sizeof expected);
    if (!CHECK(strcmp(error->message, expected) == 0)) {
        printf("  got:  %s\n  want: %s\n", error->message, expected);
    }
    CHECK_LACKS(error->message, bearer);
    vd_broker_error_free(error);
}

static void every_scenario_of_tests_scenarios_json(void) {
    json_error_t problem;
    json_t *file = json_load_file("tests/scenarios.json", 0, &problem);
    if (!CHECK(file != NULL)) {
        printf("  tests/scenarios.json:%d: %s\n", problem.line, problem.text);
        return;
    }
    json_t *scenarios = json_object_get(file, "scenarios");
    CHECK(json_array_size(scenarios) >= 7);
    size_t index;
    json_t *scenario;
    json_array_foreach(scenarios, index, scenario) {
        check_scenario(scenario);
    }
    json_decref(file);
}

int main(int argc, char **argv) {
    static const struct test_case cases[] = {
        TEST_CASE(every_scenario_of_tests_scenarios_json),
    };
    return harness_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
