package vdbroker_test

// A call cannot be held past its timeout through Go either: a runtime-access
// helper whose listen backlog is full, a FIFO as the credential file with no
// writer or a silent one. Each GetToken (with no deadline of its own) fails
// with ErrTimeout within 2.5 s of a 2 s timeout — a correctness bound, not a
// speed. The native library keeps the deadline; the binding translates.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

const (
	stallTimeout = 2 * time.Second
	stallBound   = 2500 * time.Millisecond
)

func expectTimeout(t *testing.T, cred *vdbroker.Credential, messagePart string) {
	t.Helper()
	started := time.Now()
	_, err := tokenFor(context.Background(), cred, storageScope)
	took := time.Since(started)
	if !errors.Is(err, vdbroker.ErrTimeout) {
		t.Fatalf("GetToken: %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), messagePart) {
		t.Errorf("the message lacks %q: %v", messagePart, err)
	}
	if took > stallBound {
		t.Errorf("returned after %v, timeout %v", took, stallTimeout)
	}
}

// fullHelperSocket listens on a Unix socket with a full backlog: connecting
// waits for an accept that never comes.
func fullHelperSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "helper.sock")
	address := &syscall.SockaddrUnix{Name: path}
	listener, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(listener) })
	if err := syscall.Bind(listener, address); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(listener, 0); err != nil {
		t.Fatal(err)
	}
	for range 64 {
		filler, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Connect(filler, address); err != nil {
			syscall.Close(filler) // EAGAIN: the backlog is full
			return path
		}
		t.Cleanup(func() { syscall.Close(filler) })
	}
	t.Fatal("the helper's backlog never filled")
	return ""
}

func TestAHelperWithAFullBacklogCannotHoldTheCall(t *testing.T) {
	cred := newCredential(t, &vdbroker.Options{RuntimeAccessSocket: fullHelperSocket(t), Timeout: stallTimeout})
	expectTimeout(t, cred, "runtime-access helper")
}

func fifoOptions(t *testing.T) vdbroker.Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credential")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return vdbroker.Options{
		BrokerURL:           "http://127.0.0.1:9/api",
		CredentialFile:      path,
		RuntimeAccessSocket: filepath.Join(t.TempDir(), "no-helper.sock"),
		Timeout:             stallTimeout,
	}
}

func TestAFIFOCredentialFileWithoutAWriterCannotHoldTheCall(t *testing.T) {
	opts := fifoOptions(t)
	expectTimeout(t, newCredential(t, &opts), "gave no bearer before the timeout")
}

func TestAFIFOCredentialFileWithASilentWriterCannotHoldTheCall(t *testing.T) {
	opts := fifoOptions(t)
	writer, err := syscall.Open(opts.CredentialFile, syscall.O_RDWR|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(writer)
	expectTimeout(t, newCredential(t, &opts), "gave no bearer before the timeout")
}
