//go:build !cgo

package vdbroker

// This package calls the native vd_broker library through cgo. Without cgo
// (CGO_ENABLED=0, or cross-compiling without a C compiler) the build stops
// here with the cause in its message, instead of at the first name only the
// cgo files define. A type, not a variable: the compiler checks types first,
// so this is the first error it reports.
type _ vdbroker_needs_cgo__build_with_CGO_ENABLED_1_and_a_C_compiler
