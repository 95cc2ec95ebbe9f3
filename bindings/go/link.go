package vdbroker

// How cgo finds the native library: through pkg-config's vd_broker.pc
// (link_shared.go; link_static.go for `-tags static`), so a build needs no
// CGO_* variables, only PKG_CONFIG_PATH when the library's prefix is not one
// pkg-config searches by default. The header is this module's own copy,
// include/vd_broker.h, placed before pkg-config's include path: the Go code
// compiles against the declarations it was written for, and the module
// carries them (CI checks the copy against the repository's include/).

// #cgo CPPFLAGS: -I${SRCDIR}/include
// #include "vd_broker.h"
import "C"

// Version is the version of the native library this program runs with,
// e.g. "0.1.0".
func Version() string {
	return C.GoString(C.vd_broker_version())
}
