package vdbroker_test

import (
	"errors"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// The Go constants are the header's (cgo reads them from vd_broker.h); the
// library names each as the header does.
func TestStatusesAreTheHeadersConstants(t *testing.T) {
	named := map[vdbroker.Status]string{
		vdbroker.StatusOK:              "VD_BROKER_OK",
		vdbroker.StatusScopeNotAllowed: "VD_BROKER_ERR_SCOPE_NOT_ALLOWED",
		vdbroker.StatusPanic:           "VD_BROKER_ERR_PANIC",
	}
	for status, name := range named {
		if got := status.String(); got != name {
			t.Errorf("Status(%d) is %s, want %s", status, got, name)
		}
	}
	failure := &vdbroker.Error{Status: vdbroker.StatusTimeout, Message: "m"}
	if !errors.Is(failure, vdbroker.ErrTimeout) || errors.Is(failure, vdbroker.ErrBrokerStatus) {
		t.Error("errors.Is must match the sentinel of the failure's status, and only it")
	}
	if !vdbroker.StatusTimeout.Retriable() || vdbroker.StatusBrokerRejected.Retriable() || !vdbroker.StatusBrokerRejected.AuthenticationFailure() {
		t.Error("the classifiers must be the library's")
	}
}

func TestErrorStringsNameTheStatus(t *testing.T) {
	failure := &vdbroker.Error{Status: vdbroker.StatusScopeNotAllowed, Message: "scope x is not allowed"}
	if got := failure.Error(); got != "vdbroker: VD_BROKER_ERR_SCOPE_NOT_ALLOWED: scope x is not allowed" {
		t.Errorf("Error() = %q", got)
	}
	if got := vdbroker.Status(99).String(); got != "VD_BROKER_UNKNOWN_STATUS" {
		t.Errorf("an unknown status is %q", got)
	}
}
