package vdbroker_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// recorder is an slog.Handler keeping every record it is given, at every level.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, record slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, record.Clone())
	return nil
}

// lines are the records as "LEVEL message attr=value ...".
func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lines []string
	for _, record := range r.records {
		line := record.Level.String() + " " + record.Message
		record.Attrs(func(a slog.Attr) bool {
			line += " " + a.String()
			return true
		})
		lines = append(lines, line)
	}
	return lines
}

func (r *recorder) has(level slog.Level, text string) bool {
	for _, line := range r.lines() {
		if strings.HasPrefix(line, level.String()+" ") && strings.Contains(line, text) {
			return true
		}
	}
	return false
}

func TestAnSlogLoggerSeesTheEventsAndNoSecret(t *testing.T) {
	e := startEmulator(t)
	opts, bearer := brokerOptions(t, e)
	var seen recorder
	opts.Logger = slog.New(&seen)
	cred := newCredential(t, &opts)

	e.fault(t, map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "0"}})
	token := mustToken(t, cred, storageScope)
	mustToken(t, cred, storageScope)
	e.fault(t, map[string]any{"status": 401, "body": `{"error_description": "unknown bearer ` + bearer + `"}`})
	_, err := tokenFor(context.Background(), cred, "https://vault.azure.net/.default")
	mustFail(t, err, vdbroker.ErrBrokerRejected, bearer)

	for _, want := range []struct {
		level slog.Level
		text  string
	}{
		{slog.LevelInfo, "new client: tokens come from the credential broker"},
		{slog.LevelInfo, "attempt 1 of"},
		{slog.LevelInfo, "minted a fresh token for " + storageScope},
		{slog.LevelDebug, "served from the cache"},
		{slog.LevelWarn, "no token for https://vault.azure.net/.default"},
	} {
		if !seen.has(want.level, want.text) {
			t.Errorf("no %v record with %q in %q", want.level, want.text, seen.lines())
		}
	}
	for _, line := range seen.lines() {
		if !strings.Contains(line, " event=Authentication credential=*vdbroker.Credential") {
			t.Errorf("a record without the Azure SDK's attributes: %q", line)
		}
		if strings.Contains(line, bearer) || strings.Contains(line, token.Token) {
			t.Errorf("a record holds a secret: %q", line)
		}
	}
}

func TestEachCredentialsLoggerSeesOnlyItsOwnCalls(t *testing.T) {
	t.Parallel()
	var first, second recorder
	optsA, _ := brokerOptions(t, shared)
	optsA.Logger = slog.New(&first)
	optsB, _ := brokerOptions(t, shared)
	optsB.Logger = slog.New(&second)
	optsSilent, _ := brokerOptions(t, shared)
	a, b, silent := newCredential(t, &optsA), newCredential(t, &optsB), newCredential(t, &optsSilent)

	var wg sync.WaitGroup
	for range 4 {
		wg.Add(3)
		go func() { defer wg.Done(); mustToken(t, a, storageScope) }()
		go func() { defer wg.Done(); mustToken(t, b, "https://vault.azure.net/.default") }()
		go func() { defer wg.Done(); mustToken(t, silent, "https://management.azure.com/.default") }()
	}
	wg.Wait()
	if !first.has(slog.LevelInfo, "token for "+storageScope) || !second.has(slog.LevelInfo, "token for https://vault.azure.net") {
		t.Fatalf("a logger missed its credential's mint: %q / %q", first.lines(), second.lines())
	}
	for _, line := range first.lines() {
		if strings.Contains(line, "vault.azure.net") || strings.Contains(line, "management.azure.com") {
			t.Errorf("the first logger saw another credential's event: %q", line)
		}
	}
	for _, line := range second.lines() {
		if strings.Contains(line, "storage.azure.com") || strings.Contains(line, "management.azure.com") {
			t.Errorf("the second logger saw another credential's event: %q", line)
		}
	}
}

func TestClassSentinelsFollowTheLibrarysClassification(t *testing.T) {
	t.Setenv("VD_CREDENTIAL_BROKER_URL", "")
	t.Setenv("VD_AZ_TOKEN_URL", "")
	_, err := vdbroker.NewCredential(nil)
	if !errors.Is(err, vdbroker.ErrConfiguration) || !errors.Is(err, vdbroker.ErrUnavailable) || errors.Is(err, vdbroker.ErrRetriable) {
		t.Errorf("a missing configuration: %v", err)
	}
	if !nonRetriable(err) {
		t.Errorf("a missing configuration is retriable: %v", err)
	}
	e := startEmulator(t)
	opts, bearer := brokerOptions(t, e)
	unreachable := opts
	unreachable.BrokerURL = closedPort(t)
	_, err = tokenFor(context.Background(), newCredential(t, &unreachable), storageScope)
	if !errors.Is(err, vdbroker.ErrBrokerUnreachable) || !errors.Is(err, vdbroker.ErrUnavailable) || !errors.Is(err, vdbroker.ErrRetriable) {
		t.Errorf("no broker listening: %v", err)
	}
	e.fault(t, map[string]any{"status": 403})
	_, err = tokenFor(context.Background(), newCredential(t, &opts), storageScope)
	if !errors.Is(err, vdbroker.ErrAuthenticationFailed) || errors.Is(err, vdbroker.ErrUnavailable) || !nonRetriable(err) {
		t.Errorf("a refused bearer: %v", err)
	}
	mustFail(t, err, vdbroker.ErrBrokerRejected, bearer)
}
