package vdbroker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// slowBroker answers every token request after delay.
func slowBroker(t *testing.T, delay time.Duration) (*emulator, *vdbroker.Credential, string) {
	e := startEmulator(t)
	e.set(t, map[string]any{"delay_ms": delay.Milliseconds()})
	opts, bearer := brokerOptions(t, e)
	return e, newCredential(t, &opts), bearer
}

func TestCancellingReturnsWithoutWaitingForTheBroker(t *testing.T) {
	t.Parallel()
	e, cred, bearer := slowBroker(t, 3*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)

	_, err := tokenFor(ctx, cred, storageScope)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want an error wrapping context.Canceled, got %v", err)
	}
	// The emulator logs a request once it has answered it: nothing logged
	// means GetToken returned while the native call was still waiting.
	e.wantRequests(t, "", 0)
	e.awaitRequests(t, 1)

	// The abandoned call left the credential fine.
	e.set(t, map[string]any{"delay_ms": 0})
	if token, err := tokenFor(context.Background(), cred, storageScope); err != nil || claimsOf(t, token.Token)["vd_bearer"] != sha256Hex(bearer)[:16] {
		t.Errorf("GetToken after a cancelled call: %v", err)
	}
}

func TestTheContextDeadlineEndsTheCall(t *testing.T) {
	t.Parallel()
	_, cred, _ := slowBroker(t, 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := tokenFor(ctx, cred, storageScope)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want an error wrapping context.DeadlineExceeded, got %v", err)
	}
}

// deadlineOnly has a deadline but no Done channel, so GetToken calls the
// library directly: only the timeout it passes can end the call.
type deadlineOnly struct {
	context.Context
	deadline time.Time
}

func (d deadlineOnly) Deadline() (time.Time, bool) { return d.deadline, true }

func TestTheLibraryIsGivenTheTimeLeftBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	_, cred, bearer := slowBroker(t, 3*time.Second)
	ctx := deadlineOnly{context.Background(), time.Now().Add(200 * time.Millisecond)}
	_, err := tokenFor(ctx, cred, storageScope)
	mustFail(t, err, vdbroker.ErrTimeout, bearer)
}

func TestAContextAlreadyDoneAsksNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts, bearer := brokerOptions(t, shared)
	_, err := tokenFor(ctx, newCredential(t, &opts), storageScope)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want an error wrapping context.Canceled, got %v", err)
	}
	shared.wantRequests(t, bearer, 0)
}

func TestCloseWhileACallIsInFlight(t *testing.T) {
	t.Parallel()
	e, cred, _ := slowBroker(t, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := tokenFor(ctx, cred, storageScope); !errors.Is(err, context.Canceled) {
		t.Fatalf("want an error wrapping context.Canceled, got %v", err)
	}
	// The native call is still running: Close must leave its client alone
	// until it returns.
	if err := cred.Close(); err != nil {
		t.Fatal(err)
	}
	e.awaitRequests(t, 1)
	if _, err := tokenFor(context.Background(), cred, storageScope); !errors.Is(err, vdbroker.ErrClosed) {
		t.Errorf("GetToken after Close: want ErrClosed, got %v", err)
	}
}

func TestCloseTwiceIsFine(t *testing.T) {
	t.Parallel()
	opts, _ := brokerOptions(t, shared)
	cred, err := vdbroker.NewCredential(&opts)
	if err != nil {
		t.Fatal(err)
	}
	mustToken(t, cred, storageScope)
	if cred.Close() != nil || cred.Close() != nil {
		t.Error("Close failed")
	}
	if _, err := tokenFor(context.Background(), cred, storageScope); !errors.Is(err, vdbroker.ErrClosed) {
		t.Errorf("GetToken after Close: want ErrClosed, got %v", err)
	}
	var never *vdbroker.Credential
	if _, err := tokenFor(context.Background(), never, storageScope); !errors.Is(err, vdbroker.ErrClosed) {
		t.Errorf("GetToken on a nil credential: want ErrClosed, got %v", err)
	}
}

func TestADistantDeadlineDoesNotWidenTheCredentialsTimeout(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	e.set(t, map[string]any{"delay_ms": 1000})
	opts, bearer := brokerOptions(t, e)
	opts.Timeout = 200 * time.Millisecond
	cred := newCredential(t, &opts)
	ctx := deadlineOnly{context.Background(), time.Now().Add(5 * time.Second)}
	_, err := tokenFor(ctx, cred, storageScope)
	mustFail(t, err, vdbroker.ErrTimeout, bearer)
}

// A token the cache hands out at once is fetched inline, whatever the
// context: a cancellable one costs no goroutine, channel or closure more
// than context.Background().
func TestAWarmCallWithACancellableContextIsInline(t *testing.T) {
	opts, _ := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	mustToken(t, cred, storageScope)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	allocs := func(ctx context.Context) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := tokenFor(ctx, cred, storageScope); err != nil {
				t.Fatal(err)
			}
		})
	}
	if background, cancellable := allocs(context.Background()), allocs(ctx); cancellable != background {
		t.Errorf("a warm GetToken allocates %.1f times with a cancellable context, %.1f without", cancellable, background)
	}
}

// With a cancellable context the cache is asked first, and what it cannot
// hand out at once is minted as before: a miss, a rotated bearer, the
// cache off.
func TestACancellableContextGetsWhatTheCacheHolds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts, bearer := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	first, err := tokenFor(ctx, cred, storageScope)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := tokenFor(ctx, cred, storageScope); err != nil || again.Token != first.Token {
		t.Fatalf("the second call should be the cache's token: %v", err)
	}
	shared.wantRequests(t, bearer, 1)

	rotated := randomBearer()
	writeBearer(t, opts.CredentialFile, rotated+"\n")
	if next, err := tokenFor(ctx, cred, storageScope); err != nil || claimsOf(t, next.Token)["vd_bearer"] != sha256Hex(rotated)[:16] {
		t.Errorf("after a rotation: %v", err)
	}
	shared.wantRequests(t, rotated, 1)

	opts.DisableCache = true
	uncached := newCredential(t, &opts)
	for range 2 {
		if _, err := tokenFor(ctx, uncached, storageScope); err != nil {
			t.Fatal(err)
		}
	}
	shared.wantRequests(t, rotated, 3)
}
