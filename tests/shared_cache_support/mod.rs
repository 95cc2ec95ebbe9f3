//! The shared cache's tests' processes: `vd-broker token` run against the
//! emulator with one cache directory, and what they leave in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::{BearerFile, Emulator};

pub const SQL: &str = "https://database.windows.net/.default";

/// `vd-broker token SQL` in a process of its own, sharing `cache_dir`.
pub fn command(emulator: &Emulator, file: &BearerFile, cache_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker"));
    for name in ["VD_AZ_TOKEN_URL", "VD_CREDENTIAL_LANE", "VD_CREDENTIAL_CONFIGURATION_REVISION", "VD_BROKER_CACHE", "VD_BROKER_SHARED_CACHE"] {
        command.env_remove(name);
    }
    command
        .env("VD_CREDENTIAL_BROKER_URL", &emulator.url)
        .env("VD_CREDENTIAL_FILE", &file.path)
        .env("VD_RUNTIME_ACCESS_SOCKET", "/nonexistent/vd-broker-test.sock")
        .env("VD_BROKER_CACHE_DIR", cache_dir)
        .args(["token", SQL])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// The token another process got.
pub fn token_from_another_process(emulator: &Emulator, file: &BearerFile, cache_dir: &Path) -> String {
    let output = command(emulator, file, cache_dir).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<_> = listing
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
}

pub fn the_entry(dir: &Path) -> PathBuf {
    let entries = files_ending(dir, ".token");
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

/// The tokens 8 processes started at once got.
pub fn tokens_of_eight_processes(emulator: &Emulator, file: &BearerFile, dir: &Path) -> Vec<String> {
    let children: Vec<Child> = (0..8).map(|_| command(emulator, file, dir).spawn().unwrap()).collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8(output.stdout).unwrap().trim().to_string()
        })
        .collect()
}
