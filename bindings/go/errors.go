package vdbroker

import "errors"

// Error is a failure reported by the native library: its status code, its
// message (which never holds the bearer or a token) and, when the failure
// was an HTTP answer, the status the broker or helper answered.
//
// Inspect it with errors.As, and test its kind with errors.Is against the
// sentinels below (errors.Is(err, vdbroker.ErrScopeNotAllowed)).
// Authentication failures reach the caller wrapped in an error that
// carries azcore's NonRetriable marker, so a type assertion to *Error may
// miss them where errors.As does not.
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

// Is reports whether target is the sentinel of e's status.
func (e *Error) Is(target error) bool {
	sentinel, known := sentinels[e.Status]
	return known && target == error(sentinel)
}

var sentinels = map[Status]*Error{}

func sentinel(status Status) *Error {
	e := &Error{Status: status}
	sentinels[status] = e
	return e
}

// One sentinel per failure status of vd_broker.h, for errors.Is.
var (
	ErrInvalidArgument      = sentinel(StatusInvalidArgument)
	ErrInvalidUTF8          = sentinel(StatusInvalidUTF8)
	ErrBufferTooSmall       = sentinel(StatusBufferTooSmall)
	ErrConfiguration        = sentinel(StatusConfiguration)
	ErrScopeNotAllowed      = sentinel(StatusScopeNotAllowed)
	ErrCredentialUnreadable = sentinel(StatusCredentialUnreadable)
	ErrCredentialBlank      = sentinel(StatusCredentialBlank)
	ErrBrokerUnreachable    = sentinel(StatusBrokerUnreachable)
	ErrBrokerRejected       = sentinel(StatusBrokerRejected)
	ErrBrokerStatus         = sentinel(StatusBrokerStatus)
	ErrBrokerResponse       = sentinel(StatusBrokerResponse)
	ErrTimeout              = sentinel(StatusTimeout)
	ErrAccessHelperRefused  = sentinel(StatusAccessHelperRefused)
	ErrPanic                = sentinel(StatusPanic)
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

// failure turns a native status, its message and the HTTP status behind it
// (0 for none) into the error GetToken and NewCredential return.
func failure(status Status, message string, httpStatus int) error {
	e := &Error{Status: status, Message: message, HTTPStatus: httpStatus}
	switch status {
	case StatusBrokerRejected, StatusAccessHelperRefused, StatusConfiguration,
		StatusCredentialUnreadable, StatusCredentialBlank:
		return nonRetriable{e}
	}
	return e
}
