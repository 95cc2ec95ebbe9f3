package vdbroker_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// answerWith makes the emulator's next token answer carry secret.
func answerWith(t *testing.T, e *emulator, secret string) {
	t.Helper()
	e.fault(t, map[string]any{"status": 200, "body": `{"access_token": "` + secret + `", "expires_in": 600}`})
}

// The binding hands out the previous string only when the library's secret
// has its bytes: one byte apart at the same length is a new string.
func TestASecretOfTheSameLengthButOtherBytesComesBackNew(t *testing.T) {
	e := startEmulator(t)
	opts, _ := brokerOptions(t, e)
	opts.DisableCache = true // every call asks the emulator
	cred := newCredential(t, &opts)
	first, second := strings.Repeat("a", 700)+"1", strings.Repeat("a", 700)+"2"

	answerWith(t, e, first)
	if got := mustToken(t, cred, storageScope).Token; got != first {
		t.Fatalf("first token %q..., want the emulator's", got[len(got)-4:])
	}
	answerWith(t, e, second)
	if got := mustToken(t, cred, storageScope).Token; got != second {
		t.Fatalf("a secret differing in its last byte came back as %q...: the previous one reused", got[len(got)-4:])
	}
	answerWith(t, e, first)
	if got := mustToken(t, cred, storageScope).Token; got != first {
		t.Fatalf("the first secret again came back as %q...", got[len(got)-4:])
	}
}

func TestAnUnchangedSecretIsTheSameString(t *testing.T) {
	opts, _ := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	first, second := mustToken(t, cred, storageScope).Token, mustToken(t, cred, storageScope).Token
	if first != second {
		t.Fatal("the cache handed out two tokens")
	}
	if unsafe.StringData(first) != unsafe.StringData(second) {
		t.Error("the same secret was copied into a new string")
	}
}

// Each of many scopes, past the binding's bound on remembered secrets,
// still gets its own audience's token, on every round.
func TestManyScopesEachGetTheirOwnToken(t *testing.T) {
	opts, _ := brokerOptions(t, shared)
	opts.Audiences = appAudiences(80)
	cred := newCredential(t, &opts)
	for round := range 2 {
		for i := range 80 {
			scope := fmt.Sprintf("https://app%d.example/.default", i)
			if audience := claimsOf(t, mustToken(t, cred, scope).Token)["vd_audience"]; audience != fmt.Sprintf("app%d", i) {
				t.Fatalf("round %d, scope %d: the token is for %v", round, i, audience)
			}
		}
	}
}

// Goroutines on a few scopes at once, with the cache on and off (run under
// -race by tests/suites/40-go.sh): each gets its scope's token.
func TestConcurrentGetTokenOnFewScopes(t *testing.T) {
	for _, disableCache := range []bool{false, true} {
		opts, _ := brokerOptions(t, shared)
		opts.DisableCache = disableCache
		opts.Audiences = appAudiences(3)
		cred := newCredential(t, &opts)
		var calls sync.WaitGroup
		for g := range 8 {
			calls.Go(func() {
				for i := range 20 {
					app := (g + i) % 3
					token, err := cred.GetToken(context.Background(), tokenRequest(fmt.Sprintf("https://app%d.example/.default", app)))
					if err != nil {
						t.Errorf("goroutine %d: %v", g, err)
						return
					}
					if audience := claimsOf(t, token.Token)["vd_audience"]; audience != fmt.Sprintf("app%d", app) {
						t.Errorf("goroutine %d (cache off %v): a token for %v, want app%d", g, disableCache, audience, app)
					}
				}
			})
		}
		calls.Wait()
	}
}

// appAudiences maps https://app0.example ... to the broker audiences app0 ...
func appAudiences(n int) map[string]string {
	audiences := make(map[string]string, n)
	for i := range n {
		audiences[fmt.Sprintf("https://app%d.example", i)] = fmt.Sprintf("app%d", i)
	}
	return audiences
}

func tokenRequest(scope string) policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: []string{scope}}
}
