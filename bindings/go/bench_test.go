package vdbroker_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// BenchmarkGetTokenWarm is a GetToken the process-wide cache answers: the
// cost of the binding and the library without the network.
func BenchmarkGetTokenWarm(b *testing.B) {
	opts, _ := brokerOptions(b, shared)
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
	opts, _ := brokerOptions(b, shared)
	opts.DisableCache = true
	cred := newCredential(b, &opts)
	request := policy.TokenRequestOptions{Scopes: []string{storageScope}}
	for b.Loop() {
		if _, err := cred.GetToken(context.Background(), request); err != nil {
			b.Fatal(err)
		}
	}
}
