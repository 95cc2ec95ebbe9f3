// Package vdbroker is an azcore.TokenCredential for VibeData Studio agent
// containers: it exchanges the Studio intent bearer at the Studio credential
// broker for audience-bound Azure access tokens, through the vd_broker
// native library (libvd_broker), which every runtime in the container shares.
//
// Any Azure SDK for Go client takes the credential as is:
//
//	cred, err := vdbroker.NewCredential(nil) // configured from the environment
//	if err != nil { ... }
//	defer cred.Close()
//	client, err := azblob.NewClient("https://<account>.blob.core.windows.net/", cred, nil)
//
// # Configuration
//
// With nil Options the library reads VD_CREDENTIAL_BROKER_URL (older
// containers: VD_AZ_TOKEN_URL), VD_CREDENTIAL_FILE, VD_CREDENTIAL_LANE with
// VD_CREDENTIAL_CONFIGURATION_REVISION, VD_RUNTIME_ACCESS_SOCKET and
// VD_BROKER_CACHE. Options override them one by one. Scope to audience
// mapping, bearer reading, retries and the process-wide token cache all
// live in the native library; this package only translates.
//
// # Building
//
// The package uses cgo and links libvd_broker. Point cgo at the header and
// the library, either by hand:
//
//	CGO_CFLAGS="-I/path/to/vd_broker/include" \
//	CGO_LDFLAGS="-L/path/to/lib -Wl,-rpath,/path/to/lib" go build
//
// or, with the library installed, through pkg-config:
//
//	CGO_CFLAGS="$(pkg-config --cflags vd_broker)" \
//	CGO_LDFLAGS="$(pkg-config --libs vd_broker)" go build
//
// # Errors
//
// Failures of the library are *Error values carrying the C status code
// (Status), the message and the broker's HTTP status when it answered; match
// them with errors.Is against ErrScopeNotAllowed, ErrBrokerRejected,
// ErrConfiguration, ErrBrokerUnreachable and the other sentinels, or read
// them with errors.As. Failures the library does not classify as retriable
// carry azcore's NonRetriable marker. Class sentinels (ErrAuthenticationFailed,
// ErrRetriable, ErrCallerError, ErrUnavailable) match by the library's
// classification. No error ever holds the bearer or a token.
//
// # Logs
//
// Options.Logger, an *slog.Logger, receives the library's events for that
// credential's calls (a fresh token, a retry, a refresh, a failure, a cache
// hit), with the attributes event=Authentication and
// credential=*vdbroker.Credential. Nil is silent.
package vdbroker
