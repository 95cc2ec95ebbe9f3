package vdbroker

// The library is found the cgo way: CGO_CFLAGS names the directory of
// vd_broker.h and CGO_LDFLAGS the directory of libvd_broker (or both come
// from `pkg-config vd_broker`); see the package documentation.

// #cgo LDFLAGS: -lvd_broker
// #include "vd_broker.h"
import "C"

// Version is the version of the native library this program runs with,
// e.g. "0.1.0".
func Version() string {
	return C.GoString(C.vd_broker_version())
}
