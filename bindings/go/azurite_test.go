package vdbroker_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// startAzurite runs Azurite's Blob service over HTTPS with OAuth through
// tests/azurite/start.sh and returns its account URL and an HTTP client
// that trusts its test CA.
func startAzurite(t *testing.T) (string, *http.Client) {
	if os.Getenv("VD_BROKER_SKIP_AZURITE") == "1" {
		t.Skip("VD_BROKER_SKIP_AZURITE=1: the Azurite test is skipped (never in CI)")
	}
	dir := t.TempDir()
	script := filepath.Join("..", "..", "tests", "azurite", "start.sh")
	out, err := exec.Command("bash", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("Azurite did not start (it needs Node.js and `npm ci` in tests/azurite; set VD_BROKER_SKIP_AZURITE=1 to skip locally): %v\n%s", err, out)
	}
	t.Cleanup(func() { stopAzurite(t, filepath.Join(dir, "azurite.pid")) })
	fields := strings.Fields(string(out))
	port := fields[len(fields)-1]

	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		t.Fatal("ca.pem holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	return "https://127.0.0.1:" + port + "/devstoreaccount1", client
}

func stopAzurite(t *testing.T, pidFile string) {
	text, err := os.ReadFile(pidFile)
	if err != nil {
		t.Error(err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(text)))
	if err != nil {
		t.Error(err)
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

func blobClient(t *testing.T, accountURL string, transport *http.Client, cred azcore.TokenCredential) *azblob.Client {
	client, err := azblob.NewClient(accountURL, cred, &azblob.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: transport},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestAzblobRoundTripOnAzurite(t *testing.T) {
	t.Parallel()
	accountURL, transport := startAzurite(t)
	opts, bearer := brokerOptions(t, shared)
	client := blobClient(t, accountURL, transport, newCredential(t, &opts))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const container, blob = "vdbroker-go", "greeting.txt"
	content := []byte("hello from the Go binding, " + time.Now().Format(time.RFC3339Nano))
	if _, err := client.CreateContainer(ctx, container, nil); err != nil {
		t.Fatalf("CreateContainer: %v", err)
	}
	if _, err := client.UploadBuffer(ctx, container, blob, content, nil); err != nil {
		t.Fatalf("UploadBuffer: %v", err)
	}
	download, err := client.DownloadStream(ctx, container, blob, nil)
	if err != nil {
		t.Fatalf("DownloadStream: %v", err)
	}
	got, err := io.ReadAll(download.Body)
	download.Body.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("downloaded %q (%v), want %q", got, err, content)
	}
	seen := shared.requestsWith(t, bearer)
	if len(seen) != 1 || seen[0].Audience != "storage" {
		t.Errorf("want one storage token request for the whole round trip, got %+v", seen)
	}

	// Azurite checks the token: one for another audience is refused.
	wrong := opts
	wrong.Audiences = map[string]string{"https://storage.azure.com": "vault"}
	_, err = blobClient(t, accountURL, transport, newCredential(t, &wrong)).DownloadStream(ctx, container, blob, nil)
	var refused *azcore.ResponseError
	if !errors.As(err, &refused) || refused.StatusCode != http.StatusForbidden {
		t.Errorf("a vault token should be refused by Blob storage with 403, got %v", err)
	}
}
