package vdbroker

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Credential is an azcore.TokenCredential that gets Azure access tokens from
// the VibeData Studio credential broker through the native library. Safe
// for concurrent use by any number of goroutines. Close it when done.
type Credential struct {
	handle  *handle
	cleanup runtime.Cleanup
}

var _ azcore.TokenCredential = (*Credential)(nil)

// NewCredential creates a credential from opts over the environment (nil:
// the environment alone). A missing broker URL or credential file, or an
// invalid setting, is an error matching ErrConfiguration.
func NewCredential(opts *Options) (*Credential, error) {
	h, err := newHandle(opts)
	if err != nil {
		return nil, err
	}
	c := &Credential{handle: h}
	// A credential dropped without Close must not leak its native client.
	c.cleanup = runtime.AddCleanup(c, (*handle).close, h)
	return c, nil
}

// GetToken returns a token for the first of opts.Scopes. opts.Claims, a
// claims challenge, goes to the library, which then mints afresh instead of
// answering from its cache; TenantID and EnableCAE have no meaning to the
// broker and are ignored. The call ends by ctx's deadline; when ctx ends
// first, GetToken returns an error wrapping ctx.Err() at once, and the
// native call finishes in the background.
func (c *Credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	defer runtime.KeepAlive(c)
	if c == nil || c.handle == nil {
		return azcore.AccessToken{}, ErrClosed
	}
	scope := ""
	if len(opts.Scopes) > 0 {
		scope = opts.Scopes[0]
	}
	token, err := mintWithin(ctx, c.handle, scope, opts.Claims)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{
		Token:     token.token,
		ExpiresOn: time.Unix(token.expiresOn, 0),
		RefreshOn: time.Unix(token.refreshOn, 0),
	}, nil
}

// mintWithin runs the native call bounded by ctx: the time left before its
// deadline is the call's timeout, and a ctx that can end early gets the
// call its own goroutine, left to finish in the background if ctx ends
// first — unless the library's cache hands the token out at once.
func mintWithin(ctx context.Context, h *handle, scope, claims string) (minted, error) {
	if err := ctx.Err(); err != nil {
		return minted{}, fmt.Errorf("vdbroker: no token requested: %w", err)
	}
	timeoutMs := uint64(0)
	if deadline, ok := ctx.Deadline(); ok {
		timeoutMs = max(milliseconds(time.Until(deadline)), 1)
	}
	var token minted
	var err error
	found := false
	if ctx.Done() != nil && claims == "" {
		// A token the cache hands out at once needs no goroutine: that call
		// waits on no request and no other call, so ctx has nothing to cut short.
		token, found, err = h.cachedToken(scope, timeoutMs)
	}
	switch {
	case found || err != nil: // answered by the cache, or refused before any native call
	case ctx.Done() == nil:
		token, err = h.getToken(scope, claims, timeoutMs)
	default:
		type outcome struct {
			token minted
			err   error
		}
		done := make(chan outcome, 1)
		go func() {
			token, err := h.getToken(scope, claims, timeoutMs)
			done <- outcome{token, err}
		}()
		select {
		case got := <-done:
			token, err = got.token, got.err
		case <-ctx.Done():
			return minted{}, fmt.Errorf("vdbroker: no token for %q before the context ended: %w", scope, ctx.Err())
		}
	}
	if err != nil {
		if ctxErr := ended(ctx); ctxErr != nil {
			// The call ended with ctx: the error says so in both forms.
			return minted{}, fmt.Errorf("%w (%w)", err, ctxErr)
		}
	}
	return token, err
}

// ended is ctx's error, or DeadlineExceeded once its deadline has passed: a
// native timeout taken from the deadline may end a moment before ctx's own
// timer fires.
func ended(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// Close frees the native client (once the calls still running on it
// return). GetToken fails with ErrClosed afterwards. Closing twice is fine.
func (c *Credential) Close() error {
	if c == nil || c.handle == nil {
		return nil
	}
	c.cleanup.Stop()
	c.handle.close()
	return nil
}
