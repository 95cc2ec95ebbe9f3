package vdbroker

/*
#include <stdlib.h>
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

static int32_t vdgo_fetch_token(uintptr_t logger, vd_broker_client *client, const char *scope, const char *claims,
                                uint64_t timeout_ms, vd_broker_token **token, vd_broker_error **error) {
	vdgo_logger = logger;
	int32_t status = vd_broker_client_fetch_token(client, scope, claims, timeout_ms, token, error);
	vdgo_logger = 0;
	return status;
}
*/
import "C"

import (
	"log/slog"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// handle owns one native client. A GetToken abandoned by its context keeps
// running natively, so the client is freed only once it is closed and no
// call is using it.
type handle struct {
	mu     sync.Mutex
	client *C.vd_broker_client
	logger C.uintptr_t // a cgo.Handle of Options.Logger, 0 for none
	calls  int
	closed bool
}

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
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	h.calls++
	return h.client, nil
}

func (h *handle) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls--
	if h.closed && h.calls == 0 {
		h.free()
	}
}

// close frees the client now, or when its last call returns.
func (h *handle) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	if h.calls == 0 {
		h.free()
	}
}

func (h *handle) free() {
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
	cScope, err := cString("the scope", scope)
	if err != nil {
		return minted{}, err
	}
	defer C.free(unsafe.Pointer(cScope))
	var cClaims *C.char
	if claims != "" {
		if cClaims, err = cString("the claims", claims); err != nil {
			return minted{}, err
		}
		defer C.free(unsafe.Pointer(cClaims))
	}
	client, err := h.acquire()
	if err != nil {
		return minted{}, err
	}
	defer h.release()
	var token *C.vd_broker_token
	var failed *C.vd_broker_error
	if C.vdgo_fetch_token(h.logger, client, cScope, cClaims, C.uint64_t(timeoutMs), &token, &failed) != C.VD_BROKER_OK {
		return minted{}, taken(failed)
	}
	defer C.vd_broker_token_free(token) // zeroes the library's copy
	return minted{
		token:     C.GoStringN(token.secret, C.int(token.secret_len)),
		expiresOn: int64(token.expires_on),
		refreshOn: int64(token.refresh_on),
	}, nil
}
