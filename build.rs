//! Generates `include/vd_broker.h` from the C ABI in `src/ffi` with cbindgen,
//! and keeps the shared library's exports to `vd_broker_*`.
//!
//! The header is generated into `OUT_DIR` and copied to `include/` only when
//! its text changed, so a build of an unchanged tree (and `cargo package`'s
//! verification build, which must not touch the source) writes nothing. CI
//! fails when the committed header differs from what this generates.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));

    // Absolute paths: two copies of the crate (the repository and an
    // unpacked sdist, say) sharing one CARGO_TARGET_DIR look alike to cargo,
    // so with relative paths one copy would take the other's output as
    // fresh, with its absolute --version-script path, gone once pip removes
    // its build directory. A recorded path that no longer exists reruns this.
    for input in ["src/ffi", "cbindgen.toml", "vd_broker.map"] {
        println!("cargo:rerun-if-changed={}", crate_dir.join(input).display());
    }

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let generated = out_dir.join("vd_broker.h");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write_to_file(&generated);

    let committed = crate_dir.join("include").join("vd_broker.h");
    let fresh = fs::read(&generated).expect("generated header readable");
    if fs::read(&committed).ok().as_deref() != Some(fresh.as_slice()) {
        fs::create_dir_all(committed.parent().expect("include/")).expect("include/ creatable");
        fs::write(&committed, &fresh).expect("include/vd_broker.h writable");
    }

    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let script = crate_dir.join("vd_broker.map");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", script.display());
    }
}
