// Package serve tests azidentity's own credentials against `vd-broker serve`
// with no code of ours in the client: the suite runs `go test` under
// `vd-broker serve --exec`, so IDENTITY_ENDPOINT and IDENTITY_HEADER come
// from the endpoint, and VD_SERVE_TEST_EMULATOR names the broker emulator's
// control API behind it.
package serve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Mapped by the suite (`--audience`) and asked for only while the broker
// fails, so that no token of it is ever cached.
const faultResource = "https://fault.example"

func TestMain(m *testing.M) {
	if os.Getenv("IDENTITY_ENDPOINT") == "" || os.Getenv("IDENTITY_HEADER") == "" {
		panic("run under `vd-broker serve --exec`")
	}
	// No other credential may answer for DefaultAzureCredential.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		for _, prefix := range []string{"AZURE_", "MSI_", "IMDS_", "IDENTITY_SERVER_THUMBPRINT"} {
			// AZURE_MSI_ENDPOINT is the endpoint's own (object_store's name for it).
			if strings.HasPrefix(name, prefix) && name != "AZURE_MSI_ENDPOINT" {
				os.Unsetenv(name)
			}
		}
	}
	os.Exit(m.Run())
}

func getToken(t *testing.T, credential azcore.TokenCredential, scope string) (azcore.AccessToken, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
}

func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not JWT-shaped: %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func control(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	request, err := http.NewRequest(method, os.Getenv("VD_SERVE_TEST_EMULATOR")+"/_emulator/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Content-Type", "application/json")
	response, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}).Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(response.Body).Decode(&out)
	return out
}

func brokerRequests(t *testing.T, audience string) int {
	n := 0
	for _, r := range control(t, "GET", "requests", "")["requests"].([]any) {
		if r.(map[string]any)["audience"] == audience {
			n++
		}
	}
	return n
}

func TestManagedIdentityCredentialGetsAStudioToken(t *testing.T) {
	credential, err := azidentity.NewManagedIdentityCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	token, err := getToken(t, credential, "https://vault.azure.net/.default")
	if err != nil {
		t.Fatal(err)
	}
	if aud := claims(t, token.Token)["aud"]; aud != "https://vault.azure.net" {
		t.Fatalf("aud %v", aud)
	}
	if time.Until(token.ExpiresOn) < 50*time.Minute {
		t.Fatalf("expires on %v", token.ExpiresOn)
	}
}

func TestDefaultAzureCredentialFindsTheEndpoint(t *testing.T) {
	before := brokerRequests(t, "storage")
	credential, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	token, err := getToken(t, credential, "https://storage.azure.com/.default")
	if err != nil {
		t.Fatal(err)
	}
	if aud := claims(t, token.Token)["aud"]; aud != "https://storage.azure.com" {
		t.Fatalf("aud %v", aud)
	}
	if after := brokerRequests(t, "storage"); after != before+1 {
		t.Fatalf("broker requests %d → %d, want one", before, after)
	}
}

// What azidentity returns for each of the endpoint's errors: an
// *AuthenticationFailedError whose RawResponse is the endpoint's answer.
func authenticationFailure(t *testing.T, err error, status int, text string) {
	t.Helper()
	var failed *azidentity.AuthenticationFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("want *azidentity.AuthenticationFailedError, got %T: %v", err, err)
	}
	if failed.RawResponse == nil || failed.RawResponse.StatusCode != status {
		t.Fatalf("want the endpoint's %d in the error, got %v", status, err)
	}
	if !strings.Contains(err.Error(), text) {
		t.Fatalf("want %q in the error: %v", text, err)
	}
}

func TestUnknownResourceFailsWith400AndTheKnownResources(t *testing.T) {
	credential, _ := azidentity.NewManagedIdentityCredential(nil)
	_, err := getToken(t, credential, "https://example.com/.default")
	authenticationFailure(t, err, 400, "https://storage.azure.com")
	chain, _ := azidentity.NewDefaultAzureCredential(nil)
	_, err = getToken(t, chain, "https://example.com/.default")
	if err == nil || !strings.Contains(err.Error(), "no broker audience is mapped") {
		t.Fatalf("DefaultAzureCredential: %v", err)
	}
}

func TestWrongHeaderFailsWith401(t *testing.T) {
	t.Setenv("IDENTITY_HEADER", strings.Repeat("0", 64))
	credential, _ := azidentity.NewManagedIdentityCredential(nil)
	// A resource no other test asked for: MSAL-Go caches tokens process-wide.
	_, err := getToken(t, credential, "https://api.fabric.microsoft.com/.default")
	authenticationFailure(t, err, 401, "X-IDENTITY-HEADER header is wrong")
}

func TestBrokerRejectionFailsWith403(t *testing.T) {
	control(t, "POST", "faults", `{"action": "respond", "status": 401, "times": 8}`)
	defer control(t, "DELETE", "faults", "")
	credential, _ := azidentity.NewManagedIdentityCredential(nil)
	_, err := getToken(t, credential, faultResource+"/.default")
	authenticationFailure(t, err, 403, "broker rejected the request (401)")
}
