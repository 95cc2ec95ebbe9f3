package vdbroker

// #include <stdlib.h>
// #include "vd_broker.h"
import "C"

import (
	"log/slog"
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
	// Timeout bounds one GetToken, retries included. Default 10 s (the
	// zero value); a negative one is refused by NewCredential, in the
	// library's words. A context deadline, when there is one, can only
	// shorten it.
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
	// Logger receives the library's events for this credential's calls (a
	// fresh token Info, a retry and why Info, a proactive refresh Info, a
	// failure or a failed refresh Warn, a cache hit Debug, the route chosen
	// Info), each with the attributes event=Authentication and
	// credential=*vdbroker.Credential. Messages are redacted by the library:
	// no bearer, token or URL userinfo. Nil (the default) is silent.
	Logger *slog.Logger
}

// toNative copies o into new native options, which the caller frees with
// C.vd_broker_options_free. A nil o gives nil: the environment alone. The
// setters' statuses are not checked: vd_broker_client_create reports the
// first value the library refused, with its message.
func (o *Options) toNative() (*C.vd_broker_options, error) {
	if o == nil {
		return nil, nil
	}
	native := C.vd_broker_options_new()
	if native == nil {
		return nil, &Error{Status: StatusPanic, Message: "the library could not allocate options"}
	}
	texts := []struct {
		field, value string
		set          func(*C.vd_broker_options, *C.char) C.int32_t
	}{
		{"BrokerURL", o.BrokerURL, func(n *C.vd_broker_options, v *C.char) C.int32_t { return C.vd_broker_options_set_broker_url(n, v) }},
		{"CredentialFile", o.CredentialFile, func(n *C.vd_broker_options, v *C.char) C.int32_t {
			return C.vd_broker_options_set_credential_file(n, v)
		}},
		{"Lane", o.Lane, func(n *C.vd_broker_options, v *C.char) C.int32_t { return C.vd_broker_options_set_lane(n, v) }},
		{"RuntimeAccessSocket", o.RuntimeAccessSocket, func(n *C.vd_broker_options, v *C.char) C.int32_t {
			return C.vd_broker_options_set_runtime_access_socket(n, v)
		}},
	}
	for _, text := range texts {
		err := withCString("Options."+text.field, text.value, func(v *C.char) error {
			text.set(native, v)
			return nil
		})
		if err != nil {
			C.vd_broker_options_free(native)
			return nil, err
		}
	}
	if o.Timeout != 0 {
		C.vd_broker_options_set_timeout_seconds(native, C.double(o.Timeout.Seconds()))
	}
	if o.DisableCache {
		C.vd_broker_options_set_cache(native, C.bool(false))
	}
	if o.ConfigurationRevision != nil {
		C.vd_broker_options_set_configuration_revision(native, C.int64_t(*o.ConfigurationRevision))
	}
	// Sorted, so that two keys naming one resource resolve the same way every time.
	for _, resource := range slices.Sorted(maps.Keys(o.Audiences)) {
		err := withCString("Options.Audiences key", resource, func(r *C.char) error {
			return withCString("Options.Audiences["+resource+"]", o.Audiences[resource], func(a *C.char) error {
				C.vd_broker_options_set_audience(native, r, a)
				return nil
			})
		})
		if err != nil {
			C.vd_broker_options_free(native)
			return nil, err
		}
	}
	return native, nil
}

// withCString runs use with value as a C string ("" unsets a setting, as
// the setters define it).
func withCString(what, value string, use func(*C.char) error) error {
	cValue, err := cString(what, value)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cValue))
	return use(cValue)
}

// cString is C.CString for strings C can hold: a NUL byte would silently
// cut the string short, so it is refused.
func cString(what, value string) (*C.char, error) {
	if err := checkText(what, value); err != nil {
		return nil, err
	}
	return C.CString(value), nil
}

// checkText refuses a NUL byte in text bound for C, which would silently
// cut it short.
func checkText(what, value string) error {
	if strings.IndexByte(value, 0) >= 0 {
		return &Error{Status: StatusInvalidArgument, Message: what + " contains a NUL byte, which a C string cannot carry"}
	}
	return nil
}

// milliseconds rounds d up, so that a positive duration never becomes the
// 0 that means "no timeout given".
func milliseconds(d time.Duration) uint64 {
	return uint64((d + time.Millisecond - 1) / time.Millisecond)
}
