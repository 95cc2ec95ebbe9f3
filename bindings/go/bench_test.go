package vdbroker_test

import (
	"context"
	"os"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// benchOptions points at the repository benchmark's broker and bearer file
// when it runs these (VD_BROKER_BENCH_BROKER_URL and
// VD_BROKER_BENCH_CREDENTIAL_FILE), so every row of its table is measured
// against one emulator; otherwise at this package's own emulator.
func benchOptions(b *testing.B) vdbroker.Options {
	url, file := os.Getenv("VD_BROKER_BENCH_BROKER_URL"), os.Getenv("VD_BROKER_BENCH_CREDENTIAL_FILE")
	if url != "" && file != "" {
		return vdbroker.Options{BrokerURL: url, CredentialFile: file}
	}
	opts, _ := brokerOptions(b, shared)
	return opts
}

// BenchmarkGetTokenWarm is a GetToken the process-wide cache answers: the
// cost of the binding and the library without the network.
func BenchmarkGetTokenWarm(b *testing.B) {
	opts := benchOptions(b)
	cred := newCredential(b, &opts)
	mustToken(b, cred, storageScope)
	request := policy.TokenRequestOptions{Scopes: []string{storageScope}}
	for b.Loop() {
		if _, err := cred.GetToken(context.Background(), request); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetTokenCold asks the emulator over loopback HTTP every time.
func BenchmarkGetTokenCold(b *testing.B) {
	opts := benchOptions(b)
	opts.DisableCache = true
	cred := newCredential(b, &opts)
	request := policy.TokenRequestOptions{Scopes: []string{storageScope}}
	for b.Loop() {
		if _, err := cred.GetToken(context.Background(), request); err != nil {
			b.Fatal(err)
		}
	}
}
