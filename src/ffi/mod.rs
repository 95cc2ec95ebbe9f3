//! The C ABI: every `vd_broker_*` export, and nothing else.
//!
//! Rules every export keeps (see `include/vd_broker.h`):
//! - it returns a `vd_broker_status` (except the free functions and
//!   constructors, which cannot fail in a way a caller could act on);
//! - no panic crosses it: `boundary::call` turns one into
//!   `VD_BROKER_ERR_PANIC`;
//! - NULL and non-UTF-8 strings are errors, never crashes;
//! - outputs are written only on success, never past the capacity given.

#![allow(non_camel_case_types)]

pub(crate) mod args;
pub(crate) mod boundary;
pub mod client;
pub mod default_client;
pub mod diagnostics;
pub mod log;
pub mod odbc;
pub mod options;
pub mod status;
