package vdbroker

// #include <stdlib.h>
// #include "vd_broker.h"
import "C"

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// Options are explicit settings for NewCredential. A zero field falls back
// to its environment variable, then to the library's default; a nil
// *Options means the environment alone, as in a Studio agent container.
type Options struct {
	// BrokerURL is the Studio credential broker's base URL ("/token" is
	// appended). Default: VD_CREDENTIAL_BROKER_URL, else VD_AZ_TOKEN_URL.
	BrokerURL string
	// CredentialFile holds the vd_iat_* intent bearer, read again on every
	// GetToken. Default: VD_CREDENTIAL_FILE.
	CredentialFile string
	// Timeout bounds one GetToken, retries included. Default 10 s. A
	// context deadline, when there is one, can only shorten it.
	Timeout time.Duration
	// Audiences maps resources (scopes without "/.default") to broker
	// audiences over the library's defaults: an entry overrides a default or
	// adds a resource; an empty audience removes one.
	Audiences map[string]string
	// DisableCache makes every GetToken ask the broker. Default: the
	// process-wide token cache, unless VD_BROKER_CACHE=0.
	DisableCache bool
	// Lane ("user" or "service") and ConfigurationRevision (≥ 0) go
	// together. Default: VD_CREDENTIAL_LANE and
	// VD_CREDENTIAL_CONFIGURATION_REVISION.
	Lane                  string
	ConfigurationRevision *int64
	// RuntimeAccessSocket is the runtime-access helper's Unix socket; when
	// it exists as the credential is created, tokens are minted through it.
	// Default: VD_RUNTIME_ACCESS_SOCKET, else /run/vd-access/program.sock.
	RuntimeAccessSocket string
}

// toNative copies o into new native options, which the caller frees with
// C.vd_broker_options_free. A nil o gives nil: the environment alone.
func (o *Options) toNative() (*C.vd_broker_options, error) {
	if o == nil {
		return nil, nil
	}
	native := C.vd_broker_options_new()
	if native == nil {
		return nil, &Error{Status: StatusPanic, Message: "the library could not allocate options"}
	}
	set := optionSetter{native: native}
	set.text("BrokerURL", o.BrokerURL, func(v *C.char) C.int32_t { return C.vd_broker_options_set_broker_url(native, v) })
	set.text("CredentialFile", o.CredentialFile, func(v *C.char) C.int32_t { return C.vd_broker_options_set_credential_file(native, v) })
	set.text("Lane", o.Lane, func(v *C.char) C.int32_t { return C.vd_broker_options_set_lane(native, v) })
	set.text("RuntimeAccessSocket", o.RuntimeAccessSocket, func(v *C.char) C.int32_t {
		return C.vd_broker_options_set_runtime_access_socket(native, v)
	})
	if o.Timeout != 0 {
		set.timeout(o.Timeout)
	}
	if o.DisableCache {
		set.check("DisableCache", true, C.vd_broker_options_set_cache(native, C.bool(false)))
	}
	if o.ConfigurationRevision != nil {
		set.check("ConfigurationRevision", *o.ConfigurationRevision, C.vd_broker_options_set_configuration_revision(native, C.int64_t(*o.ConfigurationRevision)))
	}
	// Sorted, so that two keys naming one resource resolve the same way every time.
	for _, resource := range slices.Sorted(maps.Keys(o.Audiences)) {
		set.audience(resource, o.Audiences[resource])
	}
	if set.err != nil {
		C.vd_broker_options_free(native)
		return nil, set.err
	}
	return native, nil
}

// optionSetter applies settings one by one and keeps the first failure.
type optionSetter struct {
	native *C.vd_broker_options
	err    error
}

// check records a setter's failure. The setters have no error buffer and
// the thread-local message is no use to a goroutine, so the message names
// the field and its value.
func (s *optionSetter) check(field string, value any, status C.int32_t) {
	if s.err == nil && status != 0 {
		s.err = &Error{Status: Status(status), Message: fmt.Sprintf("the library refused Options.%s = %#v", field, value)}
	}
}

func (s *optionSetter) text(field, value string, apply func(*C.char) C.int32_t) {
	if value == "" || s.err != nil {
		return
	}
	cValue, err := cString("Options."+field, value)
	if err != nil {
		s.err = err
		return
	}
	defer C.free(unsafe.Pointer(cValue))
	s.check(field, value, apply(cValue))
}

func (s *optionSetter) timeout(timeout time.Duration) {
	if timeout < 0 {
		s.err = &Error{Status: StatusInvalidArgument, Message: fmt.Sprintf("Options.Timeout is %v; give a positive duration, or zero for the default", timeout)}
		return
	}
	s.check("Timeout", timeout, C.vd_broker_options_set_timeout_ms(s.native, C.uint64_t(milliseconds(timeout))))
}

func (s *optionSetter) audience(resource, audience string) {
	if s.err != nil {
		return
	}
	cResource, err := cString("Options.Audiences key", resource)
	if err != nil {
		s.err = err
		return
	}
	defer C.free(unsafe.Pointer(cResource))
	cAudience, err := cString("Options.Audiences["+resource+"]", audience)
	if err != nil {
		s.err = err
		return
	}
	defer C.free(unsafe.Pointer(cAudience))
	s.check("Audiences["+resource+"]", audience, C.vd_broker_options_set_audience(s.native, cResource, cAudience))
}

// cString is C.CString for strings C can hold: a NUL byte would silently
// cut the string short, so it is refused.
func cString(what, value string) (*C.char, error) {
	if strings.IndexByte(value, 0) >= 0 {
		return nil, &Error{Status: StatusInvalidArgument, Message: what + " contains a NUL byte, which a C string cannot carry"}
	}
	return C.CString(value), nil
}

// milliseconds rounds d up, so that a positive duration never becomes the
// 0 that means "no timeout given".
func milliseconds(d time.Duration) uint64 {
	return uint64((d + time.Millisecond - 1) / time.Millisecond)
}
