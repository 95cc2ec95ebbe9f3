//! Test support: the broker emulator as a real process, bearer files, and
//! clients pointed at them.

#![allow(dead_code)]

pub mod message_log;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use vd_broker::{Client, Options};

/// A running `vd-broker-emulator`, killed when dropped.
pub struct Emulator {
    child: Child,
    /// The broker base URL it serves (`/token` is appended by clients).
    pub url: String,
    /// Its `http://127.0.0.1:PORT` origin, for the control API.
    pub origin: String,
    /// The helper socket, when started with one.
    pub helper_socket: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[], false)
    }

    pub fn with_helper() -> Emulator {
        Emulator::start_with(&[], true)
    }

    pub fn start_with(args: &[&str], helper: bool) -> Emulator {
        let dir = tempfile::tempdir().unwrap();
        let helper_socket = helper.then(|| dir.path().join("helper.sock"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker-emulator"));
        command.args(["--port", "0", "--quiet", "--exit-with-stdin"]).args(args);
        if let Some(socket) = &helper_socket {
            command.arg("--helper-socket").arg(socket);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("emulator starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let url = first.trim().rsplit(' ').next().unwrap().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line {first:?}");
        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
        Emulator { child, url, origin, helper_socket, _dir: dir }
    }

    /// The shared token cache directory of this test's clients (not yet
    /// created): each test has its own, so none sees another's tokens.
    pub fn cache_dir(&self) -> PathBuf {
        self._dir.path().join("cache")
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/_emulator/{path}", self.origin);
        // Straight to the emulator, whatever proxy the environment names.
        let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call(),
            ("DELETE", _) => agent.delete(&url).call(),
            (_, Some(body)) => agent.post(&url).content_type("application/json").send(body.to_string()),
            (_, None) => agent.post(&url).send_empty(),
        }
        .expect("control API answers");
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
    }

    /// Token requests seen so far.
    pub fn requests(&self) -> Vec<Value> {
        self.control("GET", "requests", None)["requests"].as_array().unwrap().clone()
    }

    pub fn token_requests(&self) -> usize {
        self.requests().len()
    }

    /// Queues a fault (see the emulator's --help).
    pub fn fault(&self, spec: Value) {
        self.control("POST", "faults", Some(spec));
    }

    /// Changes settings (partial).
    pub fn settings(&self, patch: Value) {
        self.control("POST", "settings", Some(patch));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bearer no other test uses, so the process-wide cache never crosses tests.
pub fn fresh_bearer() -> String {
    format!("vd_iat_{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

/// A bearer file in its own directory.
pub struct BearerFile {
    dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl BearerFile {
    pub fn new(contents: &str) -> BearerFile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credential");
        std::fs::write(&path, contents).unwrap();
        BearerFile { dir, path }
    }

    pub fn fresh() -> BearerFile {
        BearerFile::new(&format!("{}\n", fresh_bearer()))
    }

    pub fn write(&self, contents: &str) {
        std::fs::write(&self.path, contents).unwrap();
    }

    pub fn bearer(&self) -> String {
        std::fs::read_to_string(&self.path).unwrap().trim().to_string()
    }
}

/// Options for a client of `emulator` reading `file`, never the helper.
pub fn options(emulator: &Emulator, file: &BearerFile) -> Options {
    Options {
        broker_url: Some(emulator.url.clone()),
        credential_file: Some(file.path.clone()),
        runtime_access_socket: Some(PathBuf::from("/nonexistent/vd-broker-test.sock")),
        shared_cache_dir: Some(emulator.cache_dir()),
        timeout: Some(Duration::from_secs(5)),
        ..Options::default()
    }
}

pub fn client(emulator: &Emulator, file: &BearerFile) -> Client {
    Client::new(&options(emulator, file)).unwrap()
}

/// The claims of a JWT-shaped token.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("JWT-shaped");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// SHA-256 hex, as the emulator records bearers.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `check`, run in a forked child of this test process, returned
/// true. The child runs only `check` and leaves with `_exit`, running no
/// unwinding or harness code.
pub fn in_a_forked_child(check: impl FnOnce() -> bool) -> bool {
    // SAFETY: see above; the child touches nothing the fork left half-made
    // (the library rebuilds its per-process state after a fork).
    match unsafe { libc::fork() } {
        0 => {
            let ok = check();
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        child => {
            let mut status = 0;
            unsafe { libc::waitpid(child, &mut status, 0) };
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
        }
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
