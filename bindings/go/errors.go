package vdbroker

import "errors"

// Error is a failure reported by the native library: its status code, its
// message (which never holds the bearer or a token) and, when the failure
// was an HTTP answer, the status the broker or helper answered. The
// library classifies the status: Status.Retriable, AuthenticationFailure,
// ConfigurationError and CallerError.
//
// Inspect it with errors.As, and test its kind with errors.Is against the
// sentinels below (errors.Is(err, vdbroker.ErrScopeNotAllowed)).
// Failures that are not retriable reach the caller wrapped in an error
// that carries azcore's NonRetriable marker, so a type assertion to *Error
// may miss them where errors.As does not.
type Error struct {
	Status     Status
	Message    string
	HTTPStatus int // 0 when the failure was not an HTTP answer
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "vdbroker: " + e.Status.String()
	}
	return "vdbroker: " + e.Status.String() + ": " + e.Message
}

// Is reports whether target is the sentinel of e's status, or a class
// sentinel whose class the library puts e's status in.
func (e *Error) Is(target error) bool {
	if class, ok := target.(*errorClass); ok {
		return class.holds(e.Status)
	}
	sentinel, ok := target.(*Error)
	return ok && sentinel.Message == "" && sentinel.Status == e.Status
}

// errorClass is a sentinel for a class of statuses, as the library's
// vd_broker_status_is_* functions draw it.
type errorClass struct {
	name  string
	holds func(Status) bool
}

func (c *errorClass) Error() string { return "vdbroker: " + c.name }

// Class sentinels, for errors.Is: whether a failure belongs to a class of the
// library's classification, whatever its status.
var (
	// ErrAuthenticationFailed: the intent bearer was refused or could not be
	// presented (Status.AuthenticationFailure).
	ErrAuthenticationFailed error = &errorClass{"authentication failed", Status.AuthenticationFailure}
	// ErrRetriable: asking again later may succeed (Status.Retriable).
	ErrRetriable error = &errorClass{"retriable failure", Status.Retriable}
	// ErrCallerError: the call itself was wrong (Status.CallerError).
	ErrCallerError error = &errorClass{"caller error", Status.CallerError}
	// ErrUnavailable: Studio looks absent — no configuration, no bearer
	// file, no broker listening (Status.Unavailable); a chain of
	// credentials of your own may move on to the next one.
	ErrUnavailable error = &errorClass{"VibeData Studio is not available here", Status.Unavailable}
)

// One sentinel per failure status of vd_broker.h, for errors.Is.
var (
	ErrInvalidArgument      = &Error{Status: StatusInvalidArgument}
	ErrInvalidUTF8          = &Error{Status: StatusInvalidUTF8}
	ErrBufferTooSmall       = &Error{Status: StatusBufferTooSmall}
	ErrConfiguration        = &Error{Status: StatusConfiguration}
	ErrScopeNotAllowed      = &Error{Status: StatusScopeNotAllowed}
	ErrCredentialUnreadable = &Error{Status: StatusCredentialUnreadable}
	ErrCredentialBlank      = &Error{Status: StatusCredentialBlank}
	ErrBrokerUnreachable    = &Error{Status: StatusBrokerUnreachable}
	ErrBrokerRejected       = &Error{Status: StatusBrokerRejected}
	ErrBrokerStatus         = &Error{Status: StatusBrokerStatus}
	ErrBrokerResponse       = &Error{Status: StatusBrokerResponse}
	ErrTimeout              = &Error{Status: StatusTimeout}
	ErrAccessHelperRefused  = &Error{Status: StatusAccessHelperRefused}
	ErrPanic                = &Error{Status: StatusPanic}
)

// ErrClosed is returned by GetToken on a Credential after Close.
var ErrClosed = errors.New("vdbroker: the credential is closed; create a new one with NewCredential")

// nonRetriable carries azcore's errorinfo.NonRetriable marker: asking again
// cannot fix a refused bearer or a broken configuration, so azcore's retry
// policy stops at once instead of hammering the broker.
type nonRetriable struct{ err *Error }

func (n nonRetriable) Error() string { return n.err.Error() }
func (n nonRetriable) Unwrap() error { return n.err }
func (nonRetriable) NonRetriable()   {}

// failure is the error GetToken and NewCredential return for a failure:
// marked non-retriable unless the library says asking again may help.
func failure(e *Error) error {
	if e.Status.Retriable() {
		return e
	}
	return nonRetriable{e}
}
