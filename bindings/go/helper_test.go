package vdbroker_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// startHelper serves the runtime-access helper on a Unix socket, and makes
// sure no broker is configured: in helper mode the library needs none.
func startHelper(t *testing.T) (*emulator, *vdbroker.Credential) {
	t.Setenv("VD_CREDENTIAL_BROKER_URL", "")
	t.Setenv("VD_CREDENTIAL_FILE", "")
	socket := filepath.Join(t.TempDir(), "program.sock")
	e := startEmulator(t, "--helper-socket", socket)
	return e, newCredential(t, &vdbroker.Options{RuntimeAccessSocket: socket, DisableCache: true})
}

func TestTheRuntimeAccessHelperMintsWhenItsSocketExists(t *testing.T) {
	e, cred := startHelper(t)
	token := mustToken(t, cred, vaultScope)
	if claims := claimsOf(t, token.Token); claims["aud"] != "https://vault.azure.net" {
		t.Errorf("aud %v", claims["aud"])
	}
	seen := e.requests(t)
	if len(seen) != 1 {
		t.Fatalf("the helper saw %d requests, want 1", len(seen))
	}
	body, _ := json.Marshal(seen[0].Body)
	if seen[0].Face != "helper" || seen[0].Authorization != "none" || string(body) != `{"audience":"vault","scope":"data_platform"}` {
		t.Errorf("the helper got %s with Authorization %s and body %s", seen[0].Face, seen[0].Authorization, body)
	}
}

func TestTheHelpersRefusalIsTyped(t *testing.T) {
	e, cred := startHelper(t)
	e.fault(t, map[string]any{
		"status":  403,
		"headers": map[string]string{"x-runtime-access-error": "lane_denied"},
		"body":    `{"code": "lane_denied", "message": "this program may not use storage"}`,
	})
	_, err := tokenFor(context.Background(), cred, storageScope)
	failure := mustFail(t, err, vdbroker.ErrAccessHelperRefused, "")
	if failure.HTTPStatus != 403 || !nonRetriable(err) ||
		!strings.Contains(err.Error(), "lane_denied") || !strings.Contains(err.Error(), "this program may not use storage") {
		t.Errorf("want a non-retriable refusal with HTTP status 403, code and message, got %d: %v", failure.HTTPStatus, err)
	}
}

func TestAHelperAnswerWithoutTheRefusalHeaderIsABrokerStatus(t *testing.T) {
	e, cred := startHelper(t)
	e.fault(t, map[string]any{"status": 400, "body": "{}"})
	_, err := tokenFor(context.Background(), cred, storageScope)
	if failure := mustFail(t, err, vdbroker.ErrBrokerStatus, ""); failure.HTTPStatus != 400 {
		t.Errorf("HTTPStatus %d, want 400", failure.HTTPStatus)
	}
}
