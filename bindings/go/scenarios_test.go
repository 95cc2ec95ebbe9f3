package vdbroker_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// scenario is one entry of tests/scenarios.json.
type scenario struct {
	Name                  string         `json:"name"`
	Broker                string         `json:"broker"`
	Bearer                string         `json:"bearer"`
	TimeoutSeconds        *float64       `json:"timeout_seconds"`
	Settings              map[string]any `json:"settings"`
	Fault                 map[string]any `json:"fault"`
	Scope                 string         `json:"scope"`
	FailsAt               string         `json:"fails_at"`
	Status                string         `json:"status"`
	HTTPStatus            int            `json:"http_status"`
	Retriable             bool           `json:"retriable"`
	AuthenticationFailure bool           `json:"authentication_failure"`
	ConfigurationError    bool           `json:"configuration_error"`
	CallerError           bool           `json:"caller_error"`
	Message               string         `json:"message"`
}

// TestScenarios runs tests/scenarios.json: every scenario gives, through this
// binding, the status, classification and message text the file lists — the
// same ones the C, Python and .NET tests check.
func TestScenarios(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "..", "tests", "scenarios.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Scenarios []scenario }
	if err := json.Unmarshal(text, &file); err != nil {
		t.Fatal(err)
	}
	// The missing-configuration scenario needs an environment without the
	// broker URL and bearer file TestMain provides.
	t.Setenv("VD_CREDENTIAL_BROKER_URL", "")
	t.Setenv("VD_CREDENTIAL_FILE", "")
	e := startEmulator(t)
	for _, s := range file.Scenarios {
		t.Run(s.Name, func(t *testing.T) { checkScenario(t, e, s) })
	}
}

func checkScenario(t *testing.T, e *emulator, s scenario) {
	bearer := randomBearer()
	bearerFile := filepath.Join(t.TempDir(), "credential")
	if s.Bearer == "blank" {
		bearer = ""
	}
	writeBearer(t, bearerFile, bearer)
	e.call(t, http.MethodPost, "/_emulator/reset", nil)
	defer e.call(t, http.MethodPost, "/_emulator/reset", nil)

	opts := vdbroker.Options{RuntimeAccessSocket: "/nonexistent/vd-broker-scenarios.sock"}
	if s.Broker == "emulator" {
		opts.BrokerURL, opts.CredentialFile = e.URL, bearerFile
	}
	if s.TimeoutSeconds != nil {
		opts.Timeout = time.Duration(*s.TimeoutSeconds * float64(time.Second))
	}
	stage := "create"
	cred, err := vdbroker.NewCredential(&opts)
	if err == nil {
		defer cred.Close()
		stage = "token"
		if s.Settings != nil {
			e.set(t, s.Settings)
		}
		if s.Fault != nil {
			e.fault(t, s.Fault)
		}
		_, err = tokenFor(context.Background(), cred, s.Scope)
	}
	var failure *vdbroker.Error
	if !errors.As(err, &failure) {
		t.Fatalf("want a *vdbroker.Error, got %v", err)
	}
	if stage != s.FailsAt {
		t.Errorf("failed at %s, want %s", stage, s.FailsAt)
	}
	if got := failure.Status.String(); got != s.Status {
		t.Errorf("status %s, want %s", got, s.Status)
	}
	if failure.HTTPStatus != s.HTTPStatus {
		t.Errorf("HTTP status %d, want %d", failure.HTTPStatus, s.HTTPStatus)
	}
	classes := [4]bool{failure.Status.Retriable(), failure.Status.AuthenticationFailure(), failure.Status.ConfigurationError(), failure.Status.CallerError()}
	if want := [4]bool{s.Retriable, s.AuthenticationFailure, s.ConfigurationError, s.CallerError}; classes != want {
		t.Errorf("classes (retriable, authentication, configuration, caller) %v, want %v", classes, want)
	}
	if nonRetriable(err) == s.Retriable {
		t.Errorf("azcore's NonRetriable marker is %v for a failure whose retriable is %v", nonRetriable(err), s.Retriable)
	}
	want := strings.NewReplacer("{token_url}", e.URL+"/token", "{credential_file}", bearerFile).Replace(s.Message)
	if failure.Message != want {
		t.Errorf("message\n got: %s\nwant: %s", failure.Message, want)
	}
	if bearer != "" && strings.Contains(err.Error(), bearer) {
		t.Errorf("the error holds the bearer: %v", err)
	}
}
