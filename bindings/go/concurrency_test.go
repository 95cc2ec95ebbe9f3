package vdbroker_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

func TestManyGoroutinesShareOneBrokerRequest(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	e.set(t, map[string]any{"delay_ms": 200}) // so that the calls overlap
	opts, _ := brokerOptions(t, e)
	cred := newCredential(t, &opts)

	tokens := make([]string, 64)
	var calls sync.WaitGroup
	for i := range tokens {
		calls.Go(func() {
			token, err := tokenFor(context.Background(), cred, storageScope)
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
			tokens[i] = token.Token
		})
	}
	calls.Wait()
	for i, token := range tokens {
		if token != tokens[0] {
			t.Fatalf("goroutine %d got another token", i)
		}
	}
	e.wantRequests(t, "", 1)
}

func TestManyCredentialsAtOnceWithoutTheCache(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	opts, _ := brokerOptions(t, e)
	opts.DisableCache = true
	var calls sync.WaitGroup
	for range 8 {
		cred := newCredential(t, &opts)
		for range 8 {
			calls.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if _, err := tokenFor(ctx, cred, vaultScope); err != nil {
					t.Error(err)
				}
			})
		}
	}
	calls.Wait()
	e.wantRequests(t, "", 64)
}

func TestCloseRacingWithGetToken(t *testing.T) {
	t.Parallel()
	opts, _ := brokerOptions(t, shared)
	cred := newCredential(t, &opts)
	mustToken(t, cred, storageScope)

	var served, refused atomic.Int64
	var calls sync.WaitGroup
	for range 32 {
		calls.Go(func() {
			for range 50 {
				_, err := tokenFor(context.Background(), cred, storageScope)
				switch {
				case err == nil:
					served.Add(1)
				case errors.Is(err, vdbroker.ErrClosed):
					refused.Add(1)
				default:
					t.Error(err)
					return
				}
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	cred.Close()
	calls.Wait()
	if served.Load()+refused.Load() != 32*50 {
		t.Errorf("%d served + %d refused, want %d", served.Load(), refused.Load(), 32*50)
	}
	if _, err := tokenFor(context.Background(), cred, storageScope); !errors.Is(err, vdbroker.ErrClosed) {
		t.Errorf("GetToken after Close: want ErrClosed, got %v", err)
	}
}
