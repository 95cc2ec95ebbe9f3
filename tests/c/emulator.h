/* A small client for the broker emulator's control API (the /_emulator/ routes):
 * plain HTTP/1.1 over a POSIX socket, one connection per call. The emulator
 * is found through VD_TEST_BROKER_URL, the broker URL it printed. A control
 * call that fails ends the test binary: the tests cannot mean anything then. */

#ifndef VD_BROKER_TEST_EMULATOR_H
#define VD_BROKER_TEST_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>

/* Sends `method path` with an optional JSON body; returns the HTTP status and
 * stores the answer's body (malloc'd, NUL-terminated; free it) in *out_body
 * when out_body is not NULL. */
int emulator_call(const char *method, const char *path, const char *json_body, char **out_body);

/* Settings, queued faults and the request log back to the start. */
void emulator_reset(void);

/* Queues a fault (POST /_emulator/faults), e.g. {"status":503,"times":4}. */
void emulator_fault(const char *fault_json);

/* Changes settings (PUT /_emulator/settings), e.g. {"omit_expires_in":true}. */
void emulator_settings(const char *settings_json);

/* The token request log (GET /_emulator/requests) as JSON text; free() it. */
char *emulator_requests(void);

/* How many token requests the emulator saw since the last reset. */
long emulator_request_count(void);

/* How many times `needle` occurs in `text`. */
size_t count_occurrences(const char *text, const char *needle);

/* Copies the `nth` (from 0) string value of `"field":"..."` in `json` into
 * `out`; false when there is no such occurrence. */
bool json_string_field(const char *json, const char *field, size_t nth, char *out, size_t out_len);

/* A broker URL on loopback where nothing listens: its port was just bound
 * and released. */
void unreachable_broker_url(char *out, size_t out_len);

/* A broker URL on loopback that accepts connections and never answers (the
 * kernel completes the handshake; nobody reads). Returns the listening
 * socket; close it when done. For timeouts that must not leave a delayed
 * request behind in the emulator's log for the next test to see. */
int silent_broker_url(char *out, size_t out_len);

#endif
