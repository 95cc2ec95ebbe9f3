package vdbroker_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// shared is the emulator of tests that only mint: they tell their requests
// apart by their own bearer.
var shared *emulator

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "vdbroker-go-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	// Nothing from the machine the tests run on may steer the library: no
	// runtime-access helper found by accident, no cache switch, no lane.
	for _, name := range []string{"VD_AZ_TOKEN_URL", "VD_CREDENTIAL_LANE", "VD_CREDENTIAL_CONFIGURATION_REVISION", "VD_BROKER_CACHE"} {
		os.Unsetenv(name)
	}
	os.Setenv("VD_RUNTIME_ACCESS_SOCKET", filepath.Join(dir, "no-helper.sock"))

	if shared, err = launchEmulator(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer shared.stop()

	// The environment of a Studio agent container, for NewCredential(nil)
	// and the examples.
	bearerPath := filepath.Join(dir, "credential")
	if err := os.WriteFile(bearerPath, []byte(randomBearer()+"\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("VD_CREDENTIAL_BROKER_URL", shared.URL)
	os.Setenv("VD_CREDENTIAL_FILE", bearerPath)

	return m.Run()
}
