//! The process cache under many keys: the warm hit at 1 to 1 000 keys round
//! robin (one client and bearer file, one audience per key, so only the
//! cache's share of the call changes), the broker requests after the first
//! round, and the resident memory over a million warm calls.

use std::ffi::CString;
use std::path::Path;
use std::time::Instant;

use crate::cabi::{Caches, NativeClient};
use crate::measure::{against_floor, Row};

const KEYS: usize = 1_000;
/// 257 was the old cache's cliff: one key more than it held.
const ROUND_ROBINS: [usize; 4] = [10, 100, 257, KEYS];
const WARM_CALLS: u32 = 100_000;
const RSS_CALLS: u32 = 1_000_000;

pub fn rows(broker_url: &str, origin: &str, dir: &Path) -> Vec<Row> {
    let path = dir.join("credential-keys");
    std::fs::write(&path, format!("vd_iat_keys{:016x}\n", fastrand::u64(..))).unwrap();
    let audiences: Vec<(String, String)> =
        (0..KEYS).map(|n| (format!("https://bench{n}.example"), format!("bench-audience-{n}"))).collect();
    let scopes: Vec<CString> = audiences.iter().map(|(resource, _)| CString::new(format!("{resource}/.default")).unwrap()).collect();
    let client = NativeClient::with_audiences(broker_url, path.to_str().unwrap(), Caches::Process, &audiences);
    let mut buf = vec![0u8; 16384];
    let mut rows = Vec::new();

    crate::forget_requests(origin);
    for scope in &scopes {
        client.get_token_for(scope, &mut buf);
    }
    let first_round = crate::broker_requests(origin);

    let mut one_buf = vec![0u8; 16384];
    let mut one = || client.get_token_for(&scopes[0], &mut one_buf);
    for keys in ROUND_ROBINS {
        let mut next = 0;
        let (one_time, many_time) = against_floor(WARM_CALLS, 100, &mut one, || {
            client.get_token_for(&scopes[next], &mut buf);
            next = (next + 1) % keys;
        });
        if keys == ROUND_ROBINS[0] {
            rows.push(Row::measured("C ABI, warm, 1 key", one_time, WARM_CALLS, "process cache only; the floor of the rows below"));
        }
        let ratio = many_time.as_secs_f64() / one_time.as_secs_f64();
        rows.push(Row::measured(
            &format!("C ABI, warm, {keys} keys round robin"),
            many_time,
            WARM_CALLS,
            format!("{ratio:.2}× 1 key (target ≤ 1.1×)"),
        ));
    }
    let after = crate::broker_requests(origin) - first_round;
    rows.push(Row::skipped(
        &format!("C ABI, {KEYS} keys round robin: broker requests"),
        format!("{first_round} in the first round, {after} after it (target 0)"),
    ));

    // Resident memory over a million warm calls, across every key.
    let before = resident_kib();
    let started = Instant::now();
    for n in 0..RSS_CALLS as usize {
        client.get_token_for(&scopes[n % KEYS], &mut buf);
    }
    let elapsed = started.elapsed();
    let grown = resident_kib().saturating_sub(before);
    rows.push(Row::measured(
        &format!("C ABI, {RSS_CALLS} warm calls over {KEYS} keys"),
        elapsed / RSS_CALLS,
        RSS_CALLS,
        format!("resident memory grew {grown} KiB (target 0)"),
    ));
    rows
}

/// This process's resident set (VmRSS), in KiB.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
