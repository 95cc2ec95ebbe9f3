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

// `enum vd_broker_status` from the one status list (src/status_list.rs),
// written as cbindgen writes an `#[repr(i32)]` enum: cbindgen cannot see
// through a macro, and the list must stay the only place the codes are.
macro_rules! status_list {
    ($($code:literal $name:ident $kind:ident [$($class:ident)*] $description:literal;)*) => {
        fn status_enum() -> String {
            let mut variants = String::from("  /**\n   * Success.\n   */\n  VD_BROKER_OK = 0,\n");
            $(
                let classes: &[&str] = &[$(stringify!($class)),*];
                let class_line = match classes {
                    [] => String::new(),
                    _ => format!("\n   * Class: {}.", classes.join(", ")),
                };
                variants.push_str(&format!(
                    "  /**\n   * {}{}\n   */\n  VD_BROKER_{} = {},\n",
                    $description, class_line, stringify!($name), $code
                ));
            )*
            format!("{}{}{}", STATUS_ENUM_HEAD, variants, STATUS_ENUM_TAIL)
        }
    };
}

include!("src/status_list.rs");

const STATUS_ENUM_HEAD: &str = "
/**
 * The result of every `vd_broker_*` call that can fail. `VD_BROKER_OK` is 0;
 * every other value is a failure whose message is available from the call's
 * error object or buffer, or from `vd_broker_last_error_message`. Classify a
 * failure with the `vd_broker_status_is_*` functions rather than a table of
 * your own: codes are appended over time. A retired code keeps its number
 * reserved, named `VD_BROKER_ERR_RETIRED_*`.
 */
enum vd_broker_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
";

const STATUS_ENUM_TAIL: &str = "};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum vd_broker_status vd_broker_status;
#else
typedef int32_t vd_broker_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus
";

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));

    // Absolute paths: two copies of the crate (the repository and an
    // unpacked sdist, say) sharing one CARGO_TARGET_DIR look alike to cargo,
    // so with relative paths one copy would take the other's output as
    // fresh, with its absolute --version-script path, gone once pip removes
    // its build directory. A recorded path that no longer exists reruns this.
    for input in ["src/ffi", "src/status_list.rs", "cbindgen.toml", "vd_broker.map"] {
        println!("cargo:rerun-if-changed={}", crate_dir.join(input).display());
    }

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    config.after_includes = Some(status_enum());
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

    // `vd-broker --version` names the target it was built for: what a bug
    // report needs beside the version, now that packages exist for several.
    println!("cargo:rustc-env=VD_BROKER_BUILD_TARGET={}", env::var("TARGET").expect("set by cargo"));

    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let script = crate_dir.join("vd_broker.map");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", script.display());
    }
}
