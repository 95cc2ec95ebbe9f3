package vdbroker

// #include "vd_broker.h"
import "C"

// Status is a status code of the native library: one of the
// VD_BROKER_* constants of vd_broker.h, whose values never change meaning.
type Status int32

// The statuses of vd_broker.h, taken from its constants by cgo.
const (
	StatusOK                   Status = C.VD_BROKER_OK
	StatusInvalidArgument      Status = C.VD_BROKER_ERR_INVALID_ARGUMENT
	StatusInvalidUTF8          Status = C.VD_BROKER_ERR_INVALID_UTF8
	StatusBufferTooSmall       Status = C.VD_BROKER_ERR_BUFFER_TOO_SMALL
	StatusConfiguration        Status = C.VD_BROKER_ERR_CONFIGURATION
	StatusScopeNotAllowed      Status = C.VD_BROKER_ERR_SCOPE_NOT_ALLOWED
	StatusCredentialUnreadable Status = C.VD_BROKER_ERR_CREDENTIAL_UNREADABLE
	StatusCredentialBlank      Status = C.VD_BROKER_ERR_CREDENTIAL_BLANK
	StatusBrokerUnreachable    Status = C.VD_BROKER_ERR_BROKER_UNREACHABLE
	StatusBrokerRejected       Status = C.VD_BROKER_ERR_BROKER_REJECTED
	StatusBrokerStatus         Status = C.VD_BROKER_ERR_BROKER_STATUS
	StatusBrokerResponse       Status = C.VD_BROKER_ERR_BROKER_RESPONSE
	StatusTimeout              Status = C.VD_BROKER_ERR_TIMEOUT
	StatusAccessHelperRefused  Status = C.VD_BROKER_ERR_ACCESS_HELPER_REFUSED
	StatusPanic                Status = C.VD_BROKER_ERR_PANIC
)

// String is the C constant's name, e.g. "VD_BROKER_ERR_TIMEOUT", as the
// library names it ("VD_BROKER_UNKNOWN_STATUS" for a value it does not know).
func (s Status) String() string {
	return C.GoString(C.vd_broker_status_name(C.int32_t(s)))
}

// Retriable reports whether asking again later may succeed (the broker or
// the network failed), as the library classifies s.
func (s Status) Retriable() bool { return bool(C.vd_broker_status_is_retriable(C.int32_t(s))) }

// AuthenticationFailure reports whether the intent bearer was refused or
// could not be read, as the library classifies s.
func (s Status) AuthenticationFailure() bool {
	return bool(C.vd_broker_status_is_authentication_failure(C.int32_t(s)))
}

// ConfigurationError reports whether the settings are missing or invalid,
// as the library classifies s.
func (s Status) ConfigurationError() bool {
	return bool(C.vd_broker_status_is_configuration_error(C.int32_t(s)))
}

// CallerError reports whether the call itself was wrong (an argument, the
// scope), as the library classifies s.
func (s Status) CallerError() bool { return bool(C.vd_broker_status_is_caller_error(C.int32_t(s))) }

// Unavailable reports whether Studio looks absent from this environment —
// no configuration, no bearer file, no broker listening — rather than
// present and failing, as the library classifies s
// (vd_broker_status_is_unavailable). It is orthogonal to the four above.
func (s Status) Unavailable() bool { return bool(C.vd_broker_status_is_unavailable(C.int32_t(s))) }
