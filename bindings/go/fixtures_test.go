package vdbroker_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

const (
	storageScope = "https://storage.azure.com/.default"
	vaultScope   = "https://vault.azure.net/.default"
)

// randomBearer is a bearer no other test uses: the token cache is
// process-wide and keyed by the bearer, and the emulator logs its digest.
func randomBearer() string {
	return "vd_iat_" + rand.Text()
}

func sha256Hex(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// writeBearer replaces the bearer file at once, as the Studio backend
// rotates it: a reader sees the old bearer or the new one, never half.
func writeBearer(tb testing.TB, path, contents string) {
	tb.Helper()
	next := path + ".next"
	if err := os.WriteFile(next, []byte(contents), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(next, path); err != nil {
		tb.Fatal(err)
	}
}

// brokerOptions point a credential at e with a fresh bearer of its own.
func brokerOptions(tb testing.TB, e *emulator) (opts vdbroker.Options, bearer string) {
	tb.Helper()
	bearer = randomBearer()
	path := filepath.Join(tb.TempDir(), "credential")
	writeBearer(tb, path, bearer+"\n")
	return vdbroker.Options{BrokerURL: e.URL, CredentialFile: path}, bearer
}

func newCredential(tb testing.TB, opts *vdbroker.Options) *vdbroker.Credential {
	tb.Helper()
	cred, err := vdbroker.NewCredential(opts)
	if err != nil {
		tb.Fatalf("NewCredential: %v", err)
	}
	tb.Cleanup(func() { cred.Close() })
	return cred
}

func tokenFor(ctx context.Context, cred *vdbroker.Credential, scopes ...string) (azcore.AccessToken, error) {
	return cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
}

func mustToken(tb testing.TB, cred *vdbroker.Credential, scopes ...string) azcore.AccessToken {
	tb.Helper()
	token, err := tokenFor(context.Background(), cred, scopes...)
	if err != nil {
		tb.Fatalf("GetToken(%v): %v", scopes, err)
	}
	return token
}

// claimsOf reads the payload of an emulator token (an unsigned JWT).
func claimsOf(tb testing.TB, token string) map[string]any {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("the token is not JWT-shaped: %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		tb.Fatal(err)
	}
	return claims
}

// mustFail checks that err is a vdbroker failure of the sentinel's kind,
// that it does not leak the bearer, and returns it for closer looks.
func mustFail(tb testing.TB, err error, sentinel *vdbroker.Error, bearer string) *vdbroker.Error {
	tb.Helper()
	if !errors.Is(err, sentinel) {
		tb.Fatalf("want an error matching %v, got %v", sentinel, err)
	}
	var failure *vdbroker.Error
	if !errors.As(err, &failure) {
		tb.Fatalf("errors.As found no *vdbroker.Error in %v", err)
	}
	if bearer != "" && strings.Contains(err.Error(), bearer) {
		tb.Fatalf("the error message holds the bearer: %v", err)
	}
	return failure
}

// nonRetriable reports whether err carries azcore's errorinfo.NonRetriable marker.
func nonRetriable(err error) bool {
	var marked interface{ NonRetriable() }
	return errors.As(err, &marked)
}
