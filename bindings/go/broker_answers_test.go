package vdbroker_test

import (
	"context"
	"strings"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

func TestAnUnreachableBrokerIsNamed(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	opts.BrokerURL = closedPort(t)
	_, err := tokenFor(context.Background(), newCredential(t, &opts), storageScope)
	mustFail(t, err, vdbroker.ErrBrokerUnreachable, bearer)
	if want := "could not reach the credential broker at " + opts.BrokerURL + "/token"; !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), "is Studio running?") {
		t.Errorf("want %q and the hint, got %v", want, err)
	}
	if nonRetriable(err) {
		t.Errorf("an unreachable broker may come back: %v", err)
	}
}

// Each case queues a fault for every try the library makes, so the
// failure is the answer's, whatever the library retries.
func TestBrokerAnswersBecomeTypedErrors(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	for _, c := range []struct {
		name         string
		fault        map[string]any
		sentinel     *vdbroker.Error
		httpStatus   int
		nonRetriable bool
		mention      string
	}{
		{"401", map[string]any{"status": 401}, vdbroker.ErrBrokerRejected, 401, true, "broker rejected the request (401)"},
		{"403", map[string]any{"status": 403}, vdbroker.ErrBrokerRejected, 403, true, "expired, revoked or out of scope"},
		{"404", map[string]any{"status": 404}, vdbroker.ErrBrokerStatus, 404, false, "HTTP 404"},
		{"503 every time", map[string]any{"status": 503, "times": 4}, vdbroker.ErrBrokerStatus, 503, false, "HTTP 503"},
		{"429 every time", map[string]any{"status": 429, "times": 4}, vdbroker.ErrBrokerStatus, 429, false, "HTTP 429"},
		{"200 that is not JSON", map[string]any{"status": 200, "body": "<html>hello</html>"}, vdbroker.ErrBrokerResponse, 0, true, "not JSON"},
		{"200 without a token", map[string]any{"status": 200, "body": `{"expires_in": 3600}`}, vdbroker.ErrBrokerResponse, 0, true, "access_token"},
		{"200 with an empty token", map[string]any{"status": 200, "body": `{"access_token": ""}`}, vdbroker.ErrBrokerResponse, 0, true, "access_token"},
		{"200 with a bad expires_in", map[string]any{"status": 200, "body": `{"access_token": "t", "expires_in": "soon"}`}, vdbroker.ErrBrokerResponse, 0, true, "expires_in"},
		{"over a mebibyte", map[string]any{"action": "huge", "huge_bytes": 2 << 20}, vdbroker.ErrBrokerResponse, 0, true, "refused"},
		{"connection reset", map[string]any{"action": "reset", "times": 4}, vdbroker.ErrBrokerUnreachable, 0, false, "could not reach"},
		{"not HTTP at all", map[string]any{"action": "garbage", "times": 4}, vdbroker.ErrBrokerUnreachable, 0, false, "could not reach"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.call(t, "POST", "/_emulator/reset", nil)
			e.fault(t, c.fault)
			opts, bearer := brokerOptions(t, e)
			_, err := tokenFor(context.Background(), newCredential(t, &opts), storageScope)
			failure := mustFail(t, err, c.sentinel, bearer)
			if failure.HTTPStatus != c.httpStatus {
				t.Errorf("HTTPStatus %d, want %d (%v)", failure.HTTPStatus, c.httpStatus, err)
			}
			if nonRetriable(err) != c.nonRetriable {
				t.Errorf("non-retriable: %v, want %v (%v)", nonRetriable(err), c.nonRetriable, err)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("want %q in %v", c.mention, err)
			}
		})
	}
}

func TestAMomentaryFailureIsRetriedByTheLibrary(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	e.fault(t, map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "0"}})
	opts, _ := brokerOptions(t, e)
	mustToken(t, newCredential(t, &opts), storageScope)
	e.wantRequests(t, "", 2)
}

func TestABrokerEchoingTheBearerDoesNotLeakIt(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	opts, bearer := brokerOptions(t, e)
	e.fault(t, map[string]any{"status": 401, "body": `{"error_description": "unknown bearer ` + bearer + `"}`})
	_, err := tokenFor(context.Background(), newCredential(t, &opts), storageScope)
	mustFail(t, err, vdbroker.ErrBrokerRejected, bearer)
}

func TestATokenLargerThanTheBufferIsNeverCut(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	large := strings.Repeat("t", 20000) // more than VD_BROKER_TOKEN_BUFFER_SIZE
	e.fault(t, map[string]any{"status": 200, "body": `{"access_token": "` + large + `", "expires_in": 600}`})
	opts, _ := brokerOptions(t, e)
	if token := mustToken(t, newCredential(t, &opts), storageScope); token.Token != large {
		t.Errorf("got a token of %d bytes, want %d", len(token.Token), len(large))
	}
}
