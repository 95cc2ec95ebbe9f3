package vdbroker_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

func TestScopesMapToTheirAudiences(t *testing.T) {
	t.Parallel()
	opts, _ := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	for resource, audience := range map[string]string{
		"https://database.windows.net":             "sql",
		"https://storage.azure.com":                "storage",
		"https://vault.azure.net":                  "vault",
		"https://api.fabric.microsoft.com":         "fabric_api",
		"https://analysis.windows.net/powerbi/api": "fabric_cli",
		"https://management.azure.com":             "arm",
		// An alias: the Azure CLI's login resource, another name of ARM's audience.
		"https://management.core.windows.net": "arm",
	} {
		for _, scope := range []string{resource + "/.default", resource + "/", resource} {
			claims := claimsOf(t, mustToken(t, cred, scope).Token)
			if claims["vd_audience"] != audience {
				t.Errorf("scope %s: audience %v, want %s", scope, claims["vd_audience"], audience)
			}
		}
	}
}

func TestTheRequestFollowsTheWireContract(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	opts.BrokerURL += "/" // a trailing slash is dropped, not doubled
	token := mustToken(t, newCredential(t, &opts), storageScope)

	claims := claimsOf(t, token.Token)
	if claims["aud"] != "https://storage.azure.com" || claims["vd_bearer"] != sha256Hex(bearer)[:16] {
		t.Errorf("token claims aud=%v vd_bearer=%v", claims["aud"], claims["vd_bearer"])
	}
	seen := shared.requestsWith(t, bearer)
	if len(seen) != 1 {
		t.Fatalf("the broker saw %d requests with this bearer, want 1", len(seen))
	}
	r := seen[0]
	base, _ := url.Parse(shared.URL)
	body, _ := json.Marshal(r.Body)
	if r.Face != "broker" || r.Method != "POST" || r.Path != base.Path+"/token" ||
		r.ContentType != "application/json" || r.Authorization != "bearer" || string(body) != `{"audience":"storage"}` {
		t.Errorf("the request was %s %s %s, Content-Type %q, Authorization %s, body %s",
			r.Face, r.Method, r.Path, r.ContentType, r.Authorization, body)
	}
}

func TestOnlyTheFirstScopeCounts(t *testing.T) {
	t.Parallel()
	opts, _ := brokerOptions(t, shared)
	token := mustToken(t, newCredential(t, &opts), vaultScope, storageScope)
	if audience := claimsOf(t, token.Token)["vd_audience"]; audience != "vault" {
		t.Errorf("audience %v, want vault (the first scope)", audience)
	}
}

func TestNoScopeIsAnInvalidArgument(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	_, err := tokenFor(context.Background(), newCredential(t, &opts))
	mustFail(t, err, vdbroker.ErrInvalidArgument, bearer)
	shared.wantRequests(t, bearer, 0)
}

func TestAnUnmappedScopeIsNotAllowed(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	_, err := tokenFor(context.Background(), newCredential(t, &opts), "https://example.com/.default")
	failure := mustFail(t, err, vdbroker.ErrScopeNotAllowed, bearer)
	if failure.Status != vdbroker.StatusScopeNotAllowed || !strings.Contains(failure.Message, "https://storage.azure.com") {
		t.Errorf("the error should list the known resources: %v", err)
	}
	shared.wantRequests(t, bearer, 0)
}

func TestAudienceOverridesMergeOverTheDefaults(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	opts.Audiences = map[string]string{
		"https://vault.azure.net":      "key_vault_data_plane", // overrides a default
		"https://example.com/.default": "custom",               // adds a resource
		"https://storage.azure.com/":   "",                     // removes one
	}
	cred := newCredential(t, &opts)
	for scope, audience := range map[string]string{vaultScope: "key_vault_data_plane", "https://example.com": "custom", "https://management.azure.com/.default": "arm"} {
		if got := claimsOf(t, mustToken(t, cred, scope).Token)["vd_audience"]; got != audience {
			t.Errorf("scope %s: audience %v, want %s", scope, got, audience)
		}
	}
	_, err := tokenFor(context.Background(), cred, storageScope)
	mustFail(t, err, vdbroker.ErrScopeNotAllowed, bearer)
}

func TestExpiresOnAndRefreshOnFollowTheAnswer(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	for _, c := range []struct {
		name      string
		settings  map[string]any
		expiresIn time.Duration
		refreshIn time.Duration // before expiry when the broker gives no hint
	}{
		{"seconds as a number", map[string]any{"expires_in": 600}, 10 * time.Minute, 5 * time.Minute},
		{"seconds as a string", map[string]any{"expires_in": 600, "expires_in_as_string": true}, 10 * time.Minute, 5 * time.Minute},
		{"no expires_in means an hour", map[string]any{"omit_expires_in": true}, time.Hour, 55 * time.Minute},
		{"the broker's refresh_in wins", map[string]any{"expires_in": 3600, "refresh_in": 120}, time.Hour, 2 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.call(t, "POST", "/_emulator/reset", nil)
			e.set(t, c.settings)
			opts, _ := brokerOptions(t, e)
			before := time.Now().Truncate(time.Second)
			token := mustToken(t, newCredential(t, &opts), storageScope)
			after := time.Now()
			within := func(what string, got time.Time, d time.Duration) {
				if got.Before(before.Add(d)) || got.After(after.Add(d)) {
					t.Errorf("%s %v, want now + %v", what, got, d)
				}
			}
			within("ExpiresOn", token.ExpiresOn, c.expiresIn)
			within("RefreshOn", token.RefreshOn, c.refreshIn)
		})
	}
}

func TestTheCacheServesRepeatedRequests(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	first, second := mustToken(t, cred, vaultScope), mustToken(t, cred, vaultScope)
	other := newCredential(t, &opts) // the cache is process-wide
	third := mustToken(t, other, vaultScope)
	if first.Token != second.Token || first.Token != third.Token {
		t.Error("the cached token was not reused")
	}
	shared.wantRequests(t, bearer, 1)
}

func TestDisableCacheAsksTheBrokerEveryTime(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	opts.DisableCache = true
	cred := newCredential(t, &opts)
	for range 3 {
		mustToken(t, cred, vaultScope)
	}
	shared.wantRequests(t, bearer, 3)
}

func TestClaimsSkipTheCacheAndReplaceItsToken(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	cached := mustToken(t, cred, vaultScope)
	challenged, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{
		Scopes: []string{vaultScope},
		Claims: `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	after := mustToken(t, cred, vaultScope)
	if challenged.Token == cached.Token || after.Token != challenged.Token {
		t.Error("a claims challenge must mint a fresh token that then replaces the cached one")
	}
	shared.wantRequests(t, bearer, 2)
}

func TestAScopeWithANulByteIsRefused(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	_, err := tokenFor(context.Background(), newCredential(t, &opts), "https://storage.azure.com\x00/.default")
	mustFail(t, err, vdbroker.ErrInvalidArgument, bearer)
	shared.wantRequests(t, bearer, 0)
}

func TestVersionIsTheLibrarys(t *testing.T) {
	if v := vdbroker.Version(); v == "" || strings.Count(v, ".") < 2 {
		t.Errorf("Version() = %q", v)
	}
}

// The binding copies texts to C on the stack up to a size and the secret
// into a buffer sized by the longest one before: a long scope and long
// claims, and tokens longer and shorter than the one before, all arrive
// whole.
func TestLongScopesClaimsAndTokensArriveWhole(t *testing.T) {
	t.Parallel()
	opts, bearer := brokerOptions(t, shared)
	long := "https://" + strings.Repeat("a", 600) + ".example"
	audience := "long_" + strings.Repeat("b", 2000)
	opts.Audiences = map[string]string{long: audience}
	cred := newCredential(t, &opts)
	for _, c := range []struct{ scope, audience string }{{vaultScope, "vault"}, {long, audience}, {vaultScope, "vault"}} {
		if got := claimsOf(t, mustToken(t, cred, c.scope).Token)["vd_audience"]; got != c.audience {
			t.Errorf("scope %.40s…: audience %.40v…, want %.40s…", c.scope, got, c.audience)
		}
	}
	claims := `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}},"pad":"` + strings.Repeat("c", 600) + `"}`
	token, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{long}, Claims: claims})
	if err != nil {
		t.Fatal(err)
	}
	if got := claimsOf(t, token.Token)["vd_audience"]; got != audience {
		t.Errorf("with long claims: audience %.40v…", got)
	}
	shared.wantRequests(t, bearer, 3)
}
