package vdbroker_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

// In a Studio agent container the environment says where the broker and
// the intent bearer are; NewCredential(nil) reads it.
func Example() {
	cred, err := vdbroker.NewCredential(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cred.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://storage.azure.com/.default"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid for the next hour:", time.Until(token.ExpiresOn) > 59*time.Minute)
	// Output: valid for the next hour: true
}

// Any Azure SDK client takes the credential as its azcore.TokenCredential.
func Example_azblob() {
	cred, err := vdbroker.NewCredential(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cred.Close()

	client, err := azblob.NewClient("https://myaccount.blob.core.windows.net/", cred, nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.UploadBuffer(context.Background(), "reports", "today.csv", []byte("a,b\n1,2\n"), nil)
	if err != nil {
		log.Fatal(err)
	}
}
