package vdbroker_test

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// Tests here change the process environment, so none of them is parallel.

// useBearerFromEnvironment points VD_CREDENTIAL_FILE at a fresh bearer.
func useBearerFromEnvironment(t *testing.T) string {
	opts, bearer := brokerOptions(t, shared)
	t.Setenv("VD_CREDENTIAL_FILE", opts.CredentialFile)
	return bearer
}

// closedPort is a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String() + "/api/v1/credential-broker"
	listener.Close()
	return url
}

func TestNilOptionsReadTheEnvironment(t *testing.T) {
	bearer := useBearerFromEnvironment(t)
	mustToken(t, newCredential(t, nil), storageScope)
	shared.wantRequests(t, bearer, 1)
}

func TestTheOlderBrokerURLVariableStillWorks(t *testing.T) {
	bearer := useBearerFromEnvironment(t)
	t.Setenv("VD_CREDENTIAL_BROKER_URL", "")
	t.Setenv("VD_AZ_TOKEN_URL", shared.URL)
	mustToken(t, newCredential(t, nil), storageScope)
	shared.wantRequests(t, bearer, 1)
}

func TestTheNewerBrokerURLVariableWins(t *testing.T) {
	useBearerFromEnvironment(t)
	t.Setenv("VD_AZ_TOKEN_URL", closedPort(t))
	mustToken(t, newCredential(t, nil), storageScope)
}

func TestOptionsOverrideTheEnvironment(t *testing.T) {
	t.Setenv("VD_CREDENTIAL_BROKER_URL", closedPort(t))
	t.Setenv("VD_CREDENTIAL_FILE", "/nonexistent/credential")
	opts, bearer := brokerOptions(t, shared)
	mustToken(t, newCredential(t, &opts), storageScope)
	shared.wantRequests(t, bearer, 1)
}

func TestTheCacheSwitchInTheEnvironment(t *testing.T) {
	bearer := useBearerFromEnvironment(t)
	t.Setenv("VD_BROKER_CACHE", "0")
	cred := newCredential(t, nil)
	mustToken(t, cred, storageScope)
	mustToken(t, cred, storageScope)
	shared.wantRequests(t, bearer, 2)
}

func TestAMissingBrokerURLOrCredentialFileIsAConfigurationError(t *testing.T) {
	t.Setenv("VD_CREDENTIAL_BROKER_URL", "")
	t.Setenv("VD_CREDENTIAL_FILE", "")
	for _, c := range []struct {
		opts    vdbroker.Options
		mention string
	}{
		{vdbroker.Options{CredentialFile: "/run/vd/credential"}, "VD_CREDENTIAL_BROKER_URL"},
		{vdbroker.Options{BrokerURL: shared.URL}, "VD_CREDENTIAL_FILE"},
	} {
		cred, err := vdbroker.NewCredential(&c.opts)
		if cred != nil {
			t.Errorf("NewCredential(%+v) made a credential", c.opts)
		}
		mustFail(t, err, vdbroker.ErrConfiguration, "")
		if !strings.Contains(err.Error(), c.mention) || !nonRetriable(err) {
			t.Errorf("want a non-retriable error naming %s, got %v", c.mention, err)
		}
	}
}

func TestInvalidSettingsAreRefusedBeforeAnyRequest(t *testing.T) {
	revision := func(r int64) *int64 { return &r }
	for _, c := range []struct {
		name     string
		opts     vdbroker.Options
		env      map[string]string
		sentinel *vdbroker.Error
	}{
		{"a broker URL that is not http(s)", vdbroker.Options{BrokerURL: "ftp://broker.test"}, nil, vdbroker.ErrConfiguration},
		{"an unknown lane", vdbroker.Options{Lane: "robot", ConfigurationRevision: revision(1)}, nil, vdbroker.ErrConfiguration},
		{"a lane without a revision", vdbroker.Options{Lane: "user"}, nil, vdbroker.ErrConfiguration},
		{"a revision without a lane", vdbroker.Options{ConfigurationRevision: revision(3)}, nil, vdbroker.ErrConfiguration},
		{"a negative revision", vdbroker.Options{Lane: "user", ConfigurationRevision: revision(-1)}, nil, vdbroker.ErrConfiguration},
		{"a non-numeric revision", vdbroker.Options{}, map[string]string{"VD_CREDENTIAL_LANE": "user", "VD_CREDENTIAL_CONFIGURATION_REVISION": "latest"}, vdbroker.ErrConfiguration},
		{"a cache switch that is no switch", vdbroker.Options{}, map[string]string{"VD_BROKER_CACHE": "maybe"}, vdbroker.ErrConfiguration},
		{"a negative timeout", vdbroker.Options{Timeout: -time.Second}, nil, vdbroker.ErrInvalidArgument},
		{"a NUL byte in a path", vdbroker.Options{CredentialFile: "/run/vd/cred\x00ential"}, nil, vdbroker.ErrInvalidArgument},
		{"a NUL byte in an audience", vdbroker.Options{Audiences: map[string]string{"https://custom.example": "cus\x00tom"}}, nil, vdbroker.ErrInvalidArgument},
		{"an audience override without a resource", vdbroker.Options{Audiences: map[string]string{" ": "custom"}}, nil, vdbroker.ErrInvalidArgument},
		{"a lane that is not UTF-8", vdbroker.Options{Lane: "us\xffer", ConfigurationRevision: revision(1)}, nil, vdbroker.ErrInvalidUTF8},
	} {
		t.Run(c.name, func(t *testing.T) {
			for name, value := range c.env {
				t.Setenv(name, value)
			}
			opts := c.opts
			if opts.BrokerURL == "" {
				opts.BrokerURL = shared.URL
			}
			_, err := vdbroker.NewCredential(&opts)
			mustFail(t, err, c.sentinel, "")
			t.Log(err)
		})
	}
}

func TestLaneAndRevisionGoIntoTheRequest(t *testing.T) {
	revision := int64(7)
	for _, c := range []struct {
		name, scope, body string
		env               map[string]string
		opts              vdbroker.Options
	}{
		{"from options", storageScope, `{"audience":"storage","configurationRevision":7,"lane":"service","scope":"data_platform"}`,
			nil, vdbroker.Options{Lane: "service", ConfigurationRevision: &revision}},
		{"from the environment", storageScope, `{"audience":"storage","configurationRevision":0,"lane":"user","scope":"data_platform"}`,
			map[string]string{"VD_CREDENTIAL_LANE": "user", "VD_CREDENTIAL_CONFIGURATION_REVISION": "0"}, vdbroker.Options{}},
		{"secret store audiences", vaultScope, `{"audience":"key_vault_data_plane","configurationRevision":7,"lane":"user","scope":"secret_store"}`,
			nil, vdbroker.Options{Lane: "user", ConfigurationRevision: &revision, Audiences: map[string]string{"https://vault.azure.net": "key_vault_data_plane"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for name, value := range c.env {
				t.Setenv(name, value)
			}
			opts, bearer := brokerOptions(t, shared)
			opts.Lane, opts.ConfigurationRevision, opts.Audiences = c.opts.Lane, c.opts.ConfigurationRevision, c.opts.Audiences
			token := mustToken(t, newCredential(t, &opts), c.scope)
			seen := shared.requestsWith(t, bearer)
			if len(seen) != 1 {
				t.Fatalf("the broker saw %d requests, want 1", len(seen))
			}
			body, _ := json.Marshal(seen[0].Body) // keys sorted
			if string(body) != c.body {
				t.Errorf("body %s, want %s", body, c.body)
			}
			if lane := claimsOf(t, token.Token)["vd_lane"]; lane != seen[0].Body["lane"] {
				t.Errorf("token lane %v", lane)
			}
		})
	}
}

func TestTheTimeoutOptionBoundsTheCall(t *testing.T) {
	e := startEmulator(t)
	e.set(t, map[string]any{"delay_ms": 3000})
	opts, bearer := brokerOptions(t, e)
	opts.Timeout = 200 * time.Millisecond
	_, err := tokenFor(context.Background(), newCredential(t, &opts), storageScope)
	mustFail(t, err, vdbroker.ErrTimeout, bearer)
	if nonRetriable(err) {
		t.Errorf("a timeout may be retried: %v", err)
	}
}
