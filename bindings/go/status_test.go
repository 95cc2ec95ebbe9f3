package vdbroker_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// The binding's side of every status of vd_broker.h. A status added to the
// header without a constant and a sentinel here fails this test.
var bound = map[string]struct {
	status   vdbroker.Status
	sentinel *vdbroker.Error
}{
	"VD_BROKER_OK":                        {vdbroker.StatusOK, nil},
	"VD_BROKER_ERR_INVALID_ARGUMENT":      {vdbroker.StatusInvalidArgument, vdbroker.ErrInvalidArgument},
	"VD_BROKER_ERR_INVALID_UTF8":          {vdbroker.StatusInvalidUTF8, vdbroker.ErrInvalidUTF8},
	"VD_BROKER_ERR_BUFFER_TOO_SMALL":      {vdbroker.StatusBufferTooSmall, vdbroker.ErrBufferTooSmall},
	"VD_BROKER_ERR_CONFIGURATION":         {vdbroker.StatusConfiguration, vdbroker.ErrConfiguration},
	"VD_BROKER_ERR_SCOPE_NOT_ALLOWED":     {vdbroker.StatusScopeNotAllowed, vdbroker.ErrScopeNotAllowed},
	"VD_BROKER_ERR_CREDENTIAL_UNREADABLE": {vdbroker.StatusCredentialUnreadable, vdbroker.ErrCredentialUnreadable},
	"VD_BROKER_ERR_CREDENTIAL_BLANK":      {vdbroker.StatusCredentialBlank, vdbroker.ErrCredentialBlank},
	"VD_BROKER_ERR_BROKER_UNREACHABLE":    {vdbroker.StatusBrokerUnreachable, vdbroker.ErrBrokerUnreachable},
	"VD_BROKER_ERR_BROKER_REJECTED":       {vdbroker.StatusBrokerRejected, vdbroker.ErrBrokerRejected},
	"VD_BROKER_ERR_BROKER_STATUS":         {vdbroker.StatusBrokerStatus, vdbroker.ErrBrokerStatus},
	"VD_BROKER_ERR_BROKER_RESPONSE":       {vdbroker.StatusBrokerResponse, vdbroker.ErrBrokerResponse},
	"VD_BROKER_ERR_TIMEOUT":               {vdbroker.StatusTimeout, vdbroker.ErrTimeout},
	"VD_BROKER_ERR_ACCESS_HELPER_REFUSED": {vdbroker.StatusAccessHelperRefused, vdbroker.ErrAccessHelperRefused},
	"VD_BROKER_ERR_PANIC":                 {vdbroker.StatusPanic, vdbroker.ErrPanic},
}

// headerStatuses reads the status enum of include/vd_broker.h.
func headerStatuses(t *testing.T) map[string]int32 {
	text, err := os.ReadFile(filepath.Join("..", "..", "include", "vd_broker.h"))
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int32{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(VD_BROKER_(?:OK|ERR_[A-Z0-9_]+))\s*=\s*(-?\d+),`).FindAllStringSubmatch(string(text), -1) {
		value, err := strconv.ParseInt(m[2], 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		statuses[m[1]] = int32(value)
	}
	if len(statuses) == 0 {
		t.Fatal("found no status constants in vd_broker.h")
	}
	return statuses
}

func TestEveryStatusOfTheHeaderIsBound(t *testing.T) {
	header := headerStatuses(t)
	for name, value := range header {
		b, ok := bound[name]
		if !ok {
			t.Errorf("vd_broker.h has %s = %d, which the Go binding does not know: add a Status constant and a sentinel", name, value)
			continue
		}
		if int32(b.status) != value {
			t.Errorf("%s is %d in the header but %d in Go", name, value, b.status)
		}
		if got := b.status.String(); got != name {
			t.Errorf("the library names %d %s; the header says %s (is the library stale?)", value, got, name)
		}
		if b.status == vdbroker.StatusOK {
			continue
		}
		failure := &vdbroker.Error{Status: b.status, Message: "m"}
		for otherName, other := range bound {
			if other.sentinel == nil {
				continue
			}
			if got, want := errors.Is(failure, other.sentinel), otherName == name; got != want {
				t.Errorf("errors.Is(a %s failure, the %s sentinel) = %v, want %v", name, otherName, got, want)
			}
		}
	}
	for name := range bound {
		if _, ok := header[name]; !ok {
			t.Errorf("the Go binding knows %s, which vd_broker.h does not have", name)
		}
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
