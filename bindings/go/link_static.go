//go:build cgo && static

package vdbroker

// `go build -tags static` links libvd_broker.a into the program.
// pkg-config --static adds the system libraries the archive needs
// (Libs.private). -l:libvd_broker.a names the archive itself, because
// pkg-config's -lvd_broker would pick the shared library beside it; with
// --as-needed that -lvd_broker then records no dependency on it.

// #cgo pkg-config: --static vd_broker
// #cgo LDFLAGS: -l:libvd_broker.a -Wl,--as-needed
import "C"
