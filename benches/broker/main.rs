//! The benchmark: every way of getting a token, side by side, in one run
//! against one emulator, printed as one table.
//!
//!     cargo bench --bench broker
//!
//! Each of the C ABI's warm and cold paths is measured interleaved with its
//! floor: one open+read+close of the bearer file, and one stat() + pread()
//! of it (how a warm call checked the file before its watch told it), and a bare keep-alive HTTP round trip to the
//! same broker (a cold call must make one) — the cold one twice, with the
//! caller pinned to another core than the broker's and to the same core
//! (see `placement`). The warm hit is measured again against the same with
//! the shared cache off, and a new process's first call with the token in
//! the shared cache against one that asks the broker (see `first_call`).
//! The warm hit at 1 to 1 000 keys round robin, and the resident memory over
//! a million calls, follow the threads (see `cache_keys`).
//! Then 64 threads on one audience, the local endpoint (`vd-broker serve`,
//! see `endpoint`), and the Python and Go runtimes.

mod cabi;
mod cache_keys;
mod endpoint;
mod external;
mod first_call;
mod floors;
mod golang;
mod measure;
mod placement;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use cabi::{Caches, NativeClient};
use measure::{against_floor, micros, print_table, Row};

const WARM_CALLS: u32 = 100_000;
const COLD_CALLS: u32 = 2_000;
/// Forked processes per first-call row.
const FIRST_CALLS: u32 = 200;
const ENDPOINT_CALLS: u32 = 20_000;
const THREADS: u32 = 64;
const CALLS_PER_THREAD: u32 = 10_000;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cpus = placement::allowed();
    // The broker on the last CPU, callers on the first (or, for the
    // same-core rows, on the broker's).
    let broker_cpu = cpus.last().copied().filter(|_| cpus.len() >= 2);
    let (mut emulator, broker_url) = start_emulator(broker_cpu);
    let origin: String = broker_url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
    // Production keeps the bearer on tmpfs; so does the benchmark, where it can.
    let shm = Path::new("/dev/shm");
    let dir = tempfile::Builder::new().prefix("vd-broker-bench").tempdir_in(if shm.is_dir() { shm } else { Path::new(".") }).unwrap();
    let bearer_path = dir.path().join("credential");
    let bearer = format!("vd_iat_bench{:016x}", fastrand::u64(..));
    std::fs::write(&bearer_path, format!("{bearer}\n")).unwrap();
    let file = bearer_path.to_str().unwrap();
    // The shared token cache of this run; the runtimes run below inherit it.
    let shared_dir = dir.path().join("shared-cache");
    std::env::set_var("VD_BROKER_CACHE_DIR", &shared_dir);
    let shared = Caches::Shared(shared_dir.to_str().unwrap());
    let mut buf = vec![0u8; 16384];
    let mut rows = Vec::new();

    let warm = NativeClient::new(&broker_url, file, shared);
    let (file_floor, warm_beside_it) =
        against_floor(WARM_CALLS, 100, || floors::read_bearer_file(&bearer_path), || warm.get_token(&mut buf));
    rows.push(Row::measured(
        "floor: open + read + close of the bearer file",
        file_floor,
        WARM_CALLS,
        format!("re-reading the file plainly; the warm hit beside it: {:.2}× it", warm_beside_it.as_secs_f64() / file_floor.as_secs_f64()),
    ));
    // The warm hit's goal: its watch tells it the file is unchanged, for
    // less than the look at the file a warm call made before.
    let held = std::fs::File::open(&bearer_path).unwrap();
    let (check_floor, warm_time) =
        against_floor(WARM_CALLS, 100, || floors::stat_and_pread(&bearer_path, &held), || warm.get_token(&mut buf));
    rows.push(Row::measured("floor: one stat() + pread() of the bearer file", check_floor, WARM_CALLS, "how a warm call checked the file before it was watched"));
    rows.push(Row::measured(
        "C ABI, warm (cache hit)",
        warm_time,
        WARM_CALLS,
        format!("{:.2}× one stat() + pread() of the bearer file (target ≤ 0.5×)", warm_time.as_secs_f64() / check_floor.as_secs_f64()),
    ));
    // A process-cache hit never looks at the shared cache: the same with it off.
    let warm_unshared = NativeClient::new(&broker_url, file, Caches::Process);
    let mut other_buf = vec![0u8; 16384];
    let (unshared_time, shared_time) =
        against_floor(WARM_CALLS, 100, || warm_unshared.get_token(&mut other_buf), || warm.get_token(&mut buf));
    rows.push(Row::measured("C ABI, warm, shared cache off", unshared_time, WARM_CALLS, "the process cache alone"));
    rows.push(Row::measured("C ABI, warm, shared cache on", shared_time, WARM_CALLS, format!("{:.2}× the same with it off (target 1×)", shared_time.as_secs_f64() / unshared_time.as_secs_f64())));

    let placements = match broker_cpu {
        Some(broker) => vec![(Some(cpus[0]), "broker on another core"), (Some(broker), "broker on the same core")],
        None => vec![(None, "one CPU")],
    };
    for (caller_cpu, placement) in placements {
        if let Some(cpu) = caller_cpu {
            placement::run_this_thread_on(&[cpu]).expect("caller pinned");
        }
        // New connections for each placement, so each is served afresh.
        let mut raw = floors::RawClient::connect(&format!("{broker_url}/token"), &bearer);
        let cold = NativeClient::new(&broker_url, file, Caches::Off);
        let (raw_time, cold_time) = against_floor(COLD_CALLS, 1, || raw.round_trip(), || cold.get_token(&mut buf));
        rows.push(Row::measured(
            &format!("floor: bare keep-alive HTTP round trip to the broker ({placement})"),
            raw_time,
            COLD_CALLS,
            "the library's request less its User-Agent, hand-written client",
        ));
        rows.push(Row::measured(
            &format!("C ABI, cold: a broker request per call, cache off ({placement})"),
            cold_time,
            COLD_CALLS,
            ratio(cold_time, raw_time, "the HTTP floor"),
        ));
    }
    // Everything from here runs where the scheduler puts it.
    if broker_cpu.is_some() {
        placement::run_this_thread_on(&cpus).expect("caller unpinned");
    }

    let (from_file, from_broker) = first_call::shared_against_broker(FIRST_CALLS, &warm, &warm_unshared, &mut buf);
    rows.push(Row::measured("first call in a new (forked) process, shared cache off", from_broker, FIRST_CALLS, "a connection and a broker request of its own"));
    rows.push(Row::measured(
        "first call in a new (forked) process, token minted by another",
        from_file,
        FIRST_CALLS,
        format!("read from the shared cache: {:.2}× the broker's", from_file.as_secs_f64() / from_broker.as_secs_f64()),
    ));

    rows.push(many_threads(&broker_url, &origin, dir.path()));
    rows.extend(cache_keys::rows(&broker_url, &origin, dir.path()));

    let target = external::Target {
        root: &root,
        broker_url: &broker_url,
        credential_file: &bearer_path,
        library: &root.join("target/release/libvd_broker.so"),
    };
    rows.extend(endpoint::rows(&target, &warm, &mut buf, ENDPOINT_CALLS));
    rows.extend(external::old_python(&target, 1_000));
    rows.extend(external::python_binding(&target, 10_000));
    rows.extend(golang::binding_rows(&target));

    println!("{}", machine());
    println!();
    print_table(&rows);
    let _ = emulator.kill();
}

/// 64 threads × 10 000 calls on one client and audience, with a bearer no
/// other measurement used: the broker should see exactly one request.
fn many_threads(broker_url: &str, origin: &str, dir: &Path) -> Row {
    let path = dir.join("credential-threads");
    std::fs::write(&path, format!("vd_iat_threads{:016x}\n", fastrand::u64(..))).unwrap();
    // Forget the cold rows' thousands of requests: only these are counted.
    forget_requests(origin);
    let client = Arc::new(NativeClient::new(broker_url, path.to_str().unwrap(), Caches::Process));
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 16384];
                for _ in 0..CALLS_PER_THREAD {
                    client.get_token(&mut buf);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let total = THREADS * CALLS_PER_THREAD;
    let elapsed = started.elapsed();
    let requests = broker_requests(origin);
    Row::measured(
        &format!("C ABI, {THREADS} threads × {CALLS_PER_THREAD} calls, one audience"),
        elapsed / total,
        total,
        format!("broker requests: {requests}; wall {:.2} s", elapsed.as_secs_f64()),
    )
}

fn forget_requests(origin: &str) {
    ureq::delete(&format!("{origin}/_emulator/requests")).call().expect("emulator answers");
}

fn broker_requests(origin: &str) -> u64 {
    let mut answer = ureq::get(&format!("{origin}/_emulator/requests")).call().expect("emulator answers");
    // The log lists every request: long after a run of misses.
    let text = answer.body_mut().with_config().limit(u64::MAX).read_to_string().unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    body["count"].as_u64().unwrap()
}

fn ratio(measured: std::time::Duration, floor: std::time::Duration, what: &str) -> String {
    format!("{:.2}× {what} (target ≤ 1.5×)", measured.as_secs_f64() / floor.as_secs_f64())
}

fn start_emulator(cpu: Option<usize>) -> (Child, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker-emulator"));
    if let Some(cpu) = cpu {
        placement::pin_command(&mut command, cpu);
    }
    let mut child = command
        .args(["--port", "0", "--quiet", "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    (child, url)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let rustc = Command::new("rustc").arg("--version").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    format!(
        "machine: {cpu}, {cores} cores, {}; {rustc}; release build; medians of {} rounds (warm-up first). Units: {}",
        std::env::consts::OS,
        measure::ROUNDS,
        micros(std::time::Duration::from_micros(1))
    )
}
