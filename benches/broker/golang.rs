//! The Go rows: the binding's own `testing.B` benchmarks (bindings/go), and
//! the binding against azidentity's ManagedIdentityCredential in one
//! `go test -bench` run (benches/go), while `vd-broker serve` answers
//! azidentity. cgo finds the release library as a user's build does,
//! through pkg-config: a vd_broker.pc written for target/release.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::external::{run, Target};
use crate::measure::Row;

/// The target the peers are held to: ours at most this × azidentity's.
const PEER_TARGET: f64 = 0.75;

/// The binding's GetToken benchmarks (warm and cold) over this build.
pub fn binding_rows(t: &Target<'_>) -> Vec<Row> {
    let name = "Go binding";
    let mut command = match go_test(t, "bindings/go", name) {
        Ok(command) => command,
        Err(row) => return vec![row],
    };
    let lib_dir = t.library.parent().expect("library dir");
    command
        .args(["-run", "^$", "-bench", "GetToken", "-benchtime", "2000x", "-count", "1", "."])
        .env("VD_BROKER_EMULATOR", lib_dir.join("vd-broker-emulator"))
        .env("VD_BROKER_BENCH_BROKER_URL", t.broker_url)
        .env("VD_BROKER_BENCH_CREDENTIAL_FILE", t.credential_file);
    match run(&mut command, name) {
        Ok(out) => medians(&String::from_utf8_lossy(&out))
            .into_iter()
            .map(|(label, (ns, calls))| Row::measured(&format!("Go binding, {label}"), nanos(ns), calls, "testing.B"))
            .collect(),
        Err(row) => vec![row],
    }
}

/// azidentity's cached hit, our warm GetToken with a context that cannot
/// end and with a deadline, and the bare cgo call under ours: medians of
/// interleaved rounds of one run, ours as a ratio of azidentity's.
pub fn peer_rows(t: &Target<'_>, endpoint: &str, header: &str) -> Vec<Row> {
    let name = "Go: azidentity against the binding";
    let mut command = match go_test(t, "benches/go", name) {
        Ok(command) => command,
        Err(row) => return vec![row],
    };
    command
        .args(["-run", "^$", "-bench", "Peers", "-benchtime", "20000x", "-count", "1", "."])
        .env("IDENTITY_ENDPOINT", endpoint)
        .env("IDENTITY_HEADER", header)
        .env("VD_BROKER_BENCH_BROKER_URL", t.broker_url)
        .env("VD_BROKER_BENCH_CREDENTIAL_FILE", t.credential_file)
        .env_remove("AZURE_CLIENT_ID");
    let output = match run(&mut command, name) {
        Ok(out) => String::from_utf8_lossy(&out).into_owned(),
        Err(row) => return vec![row],
    };
    let found = medians(&output);
    let (Some(&(theirs, calls)), Some(&(bare, _))) =
        (found.get("Peers/azidentity_cached_hit"), found.get("Peers/bare_cgo_fetch_token"))
    else {
        return vec![Row::skipped(name, "not measured: go test printed no azidentity or bare row")];
    };
    let mut rows = vec![Row::measured(
        "Go: azidentity ManagedIdentityCredential, cached hit (its own cache)",
        nanos(theirs),
        calls,
        "through vd-broker serve; medians of interleaved rounds, one go test run",
    )];
    for (label, key) in [("context.Background()", "Peers/ours_background"), ("a deadline ctx", "Peers/ours_deadline")] {
        if let Some(&(ours, calls)) = found.get(key) {
            rows.push(Row::measured(
                &format!("Go binding GetToken, warm, {label}"),
                nanos(ours),
                calls,
                format!(
                    "{:.2}× azidentity's cached hit, same run (target ≤ {PEER_TARGET}×); binding's own {:.2} µs over the bare call",
                    ours / theirs,
                    (ours - bare) / 1e3
                ),
            ));
        }
    }
    rows.push(Row::measured(
        "Go: bare cgo call, vd_broker_client_fetch_token + token_free",
        nanos(bare),
        calls,
        "the floor under GetToken, same run",
    ));
    rows
}

/// `go test` in `dir`, cgo pointed at the release library through a
/// vd_broker.pc (tools/write-pc.sh) and no CGO_* flags.
fn go_test(t: &Target<'_>, dir: &str, name: &str) -> Result<Command, Row> {
    let module = t.root.join(dir);
    if !module.join("go.mod").exists() {
        return Err(Row::skipped(name, format!("not measured: {dir} is missing")));
    }
    let pc_dir = write_pc(t).map_err(|why| Row::skipped(name, format!("not measured: {why}")))?;
    let mut command = Command::new("go");
    command
        .current_dir(module)
        .arg("test")
        .env("PKG_CONFIG_PATH", pc_dir)
        .env("CGO_ENABLED", "1")
        .env_remove("CGO_CFLAGS")
        .env_remove("CGO_CPPFLAGS")
        .env_remove("CGO_LDFLAGS");
    Ok(command)
}

/// target/bench/pkgconfig/vd_broker.pc for the release build, with an rpath.
fn write_pc(t: &Target<'_>) -> Result<PathBuf, String> {
    let dir = t.root.join("target/bench/pkgconfig");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lib_dir = t.library.parent().expect("library dir");
    let out = Command::new("bash")
        .arg(t.root.join("tools/write-pc.sh"))
        .args([Path::new("--prefix"), t.root, Path::new("--libdir"), lib_dir, Path::new("--includedir")])
        .arg(t.root.join("include"))
        .arg("--rpath")
        .output()
        .map_err(|e| format!("cannot run tools/write-pc.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!("tools/write-pc.sh: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    std::fs::write(dir.join("vd_broker.pc"), out.stdout).map_err(|e| format!("cannot write vd_broker.pc: {e}"))?;
    Ok(dir)
}

/// Each benchmark's median ns/op over its rounds, and its calls per round,
/// from lines such as "BenchmarkPeers/ours_deadline#02-2   20000   1234 ns/op"
/// (b.Run numbers a repeated name "#01", "#02"...; "-2" is GOMAXPROCS).
fn medians(output: &str) -> BTreeMap<String, (f64, u64)> {
    let mut runs: BTreeMap<String, (Vec<f64>, u64)> = BTreeMap::new();
    for line in output.lines() {
        let mut fields = line.split_whitespace();
        let (Some(bench), Some(calls), Some(ns), Some("ns/op")) = (fields.next(), fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let (Some(bench), Ok(calls), Ok(ns)) = (bench.strip_prefix("Benchmark"), calls.parse::<u64>(), ns.parse::<f64>()) else {
            continue;
        };
        let bench = bench.rsplit_once('-').map_or(bench, |(name, _)| name);
        let bench = bench.split_once('#').map_or(bench, |(name, _)| name);
        let entry = runs.entry(bench.to_string()).or_default();
        entry.0.push(ns);
        entry.1 = calls;
    }
    runs.into_iter()
        .map(|(name, (mut times, calls))| {
            times.sort_by(f64::total_cmp);
            (name, (times[times.len() / 2], calls))
        })
        .collect()
}

fn nanos(ns: f64) -> Duration {
    Duration::from_secs_f64(ns / 1e9)
}
