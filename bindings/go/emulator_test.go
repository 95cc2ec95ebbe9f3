package vdbroker_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// emulator is the crate's vd-broker-emulator running as a child process. It
// exits when its standard input closes, so it dies with the test binary.
type emulator struct {
	URL     string // the broker base URL, as a Studio container's environment gives it
	control string // scheme://host:port of the control API
	cmd     *exec.Cmd
	stdin   io.WriteCloser
}

// recorded is one token request as the emulator saw it (the bearer only as a digest).
type recorded struct {
	Face          string         `json:"face"`
	Method        string         `json:"method"`
	Path          string         `json:"path"`
	ContentType   string         `json:"content_type"`
	Authorization string         `json:"authorization"`
	BearerSHA256  string         `json:"bearer_sha256"`
	Body          map[string]any `json:"body"`
	Audience      string         `json:"audience"`
	Status        *int           `json:"status"`
}

func emulatorBinary() (string, error) {
	path := os.Getenv("VD_BROKER_EMULATOR")
	if path == "" {
		path = filepath.Join("..", "..", "target", "debug", "vd-broker-emulator")
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("the broker emulator is missing (%v): run `cargo build --bins` at the repository root, or set VD_BROKER_EMULATOR", err)
	}
	return path, nil
}

func launchEmulator(args ...string) (*emulator, error) {
	binary, err := emulatorBinary()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, append([]string{"--port", "0", "--quiet", "--exit-with-stdin"}, args...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &emulator{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	const announce = "vd-broker-emulator listening on "
	if err != nil || !strings.HasPrefix(line, announce) {
		e.stop()
		return nil, fmt.Errorf("the emulator did not announce its URL (read %q: %v)", line, err)
	}
	e.URL = strings.TrimSpace(strings.TrimPrefix(line, announce))
	parsed, err := url.Parse(e.URL)
	if err != nil {
		e.stop()
		return nil, err
	}
	e.control = parsed.Scheme + "://" + parsed.Host
	return e, nil
}

// startEmulator gives a test its own emulator, for faults, settings and
// request counts that no other test may disturb.
func startEmulator(tb testing.TB, args ...string) *emulator {
	tb.Helper()
	e, err := launchEmulator(args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(e.stop)
	return e
}

func (e *emulator) stop() {
	e.stdin.Close()
	e.cmd.Wait()
}

func (e *emulator) call(tb testing.TB, method, path string, body any) []byte {
	tb.Helper()
	var payload io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		payload = bytes.NewReader(encoded)
	}
	request, err := http.NewRequest(method, e.control+path, payload)
	if err != nil {
		tb.Fatal(err)
	}
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		tb.Fatalf("emulator control %s %s: %v", method, path, err)
	}
	defer response.Body.Close()
	answer, err := io.ReadAll(response.Body)
	if err != nil || response.StatusCode/100 != 2 {
		tb.Fatalf("emulator control %s %s: %d %s (%v)", method, path, response.StatusCode, answer, err)
	}
	return answer
}

// fault queues a misbehaviour for the next token requests (see the
// emulator's --help for the fields).
func (e *emulator) fault(tb testing.TB, spec map[string]any) {
	tb.Helper()
	e.call(tb, http.MethodPost, "/_emulator/faults", spec)
}

func (e *emulator) set(tb testing.TB, settings map[string]any) {
	tb.Helper()
	e.call(tb, http.MethodPut, "/_emulator/settings", settings)
}

func (e *emulator) requests(tb testing.TB) []recorded {
	tb.Helper()
	var log struct {
		Requests []recorded `json:"requests"`
	}
	if err := json.Unmarshal(e.call(tb, http.MethodGet, "/_emulator/requests", nil), &log); err != nil {
		tb.Fatal(err)
	}
	return log.Requests
}

// requestsWith are the requests that carried bearer, on an emulator other
// tests share.
func (e *emulator) requestsWith(tb testing.TB, bearer string) []recorded {
	tb.Helper()
	var mine []recorded
	for _, r := range e.requests(tb) {
		if r.BearerSHA256 == sha256Hex(bearer) {
			mine = append(mine, r)
		}
	}
	return mine
}

// wantRequests checks how many token requests the emulator has answered:
// those with bearer, or all of them for "".
func (e *emulator) wantRequests(tb testing.TB, bearer string, want int) {
	tb.Helper()
	seen := e.requests(tb)
	if bearer != "" {
		seen = e.requestsWith(tb, bearer)
	}
	if len(seen) != want {
		tb.Errorf("the broker answered %d token requests, want %d", len(seen), want)
	}
}

// awaitRequests waits until the emulator has answered n requests: a native
// call abandoned by its context is still running, and a test must not end
// (and stop the emulator) under it.
func (e *emulator) awaitRequests(tb testing.TB, n int) {
	tb.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if len(e.requests(tb)) >= n {
			return
		}
	}
	tb.Fatalf("the emulator did not answer %d requests within 20 s", n)
}
