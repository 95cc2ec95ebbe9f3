package vdbroker

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestIssuedSecretsStartAgainPastTheirBound(t *testing.T) {
	var issued issuedSecrets
	for i := range maxIssuedScopes + 6 {
		scope := fmt.Sprintf("https://app%d.example/.default", i)
		issued.remember(scope, "secret "+scope)
		if got := issued.last(scope); got != "secret "+scope {
			t.Fatalf("scope %d: last is %q right after remembering it", i, got)
		}
	}
	if size := issuedSize(&issued); size > maxIssuedScopes || size == 0 {
		t.Fatalf("%d scopes remembered, want between 1 and %d", size, maxIssuedScopes)
	}
	if got := issued.last("https://app0.example/.default"); got != "" {
		t.Errorf("the first scope's secret outlived the bound: %q", got)
	}
}

func TestIssuedSecretsKeepOneSecretPerScope(t *testing.T) {
	var issued issuedSecrets
	issued.remember("a", "one")
	issued.remember("b", "two")
	issued.remember("a", "three")
	if issued.last("a") != "three" || issued.last("b") != "two" || issuedSize(&issued) != 2 {
		t.Errorf("a=%q b=%q size %d, want three, two and 2", issued.last("a"), issued.last("b"), issuedSize(&issued))
	}
}

func TestClosingAHandleDropsItsIssuedSecrets(t *testing.T) {
	file := filepath.Join(t.TempDir(), "credential")
	if err := os.WriteFile(file, []byte("vd_iat_closing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing listens there: the handle is made and closed without a call.
	h, err := newHandle(&Options{BrokerURL: "http://127.0.0.1:9", CredentialFile: file})
	if err != nil {
		t.Fatal(err)
	}
	h.issued.remember("https://storage.azure.com/.default", "a secret")
	h.close()
	if size := issuedSize(&h.issued); size != 0 {
		t.Errorf("%d secrets kept after Close, want none", size)
	}
}

func issuedSize(s *issuedSecrets) int {
	if m := s.secrets.Load(); m != nil {
		return len(*m)
	}
	return 0
}
