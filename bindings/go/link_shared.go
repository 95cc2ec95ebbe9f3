//go:build cgo && !static

package vdbroker

// #cgo pkg-config: vd_broker
import "C"
