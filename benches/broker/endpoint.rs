//! The local endpoint, `vd-broker serve`, measured: a warm request from a
//! keep-alive client interleaved with a warm C ABI call; azure-identity's
//! own cached hit interleaved with the Python binding's warm calls, in one
//! process (see `benches/serve_python_bench.py`), and a fresh credential per
//! call (one endpoint request each); and wrk at 64 connections (p50, p99,
//! requests/s).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::cabi::NativeClient;
use crate::external::{json_rows, run, Target};
use crate::floors::RawClient;
use crate::measure::{against_floor, Row};

const RESOURCE: &str = "https://storage.azure.com";
const WRK_CONNECTIONS: u32 = 64;

/// A running `vd-broker serve` (release build), stopped when dropped.
pub struct Served {
    child: Child,
    url: String,
    header: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(t: &Target<'_>) -> Result<Served, String> {
    let program = t.library.with_file_name("vd-broker");
    let mut child = Command::new(&program)
        .arg("serve")
        .env("VD_CREDENTIAL_BROKER_URL", t.broker_url)
        .env("VD_CREDENTIAL_FILE", t.credential_file)
        .env("VD_RUNTIME_ACCESS_SOCKET", "/nonexistent/vd-broker-bench.sock")
        .stdout(Stdio::piped())
        // The request log costs its write per request, as it does in use.
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut value = |prefix: &str| lines.next().and_then(Result::ok).and_then(|l| l.strip_prefix(prefix).map(str::to_string));
    match (value("IDENTITY_ENDPOINT="), value("IDENTITY_HEADER=")) {
        (Some(endpoint), Some(header)) => {
            Ok(Served { child, url: format!("{endpoint}?api-version=2019-08-01&resource={RESOURCE}"), header })
        }
        _ => Err("vd-broker serve printed no endpoint".into()),
    }
}

pub fn rows(t: &Target<'_>, warm: &NativeClient, buf: &mut [u8], calls: u32) -> Vec<Row> {
    let served = match start(t) {
        Ok(served) => served,
        Err(why) => return vec![Row::skipped("vd-broker serve", format!("not measured: {why}"))],
    };
    let mut client = RawClient::get(&served.url, ("X-IDENTITY-HEADER", &served.header));
    let (c_time, endpoint_time) = against_floor(calls, 100, || warm.get_token(buf), || client.round_trip());
    let mut rows = vec![
        Row::measured("C ABI, warm (beside the endpoint)", c_time, calls, "the same token in-process"),
        Row::measured(
            "vd-broker serve, warm: GET from a keep-alive client",
            endpoint_time,
            calls,
            format!("{:.0}× the C ABI's warm call: a loopback HTTP round trip", endpoint_time.as_secs_f64() / c_time.as_secs_f64()),
        ),
    ];
    rows.extend(python_peers(t, &served));
    rows.extend(crate::golang::peer_rows(t, served.url.split('?').next().expect("a URL"), &served.header));
    rows.extend(wrk(&served));
    rows
}

/// azure-identity's ManagedIdentityCredential through the endpoint, and the
/// Python binding (this build's library) against the broker serve uses, in
/// one Python process.
fn python_peers(t: &Target<'_>, served: &Served) -> Vec<Row> {
    let endpoint = served.url.split('?').next().expect("a URL");
    let mut command = Command::new("python3");
    command
        .arg(t.root.join("benches/serve_python_bench.py"))
        .args(["--broker-url", t.broker_url, "--credential-file"])
        .arg(t.credential_file)
        .env("IDENTITY_ENDPOINT", endpoint)
        .env("IDENTITY_HEADER", &served.header)
        .env_remove("AZURE_CLIENT_ID")
        .env("PYTHONPATH", t.root.join("bindings/python/src"))
        .env("VD_BROKER_LIBRARY", t.library);
    run(&mut command, "azure-identity and the Python binding").map(|out| json_rows(&out)).unwrap_or_else(|row| vec![row])
}

/// wrk at 64 connections for 5 s: p50 and p99 latency, requests/s.
fn wrk(served: &Served) -> Vec<Row> {
    let name = format!("vd-broker serve under wrk, {WRK_CONNECTIONS} connections");
    let header = format!("X-IDENTITY-HEADER: {}", served.header);
    let connections = WRK_CONNECTIONS.to_string();
    let mut command = Command::new("wrk");
    command.args(["-t2", "-c", &connections, "-d5s", "--latency", "-H", &header, &served.url]);
    let output = match run(&mut command, &name) {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(row) => return vec![Row::skipped(&name, format!("{} (Debian's package `wrk`)", row.note))],
    };
    let percentile = |p: &str| {
        output.lines().map(str::trim).find_map(|l| l.strip_prefix(p)).and_then(|v| parse_wrk_duration(v.trim()))
    };
    let (requests, errors) = wrk_counts(&output);
    match (percentile("50%"), percentile("99%")) {
        (Some(p50), Some(p99)) => vec![
            Row::measured(&format!("{name}: p50 latency"), p50, requests, format!("{:.0} requests/s", requests_per_second(&output))),
            Row::measured(&format!("{name}: p99 latency"), p99, requests, format!("non-2xx or errors: {errors}")),
        ],
        _ => vec![Row::skipped(&name, "not measured: wrk printed no latency distribution")],
    }
}

/// "512.00us", "1.20ms", "2.00s".
fn parse_wrk_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

fn requests_per_second(output: &str) -> f64 {
    output.lines().find_map(|l| l.strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0)
}

/// Requests made, and those that were not 2xx or failed ("Non-2xx",
/// "Socket errors").
fn wrk_counts(output: &str) -> (u64, String) {
    let requests = output
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let errors: Vec<&str> =
        output.lines().map(str::trim).filter(|l| l.starts_with("Non-2xx") || l.starts_with("Socket errors")).collect();
    (requests, if errors.is_empty() { "0".into() } else { errors.join("; ") })
}
