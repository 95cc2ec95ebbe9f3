package vdbroker

// #include <stdlib.h>
// #include "vd_broker.h"
import "C"

import (
	"sync"
	"unsafe"
)

// errorBufferSize holds any message the library writes; a longer one is cut,
// never overrun.
const errorBufferSize = 2048

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

func newHandle(opts *Options) (*handle, error) {
	native, err := opts.toNative()
	if err != nil {
		return nil, err
	}
	defer C.vd_broker_options_free(native)
	var client *C.vd_broker_client
	var message [errorBufferSize]C.char
	status := C.vd_broker_client_new(native, &client, &message[0], C.size_t(len(message)))
	if status != 0 {
		return nil, failure(Status(status), C.GoString(&message[0]), 0)
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

	memory := scratchPool.Get().(*scratch)
	defer scratchPool.Put(memory)
	buffer, message := memory.token[:], memory.message[:]
	for retried := false; ; retried = true {
		out := (*C.char)(unsafe.Pointer(&buffer[0]))
		var length C.size_t
		var expiresOn, refreshOn C.int64_t
		var httpStatus C.uint16_t
		status := Status(C.vd_broker_client_get_token(client, cScope, cClaims, C.uint64_t(timeoutMs),
			out, C.size_t(len(buffer)), &length, &expiresOn, &refreshOn, &httpStatus, &message[0], C.size_t(len(message))))
		switch {
		case status == StatusOK:
			token := string(buffer[:length])
			// The library wrote the token and its NUL, nothing more.
			C.vd_broker_secure_zero(unsafe.Pointer(out), length+1)
			return minted{token: token, expiresOn: int64(expiresOn), refreshOn: int64(refreshOn)}, nil
		case status == StatusBufferTooSmall && !retried:
			// Once: the token is cached now, so the second call is cheap.
			buffer = make([]byte, int(length)+1)
		default:
			return minted{}, failure(status, C.GoString(&message[0]), int(httpStatus))
		}
	}
}

// scratch is the memory of one native call, reused between calls: the
// token buffer is wiped after every use and a failed call writes nothing
// to it.
type scratch struct {
	token   [C.VD_BROKER_TOKEN_BUFFER_SIZE]byte
	message [errorBufferSize]C.char
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}
