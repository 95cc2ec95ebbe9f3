package vdbroker

// #include <stddef.h>
// #include <stdint.h>
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
)

// The core's events reach slog like this. The library's log callback is
// process-wide, while Options.Logger belongs to one credential, so the
// binding registers one C trampoline (handle.go) once, the first time a
// credential with a Logger is created, and tells it per call which logger
// is asking: each native call of a credential runs on one OS thread, which
// also runs the callbacks of that call's events, and the call's C wrapper
// keeps the credential's logger (a cgo.Handle) in a thread-local variable
// for its duration. Events of a credential without a Logger, and of other
// threads, are dropped there, in C. Several credentials with different
// loggers therefore each see exactly their own calls' events.

// The attributes every record carries, named as azidentity's log events
// are: the event class azidentity logs authentication under
// (log.EventAuthentication, "Authentication") and the credential's type,
// which azidentity prints as %T.
var (
	eventAttr      = slog.String("event", "Authentication")
	credentialAttr = slog.String("credential", "*vdbroker.Credential")
)

// slogLevels are the core's VD_BROKER_LOG_* levels (1 to 4) in slog's terms.
var slogLevels = [...]slog.Level{1: slog.LevelError, 2: slog.LevelWarn, 3: slog.LevelInfo, 4: slog.LevelDebug}

//export vdgoLogEvent
func vdgoLogEvent(logger C.uintptr_t, level C.int32_t, message *C.char, length C.size_t) {
	// A panicking handler must not unwind into the library.
	defer func() { _ = recover() }()
	l := cgo.Handle(logger).Value().(*slog.Logger)
	lvl := slog.LevelWarn
	if level >= 1 && int(level) < len(slogLevels) {
		lvl = slogLevels[level]
	}
	ctx := context.Background()
	if l.Enabled(ctx, lvl) {
		l.LogAttrs(ctx, lvl, C.GoStringN(message, C.int(length)), eventAttr, credentialAttr)
	}
}
