package vdbroker

// #include <stdlib.h>
// #include "vd_broker.h"
import "C"

import (
	"sync"
	"unsafe"
)

// handle owns one native client. A GetToken abandoned by its context keeps
// running natively, so the client is freed only once it is closed and no
// call is using it.
type handle struct {
	mu     sync.Mutex
	client *C.vd_broker_client
	calls  int
	closed bool
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
	var client *C.vd_broker_client
	var failed *C.vd_broker_error
	if C.vd_broker_client_create(native, &client, &failed) != C.VD_BROKER_OK {
		return nil, taken(failed)
	}
	return &handle{client: client}, nil
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
	if C.vd_broker_client_fetch_token(client, cScope, cClaims, C.uint64_t(timeoutMs), &token, &failed) != C.VD_BROKER_OK {
		return minted{}, taken(failed)
	}
	defer C.vd_broker_token_free(token) // zeroes the library's copy
	return minted{
		token:     C.GoStringN(token.secret, C.int(token.secret_len)),
		expiresOn: int64(token.expires_on),
		refreshOn: int64(token.refresh_on),
	}, nil
}
