package vdbroker_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

func TestTheBearerIsReadWithoutSurroundingWhitespace(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	writeBearer(t, opts.CredentialFile, " \t"+bearer+"\r\n\n")
	mustToken(t, newCredential(t, &opts), storageScope)
	shared.wantRequests(t, bearer, 1)
}

func TestAnUnreadableOrBlankBearerFileNeverReachesTheBroker(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	blank := filepath.Join(dir, "blank")
	writeBearer(t, blank, " \n\t\n")
	for _, c := range []struct {
		path     string
		sentinel *vdbroker.Error
		mention  string
	}{
		{missing, vdbroker.ErrCredentialUnreadable, "Is the Studio intent session active?"},
		{dir, vdbroker.ErrCredentialUnreadable, dir},
		{blank, vdbroker.ErrCredentialBlank, blank},
	} {
		cred := newCredential(t, &vdbroker.Options{BrokerURL: e.URL, CredentialFile: c.path})
		_, err := tokenFor(context.Background(), cred, storageScope)
		mustFail(t, err, c.sentinel, "")
		if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.mention) || !nonRetriable(err) {
			t.Errorf("want a non-retriable error naming %s and %q, got %v", c.path, c.mention, err)
		}
	}
	e.wantRequests(t, "", 0)
}

func TestARotatedBearerIsUsedAtOnce(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	opts, first := brokerOptions(t, e)
	second, revoked := randomBearer(), randomBearer()
	e.set(t, map[string]any{"accepted_bearers": []string{first, second}})
	cred := newCredential(t, &opts)

	before := mustToken(t, cred, storageScope)
	writeBearer(t, opts.CredentialFile, second)
	after := mustToken(t, cred, storageScope)
	if claimsOf(t, before.Token)["vd_bearer"] != sha256Hex(first)[:16] || claimsOf(t, after.Token)["vd_bearer"] != sha256Hex(second)[:16] {
		t.Error("the token after the rotation was not minted with the new bearer")
	}

	writeBearer(t, opts.CredentialFile, revoked)
	_, err := tokenFor(context.Background(), cred, storageScope)
	failure := mustFail(t, err, vdbroker.ErrBrokerRejected, revoked)
	if failure.HTTPStatus != 401 || !nonRetriable(err) {
		t.Errorf("want a non-retriable rejection with HTTP status 401, got %d: %v", failure.HTTPStatus, err)
	}
}

func TestABearerRotatedMidFlightServesTheNextCall(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	e.set(t, map[string]any{"delay_ms": 300})
	opts, _ := brokerOptions(t, e)
	cred := newCredential(t, &opts)

	var inFlight sync.WaitGroup
	inFlight.Go(func() {
		if _, err := tokenFor(context.Background(), cred, storageScope); err != nil {
			t.Errorf("the call in flight during the rotation failed: %v", err)
		}
	})
	rotated := randomBearer()
	writeBearer(t, opts.CredentialFile, rotated+"\n")
	inFlight.Wait()

	next := mustToken(t, cred, storageScope)
	if claimsOf(t, next.Token)["vd_bearer"] != sha256Hex(rotated)[:16] {
		t.Error("the call after the rotation did not use the new bearer")
	}
}
