//! The same measurements from other runtimes, run as subprocesses against the
//! same emulator and bearer file: the old pure-Python credential and the
//! Python binding (the Go binding's are in `golang`). A runtime that is missing gives a row saying
//! why instead of a number.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::measure::Row;

/// Where the old credential is installed for the comparison.
const OLD_PACKAGE: &str = "vibedata-studio-azure-cred-broker==0.1.0";

pub struct Target<'a> {
    pub root: &'a Path,
    pub broker_url: &'a str,
    pub credential_file: &'a Path,
    pub library: &'a Path,
}

/// Rows from a script printing one JSON object per line:
/// `{"name": ..., "per_call_us": ..., "calls": ...}`.
pub fn json_rows(output: &[u8]) -> Vec<Row> {
    String::from_utf8_lossy(output)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|v| {
            let name = v["name"].as_str()?;
            let us = v["per_call_us"].as_f64()?;
            let calls = v["calls"].as_u64().unwrap_or(0);
            let note = v["note"].as_str().unwrap_or("").to_string();
            Some(Row::measured(name, Duration::from_secs_f64(us / 1e6), calls, note))
        })
        .collect()
}

pub fn run(command: &mut Command, name: &str) -> Result<Vec<u8>, Row> {
    match command.output() {
        Ok(out) if out.status.success() => Ok(out.stdout),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output");
            Err(Row::skipped(name, format!("not measured: {last}")))
        }
        Err(e) => Err(Row::skipped(name, format!("not measured: {e}"))),
    }
}

/// The old pure-Python credential (installed once into target/bench).
pub fn old_python(t: &Target<'_>, calls: u32) -> Vec<Row> {
    let name = "old pure-Python credential (0.1.0), per call";
    let site = t.root.join("target/bench/old-python");
    if !site.join("vibedata_studio_azure_cred_broker").exists() {
        let install = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"])
            .arg(&site)
            .arg(OLD_PACKAGE)
            .output();
        if !matches!(&install, Ok(out) if out.status.success()) {
            return vec![Row::skipped(name, format!("not measured: could not pip install {OLD_PACKAGE}"))];
        }
    }
    let mut command = Command::new("python3");
    command
        .arg(t.root.join("benches/old_python_bench.py"))
        .args(["--broker-url", t.broker_url, "--iterations", &calls.to_string(), "--credential-file"])
        .arg(t.credential_file)
        .env("PYTHONPATH", &site);
    run(&mut command, name).map(|out| json_rows(&out)).unwrap_or_else(|row| vec![row])
}

/// The Python binding over this build's library, cold (its warm calls are
/// measured beside azure-identity's: see `endpoint`).
pub fn python_binding(t: &Target<'_>, calls: u32) -> Vec<Row> {
    let name = "Python binding";
    let script = t.root.join("benches/python_bench.py");
    if !script.exists() {
        return vec![Row::skipped(name, "not measured: benches/python_bench.py is missing")];
    }
    let mut command = Command::new("python3");
    command
        .arg(script)
        .args(["--broker-url", t.broker_url, "--iterations", &calls.to_string(), "--credential-file"])
        .arg(t.credential_file)
        .env("PYTHONPATH", t.root.join("bindings/python/src"))
        .env("VD_BROKER_LIBRARY", t.library);
    run(&mut command, name).map(|out| json_rows(&out)).unwrap_or_else(|row| vec![row])
}
