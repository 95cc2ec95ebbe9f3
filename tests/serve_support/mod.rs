//! `vd-broker serve` as a real process in front of the emulator, and a
//! plain HTTP client for it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::{BearerFile, Emulator};

/// A running `vd-broker serve`, stopped when dropped.
pub struct Served {
    pub child: Child,
    /// `IDENTITY_ENDPOINT`, as it printed it.
    pub endpoint: String,
    /// `IDENTITY_HEADER`.
    pub header: String,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// Where its stderr (the request log) goes.
    pub log: PathBuf,
    pub bearer: BearerFile,
    _dir: tempfile::TempDir,
}

/// The command with the emulator's broker and a fresh bearer, never the helper.
pub fn command(emulator: &Emulator, bearer: &BearerFile) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VD_CREDENTIAL_BROKER_URL", &emulator.url)
        .env("VD_CREDENTIAL_FILE", &bearer.path)
        .env("VD_RUNTIME_ACCESS_SOCKET", "/nonexistent/vd-broker-serve-test.sock");
    command
}

impl Served {
    pub fn start(emulator: &Emulator) -> Served {
        Served::start_with(emulator, &[])
    }

    pub fn start_with(emulator: &Emulator, args: &[&str]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("serve.log");
        let bearer = BearerFile::fresh();
        let mut child = command(emulator, &bearer)
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("vd-broker serve starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (mut first, mut second) = (String::new(), String::new());
        stdout.read_line(&mut first).unwrap();
        stdout.read_line(&mut second).unwrap();
        let endpoint = first.strip_prefix("IDENTITY_ENDPOINT=").expect("first line names the endpoint").trim().to_string();
        let header = second.strip_prefix("IDENTITY_HEADER=").expect("second line gives the header").trim().to_string();
        let address = endpoint.trim_start_matches("http://").split('/').next().unwrap().to_string();
        Served { child, endpoint, header, address, log, bearer, _dir: dir }
    }

    /// A GET of the endpoint with `query` and these headers; (status, headers, body).
    pub fn get(&self, query: &str, headers: &[(&str, &str)]) -> Reply {
        self.request("GET", &format!("{}?{query}", self.endpoint), headers)
    }

    /// A token request as the SDKs send it, for `resource`.
    pub fn token(&self, resource: &str) -> Reply {
        self.get(&format!("api-version=2019-08-01&resource={resource}"), &[("X-IDENTITY-HEADER", &self.header)])
    }

    pub fn request(&self, method: &str, url: &str, headers: &[(&str, &str)]) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut request = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = agent.run(request.body(()).unwrap()).expect("the endpoint answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap();
        Reply { status, headers, body }
    }

    /// The request log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// Resident memory, from /proc, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Lets the test hold many sockets even where the soft limit is 1024.
pub fn raise_file_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain getrlimit/setrlimit on a valid struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max.min(8192);
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
}

/// Sets the flag when dropped, even by a failed assertion: stops the
/// threads that watch it.
pub struct StopOnDrop<'a>(pub &'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A child process, killed and reaped when dropped (a failed assertion included).
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
