package vdbroker

/*
#include <stdlib.h>
#include <string.h>
#include "vd_broker.h"

// vdgoLogEvent is logging.go's; vdgo_logger the logger (a cgo.Handle) of the
// credential whose native call runs on this thread, 0 when none.
extern void vdgoLogEvent(uintptr_t logger, int32_t level, char *message, size_t length);
static __thread uintptr_t vdgo_logger;

static void vdgo_log(int32_t level, const char *message, size_t length, void *user_data) {
	uintptr_t logger = vdgo_logger;
	if (logger != 0) vdgoLogEvent(logger, level, (char *)message, length);
}

static int32_t vdgo_route_logs(void) {
	return vd_broker_set_log_callback(vdgo_log, VD_BROKER_LOG_DEBUG, NULL);
}

static int32_t vdgo_create(uintptr_t logger, const vd_broker_options *options, vd_broker_client **client,
                           vd_broker_error **error) {
	vdgo_logger = logger;
	int32_t status = vd_broker_client_create(options, client, error);
	vdgo_logger = 0;
	return status;
}

// The status vdgo_fetch_token returns when it cannot allocate a long text.
#define VDGO_NO_MEMORY INT32_MIN

// A scope or claims this long or shorter is copied to the stack, a longer
// one to the heap.
#define VDGO_SHORT_TEXT 512

// vdgo_text is text as a NUL-terminated C string: in buf when it fits
// (VDGO_SHORT_TEXT + 1 bytes), else malloc'ed (the caller frees it when it
// is not buf). NULL when out of memory.
static char *vdgo_text(_GoString_ text, char *buf) {
	size_t length = _GoStringLen(text);
	char *out = length <= VDGO_SHORT_TEXT ? buf : malloc(length + 1);
	if (out != NULL) {
		memcpy(out, _GoStringPtr(text), length);
		out[length] = 0;
	}
	return out;
}

// What vdgo_fetch_token hands back, by value: no Go pointer for cgo to
// check and nothing that escapes to the Go heap.
typedef struct {
	int32_t status;
	bool missed; // the cache alone was asked and had no token to hand out now
	bool same;   // the secret is the bytes of the previous one: not copied
	int64_t expires_on, refresh_on;
	vd_broker_token *token; // the token for the caller to copy and free, when not same
	vd_broker_error *error;
} vdgo_result;

// vdgo_fetch_token is one get-token in one cgo call: the scope (and the
// claims, when has_claims) made C strings here from the Go strings, so Go
// allocates nothing for them. On success with a secret whose length and
// bytes equal previous (the last secret the caller handed out for this
// scope), the token is freed here and result.same set; else result.token is
// left for the caller to copy and free. On failure result.error is the
// library's error. Nothing is remembered here: the library answers every
// call, previous only spares Go copying bytes it already holds.
static vdgo_result vdgo_fetch_token(uintptr_t logger, vd_broker_client *client, _GoString_ scope, _GoString_ claims,
                                    bool has_claims, bool cached_only, uint64_t timeout_ms, _GoString_ previous) {
	vdgo_result result = {0};
	char scope_buf[VDGO_SHORT_TEXT + 1], claims_buf[VDGO_SHORT_TEXT + 1];
	char *c_scope = vdgo_text(scope, scope_buf);
	char *c_claims = has_claims ? vdgo_text(claims, claims_buf) : NULL;
	if (c_scope == NULL || (has_claims && c_claims == NULL)) {
		result.status = VDGO_NO_MEMORY;
	} else {
		vdgo_logger = logger;
		result.status = cached_only
			? vd_broker_client_fetch_cached_token(client, c_scope, timeout_ms, &result.token, &result.error)
			: vd_broker_client_fetch_token(client, c_scope, c_claims, timeout_ms, &result.token, &result.error);
		vdgo_logger = 0;
	}
	if (c_scope != scope_buf) free(c_scope);
	if (c_claims != claims_buf) free(c_claims);
	vd_broker_token *token = result.token;
	if (result.status != VD_BROKER_OK) return result;
	if (token == NULL) {
		result.missed = true;
		return result;
	}
	result.expires_on = token->expires_on;
	result.refresh_on = token->refresh_on;
	size_t length = _GoStringLen(previous);
	result.same = length != 0 && token->secret_len == length && memcmp(token->secret, _GoStringPtr(previous), length) == 0;
	if (result.same) {
		vd_broker_token_free(token); // zeroes the library's copy
		result.token = NULL;
	}
	return result;
}
*/
import "C"

import (
	"log/slog"
	"runtime/cgo"
	"sync"
	"sync/atomic"
)

// handle owns one native client. A GetToken abandoned by its context keeps
// running natively, so the client is freed only once it is closed and no
// call is using it.
type handle struct {
	client *C.vd_broker_client
	logger C.uintptr_t // a cgo.Handle of Options.Logger, 0 for none
	// state is the calls in flight, plus closedFlag once closed: one atomic
	// on the hot path where a mutex would take two lock pairs.
	state atomic.Int64
	// issued is the secret last handed out per scope (see issued.go).
	issued issuedSecrets
}

const closedFlag = 1 << 62

// routeLogs registers the C trampoline as the library's log callback, once.
var routeLogs = sync.OnceFunc(func() { C.vdgo_route_logs() })

// loggerHandle is logger as the trampoline's thread-local value.
func loggerHandle(logger *slog.Logger) C.uintptr_t {
	if logger == nil {
		return 0
	}
	routeLogs()
	return C.uintptr_t(cgo.NewHandle(logger))
}

// minted is a token as the library hands it over.
type minted struct {
	token     string
	expiresOn int64
	refreshOn int64
}

// taken is the error of a preferred call's error object, which it frees.
func taken(native *C.vd_broker_error) error {
	defer C.vd_broker_error_free(native)
	return failure(&Error{Status: Status(native.status), Message: C.GoString(native.message), HTTPStatus: int(native.http_status)})
}

func newHandle(opts *Options) (*handle, error) {
	native, err := opts.toNative()
	if err != nil {
		return nil, err
	}
	defer C.vd_broker_options_free(native)
	var logger C.uintptr_t
	if opts != nil {
		logger = loggerHandle(opts.Logger)
	}
	var client *C.vd_broker_client
	var failed *C.vd_broker_error
	if C.vdgo_create(logger, native, &client, &failed) != C.VD_BROKER_OK {
		deleteLogger(logger)
		return nil, taken(failed)
	}
	return &handle{client: client, logger: logger}, nil
}

func (h *handle) acquire() (*C.vd_broker_client, error) {
	for {
		state := h.state.Load()
		if state&closedFlag != 0 {
			return nil, ErrClosed
		}
		if h.state.CompareAndSwap(state, state+1) {
			return h.client, nil
		}
	}
}

// release ends a call; the last call of a closed handle frees it.
func (h *handle) release() {
	if h.state.Add(-1) == closedFlag {
		h.free()
	}
}

// close frees the client now, or when its last call returns.
func (h *handle) close() {
	for {
		state := h.state.Load()
		if state&closedFlag != 0 {
			return
		}
		if h.state.CompareAndSwap(state, state|closedFlag) {
			h.issued.clear()
			if state == 0 {
				h.free()
			}
			return
		}
	}
}

func (h *handle) free() {
	h.issued.clear() // again: a call in flight at close may have remembered one
	C.vd_broker_client_free(h.client)
	h.client = nil
	deleteLogger(h.logger) // no call, so no event, uses it any more
	h.logger = 0
}

func deleteLogger(logger C.uintptr_t) {
	if logger != 0 {
		cgo.Handle(logger).Delete()
	}
}

// getToken is one native get-token call. timeoutMs 0 means the client's.
func (h *handle) getToken(scope, claims string, timeoutMs uint64) (minted, error) {
	token, _, err := h.fetch(scope, claims, timeoutMs, false)
	return token, err
}

// cachedToken is the token the library's cache hands out at once, if any
// (found false: none, or the call would fail; getToken then says why).
func (h *handle) cachedToken(scope string, timeoutMs uint64) (token minted, found bool, err error) {
	return h.fetch(scope, "", timeoutMs, true)
}

// fetch is getToken, or cachedToken when cachedOnly, in one cgo call. The
// scope and claims go to C as Go strings (copied to C strings there), with
// the secret this handle last handed out for the scope: when the library's
// secret has those bytes, that string is handed out again and nothing is
// allocated; else the secret is copied into a new string, which becomes the
// scope's last.
func (h *handle) fetch(scope, claims string, timeoutMs uint64, cachedOnly bool) (minted, bool, error) {
	if err := checkText("the scope", scope); err != nil {
		return minted{}, false, err
	}
	if err := checkText("the claims", claims); err != nil {
		return minted{}, false, err
	}
	client, err := h.acquire()
	if err != nil {
		return minted{}, false, err
	}
	defer h.release()
	previous := h.issued.last(scope)
	result := C.vdgo_fetch_token(h.logger, client, scope, claims, C.bool(claims != ""), C.bool(cachedOnly),
		C.uint64_t(timeoutMs), previous)
	switch {
	case result.status == C.VDGO_NO_MEMORY:
		return minted{}, false, &Error{Status: StatusPanic, Message: "out of memory copying the scope or claims to C"}
	case result.status != C.VD_BROKER_OK:
		return minted{}, false, taken(result.error)
	case bool(result.missed):
		return minted{}, false, nil
	}
	got := minted{token: previous, expiresOn: int64(result.expires_on), refreshOn: int64(result.refresh_on)}
	if !bool(result.same) {
		got.token = copied(result.token)
		h.issued.remember(scope, got.token)
	}
	return got, true, nil
}

// copied is the token's secret as a Go string; it frees the token.
func copied(token *C.vd_broker_token) string {
	defer C.vd_broker_token_free(token) // zeroes the library's copy
	return C.GoStringN(token.secret, C.int(token.secret_len))
}
