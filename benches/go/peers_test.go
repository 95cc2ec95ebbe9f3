package peers

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

const scope = "https://storage.azure.com/.default"

// rounds of every peer, interleaved, so that a change of load on the
// machine falls on all of them alike; benches/broker takes the medians.
const rounds = 5

// BenchmarkPeers runs, round after round: azidentity's
// ManagedIdentityCredential answering from its own cache (pointed at
// `vd-broker serve` by IDENTITY_ENDPOINT and IDENTITY_HEADER), the binding's
// GetToken answered by the library's cache, with a context that cannot end
// and with one that has a deadline, and the bare cgo call under it. Ours use
// the broker and bearer file serve uses (VD_BROKER_BENCH_BROKER_URL,
// VD_BROKER_BENCH_CREDENTIAL_FILE).
func BenchmarkPeers(b *testing.B) {
	brokerURL, file := os.Getenv("VD_BROKER_BENCH_BROKER_URL"), os.Getenv("VD_BROKER_BENCH_CREDENTIAL_FILE")
	if os.Getenv("IDENTITY_ENDPOINT") == "" || brokerURL == "" || file == "" {
		b.Fatal("set IDENTITY_ENDPOINT, IDENTITY_HEADER, VD_BROKER_BENCH_BROKER_URL and VD_BROKER_BENCH_CREDENTIAL_FILE (benches/broker does)")
	}
	theirs, err := azidentity.NewManagedIdentityCredential(nil)
	if err != nil {
		b.Fatal(err)
	}
	ours, err := vdbroker.NewCredential(&vdbroker.Options{BrokerURL: brokerURL, CredentialFile: file})
	if err != nil {
		b.Fatal(err)
	}
	defer ours.Close()
	bare, err := newBareClient(brokerURL, file, scope)
	if err != nil {
		b.Fatal(err)
	}
	defer bare.close()
	deadline, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	request := policy.TokenRequestOptions{Scopes: []string{scope}}
	getToken := func(credential azcore.TokenCredential, ctx context.Context) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := credential.GetToken(ctx, request); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	peers := []struct {
		name string
		run  func(*testing.B)
	}{
		{"azidentity_cached_hit", getToken(theirs, context.Background())},
		{"ours_background", getToken(ours, context.Background())},
		{"ours_deadline", getToken(ours, deadline)},
		{"bare_cgo_fetch_token", func(b *testing.B) {
			for b.Loop() {
				if err := bare.fetch(); err != nil {
					b.Fatal(err)
				}
			}
		}},
	}
	// The first call of each fills its cache: azidentity's from serve, ours
	// from the library's (already warm from the broker's rows).
	for _, credential := range []azcore.TokenCredential{theirs, ours} {
		if _, err := credential.GetToken(deadline, request); err != nil {
			b.Fatal(err)
		}
	}
	for range rounds {
		for _, peer := range peers {
			b.Run(peer.name, peer.run)
		}
	}
}
