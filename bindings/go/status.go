package vdbroker

// #include "vd_broker.h"
import "C"

// Status is a status code of the native library: one of the
// VD_BROKER_* constants of vd_broker.h, whose values never change meaning.
type Status int32

// The statuses of vd_broker.h. The values are the C constants'.
const (
	StatusOK                   Status = 0  // VD_BROKER_OK
	StatusInvalidArgument      Status = 1  // VD_BROKER_ERR_INVALID_ARGUMENT
	StatusInvalidUTF8          Status = 2  // VD_BROKER_ERR_INVALID_UTF8
	StatusBufferTooSmall       Status = 3  // VD_BROKER_ERR_BUFFER_TOO_SMALL
	StatusConfiguration        Status = 4  // VD_BROKER_ERR_CONFIGURATION
	StatusScopeNotAllowed      Status = 5  // VD_BROKER_ERR_SCOPE_NOT_ALLOWED
	StatusCredentialUnreadable Status = 6  // VD_BROKER_ERR_CREDENTIAL_UNREADABLE
	StatusCredentialBlank      Status = 7  // VD_BROKER_ERR_CREDENTIAL_BLANK
	StatusBrokerUnreachable    Status = 8  // VD_BROKER_ERR_BROKER_UNREACHABLE
	StatusBrokerRejected       Status = 9  // VD_BROKER_ERR_BROKER_REJECTED
	StatusBrokerStatus         Status = 10 // VD_BROKER_ERR_BROKER_STATUS
	StatusBrokerResponse       Status = 11 // VD_BROKER_ERR_BROKER_RESPONSE
	StatusTimeout              Status = 12 // VD_BROKER_ERR_TIMEOUT
	StatusAccessHelperRefused  Status = 13 // VD_BROKER_ERR_ACCESS_HELPER_REFUSED
	StatusPanic                Status = 14 // VD_BROKER_ERR_PANIC
)

// String is the C constant's name, e.g. "VD_BROKER_ERR_TIMEOUT", as the
// library names it ("VD_BROKER_UNKNOWN_STATUS" for a value it does not know).
func (s Status) String() string {
	return C.GoString(C.vd_broker_status_name(C.int32_t(s)))
}
