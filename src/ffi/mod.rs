//! The C ABI: every `vd_broker_*` export, and nothing else.
//!
//! Rules every export keeps (see `include/vd_broker.h`):
//! - it returns a `vd_broker_status` (except the free functions and
//!   constructors, which cannot fail in a way a caller could act on);
//! - the preferred calls (`create`, `token`) hand out library-owned objects
//!   (`vd_broker_token`, `vd_broker_error`) with one free call each, so a
//!   binding needs no buffer sizing and allocates nothing on success;
//! - no panic crosses it: `boundary::call` turns one into
//!   `VD_BROKER_ERR_PANIC`;
//! - NULL and non-UTF-8 strings are errors, never crashes;
//! - outputs are written only on success, never past the capacity given.

#![allow(non_camel_case_types)]

pub(crate) mod args;
pub(crate) mod boundary;
pub mod client;
pub mod create;
pub mod default_client;
pub mod diagnostics;
pub mod error_object;
pub mod log;
pub mod odbc;
pub mod options;
pub mod status;
pub mod token;
