//! The `vd-broker` command, run as a real process against the broker
//! emulator (also a real process): what it prints, its exit codes, and that
//! the bearer never shows.

mod support;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

#[path = "support/message_log.rs"]
mod message_log;

const SQL_SCOPE: &str = "https://database.windows.net/.default";

/// The emulator, stopped when dropped.
struct Emulator {
    child: Child,
    // Kept open: the emulator prints a second line when it serves a helper.
    _stdout: BufReader<ChildStdout>,
    url: String,
    helper_socket: Option<PathBuf>,
}

impl Emulator {
    fn start(extra: &[&str], helper_socket: Option<&Path>) -> Emulator {
        let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker-emulator"));
        command.args(["--port", "0", "--quiet", "--exit-with-stdin"]).args(extra);
        if let Some(socket) = helper_socket {
            command.arg("--helper-socket").arg(socket);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("emulator starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut banner = String::new();
        stdout.read_line(&mut banner).expect("emulator prints its URL");
        let url = banner.trim().rsplit(' ').next().expect("URL").to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{banner}");
        Emulator { child, _stdout: stdout, url, helper_socket: helper_socket.map(Path::to_path_buf) }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bearer in a file of its own.
struct Bearer {
    dir: tempfile::TempDir,
    value: String,
}

impl Bearer {
    fn new(value: &str) -> Bearer {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("credential"), format!("{value}\n")).unwrap();
        Bearer { dir, value: value.to_string() }
    }

    fn fresh() -> Bearer {
        let bearer = Bearer::new(&format!("vd_iat_{:032x}", fastrand::u128(..)));
        message_log::secret(&bearer.value);
        bearer
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("credential")
    }
}

/// `vd-broker ARGS` with the library's variables cleared, then `env` set.
fn vd_broker<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &OsStr)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vd-broker"));
    for name in [
        "VD_CREDENTIAL_BROKER_URL",
        "VD_AZ_TOKEN_URL",
        "VD_CREDENTIAL_FILE",
        "VD_CREDENTIAL_LANE",
        "VD_CREDENTIAL_CONFIGURATION_REVISION",
        "VD_BROKER_CACHE",
        "VD_BROKER_SHARED_CACHE",
    ] {
        command.env_remove(name);
    }
    command.env("VD_RUNTIME_ACCESS_SOCKET", "/nonexistent/vd-broker-cli-test.sock");
    // A shared cache of its own: each run starts cold, as a lone process does.
    let cache_dir = tempfile::tempdir().unwrap();
    command.env("VD_BROKER_CACHE_DIR", cache_dir.path().join("cache"));
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.args(args).stdin(Stdio::null()).output().expect("vd-broker runs");
    message_log::message("cli", &String::from_utf8_lossy(&output.stderr));
    output
}

/// `vd-broker ARGS` configured for `emulator` and `bearer` through the environment.
fn vd_broker_env(emulator: &Emulator, bearer: &Bearer, args: &[&str]) -> Output {
    let path = bearer.path();
    vd_broker(
        args,
        &[("VD_CREDENTIAL_BROKER_URL", OsStr::new(&emulator.url)), ("VD_CREDENTIAL_FILE", path.as_os_str())],
    )
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assert_exit(output: &Output, code: i32, stderr_part: &str) {
    assert_eq!(output.status.code(), Some(code), "stdout: {}\nstderr: {}", stdout(output), stderr(output));
    assert!(stderr(output).contains(stderr_part), "stderr lacks {stderr_part:?}: {}", stderr(output));
}

/// A failure: its exit code, a message on stderr, nothing on stdout, no bearer.
fn assert_failure(output: &Output, code: i32, stderr_part: &str, bearer: &str) {
    assert_exit(output, code, stderr_part);
    assert!(output.stdout.is_empty(), "stdout: {}", stdout(output));
    assert!(!stderr(output).contains(bearer));
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("JWT-shaped");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn token_for_sql_scope() {
    let emulator = Emulator::start(&[], None);
    let bearer = Bearer::fresh();
    let output = vd_broker_env(&emulator, &bearer, &["token", SQL_SCOPE]);
    assert_exit(&output, 0, "");
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let text = stdout(&output);
    let token = text.strip_suffix('\n').expect("one line");
    assert!(!token.contains('\n'));
    assert_eq!(claims(token)["aud"], "https://database.windows.net/");
    assert_eq!(claims(token)["vd_audience"], "sql");
    assert!(!text.contains(&bearer.value));
}

#[test]
fn options_instead_of_environment() {
    let emulator = Emulator::start(&[], None);
    let bearer = Bearer::fresh();
    let path = bearer.path();
    let args = [
        OsStr::new("--broker-url"),
        OsStr::new(&emulator.url),
        OsStr::new("--credential-file"),
        path.as_os_str(),
        OsStr::new("--audience"),
        OsStr::new("https://custom.example=custom"),
        OsStr::new("--no-cache"),
        OsStr::new("--timeout"),
        OsStr::new("2.5"),
        OsStr::new("token"),
        OsStr::new("https://custom.example/.default"),
    ];
    let output = vd_broker(&args, &[]);
    assert_exit(&output, 0, "");
    assert_eq!(claims(stdout(&output).trim())["vd_audience"], "custom");
}

#[test]
fn token_json_like_az() {
    let emulator = Emulator::start(&[], None);
    let bearer = Bearer::fresh();
    let plain = vd_broker_env(&emulator, &bearer, &["token", "https://vault.azure.net"]);
    let before = now();
    let output = vd_broker_env(&emulator, &bearer, &["token", "--json", "https://vault.azure.net/.default"]);
    let after = now();
    assert_exit(&output, 0, "");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let token = json["accessToken"].as_str().unwrap();
    assert_eq!(claims(token)["aud"], "https://vault.azure.net");
    assert_ne!(token, stdout(&plain).trim(), "each process has its own cache: a new token");
    let expires_on = json["expires_on"].as_i64().unwrap();
    assert!(expires_on >= before + 3600 && expires_on <= after + 3600, "{json}");
    assert_eq!(json["refresh_on"].as_i64().unwrap(), expires_on - 300);
    for field in ["expiresOn", "refreshOn"] {
        let text = json[field].as_str().unwrap();
        let shape: String = text.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect();
        assert_eq!(shape, "9999-99-99 99:99:99.999999", "{field}: {text}");
    }
    assert_eq!(json["audience"], "vault");
    assert_eq!(json["resource"], "https://vault.azure.net");
    assert_eq!(json["tokenType"], "Bearer");
    assert!(!stdout(&output).contains(&bearer.value));
}

#[test]
fn token_through_the_runtime_access_helper() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::start(&[], Some(&dir.path().join("helper.sock")));
    let socket = emulator.helper_socket.clone().unwrap();
    let output = vd_broker(&["token", "https://storage.azure.com/.default"], &[("VD_RUNTIME_ACCESS_SOCKET", socket.as_os_str())]);
    assert_exit(&output, 0, "");
    assert_eq!(claims(stdout(&output).trim())["aud"], "https://storage.azure.com");
}

#[test]
fn audiences_lists_the_map() {
    let output = vd_broker(&["audiences"], &[]);
    assert_exit(&output, 0, "");
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "the six and one alias: {text}");
    assert!(lines[0].starts_with("RESOURCE") && lines[0].ends_with("AUDIENCE"));
    assert!(lines.iter().any(|l| l.starts_with("https://database.windows.net ") && l.ends_with(" sql")));
    assert!(lines.iter().any(|l| l.starts_with("https://management.core.windows.net ") && l.ends_with(" arm")));
    assert!(lines.iter().any(|l| l.starts_with("https://analysis.windows.net/powerbi/api ") && l.ends_with(" fabric_cli")));

    let output = vd_broker(
        &["audiences", "--json", "--audience", "https://custom.example/=custom", "--audience", "https://management.azure.com="],
        &[],
    );
    assert_exit(&output, 0, "");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let map = json.as_object().unwrap();
    assert_eq!(map.len(), 6);
    assert_eq!(map["https://custom.example"], "custom");
    assert_eq!(map["https://storage.azure.com"], "storage");
    assert!(!map.contains_key("https://management.azure.com"));
    assert!(!map.contains_key("https://management.core.windows.net"), "an alias is removed with its resource");
}

#[test]
fn unmapped_scope_exits_5() {
    let emulator = Emulator::start(&[], None);
    let bearer = Bearer::fresh();
    let output = vd_broker_env(&emulator, &bearer, &["token", "https://graph.microsoft.com/.default"]);
    assert_failure(&output, 5, "vd-broker: VD_BROKER_ERR_SCOPE_NOT_ALLOWED: no broker audience is mapped", &bearer.value);
    assert!(stderr(&output).contains("https://database.windows.net"));
}

#[test]
fn missing_configuration_exits_4() {
    let output = vd_broker(&["token", SQL_SCOPE], &[]);
    assert_failure(&output, 4, "VD_BROKER_ERR_CONFIGURATION: the broker URL is required: set the VD_CREDENTIAL_BROKER_URL", "vd_iat_");
    let output = vd_broker(&["--broker-url", "http://127.0.0.1:9/api", "token", SQL_SCOPE], &[]);
    assert_failure(&output, 4, "VD_CREDENTIAL_FILE", "vd_iat_");
    let output = vd_broker(&["--broker-url", "ftp://broker", "--credential-file", "/x", "token", SQL_SCOPE], &[]);
    assert_failure(&output, 4, "is not an http:// or https:// URL", "vd_iat_");
}

#[test]
fn credential_file_problems_exit_6_and_7() {
    let emulator = Emulator::start(&[], None);
    let missing = Bearer::fresh();
    std::fs::remove_file(missing.path()).unwrap();
    let output = vd_broker_env(&emulator, &missing, &["token", SQL_SCOPE]);
    assert_failure(&output, 6, "Is the Studio intent session active?", &missing.value);
    assert!(stderr(&output).contains(missing.path().to_str().unwrap()));
    let blank = Bearer::new("  ");
    let output = vd_broker_env(&emulator, &blank, &["token", SQL_SCOPE]);
    assert_failure(&output, 7, "VD_BROKER_ERR_CREDENTIAL_BLANK", "vd_iat_");
}

#[test]
fn unreachable_broker_exits_8() {
    let emulator = Emulator::start(&[], None);
    let bearer = Bearer::fresh();
    // The emulator's port on another loopback address: nothing listens there.
    let url = emulator.url.replace("127.0.0.1", "127.0.0.2");
    let path = bearer.path();
    let output = vd_broker(
        &["--timeout", "5", "token", SQL_SCOPE],
        &[("VD_CREDENTIAL_BROKER_URL", OsStr::new(&url)), ("VD_CREDENTIAL_FILE", path.as_os_str())],
    );
    assert_failure(&output, 8, "could not reach the credential broker at", &bearer.value);
}

#[test]
fn rejected_bearer_exits_9() {
    let emulator = Emulator::start(&["--bearer", "vd_iat_the_only_one"], None);
    let bearer = Bearer::fresh();
    let output = vd_broker_env(&emulator, &bearer, &["token", SQL_SCOPE]);
    assert_failure(&output, 9, "broker rejected the request (401)", &bearer.value);
}

#[test]
fn bad_arguments() {
    let output = vd_broker(&["--timeout", "0", "--broker-url", "http://127.0.0.1:9", "--credential-file", "/x", "token", SQL_SCOPE], &[]);
    assert_failure(&output, 1, "the timeout option must be a positive number of seconds", "vd_iat_");
    let not_utf8 = OsStr::from_bytes(b"https://vault.azure.net/\xff");
    let output = vd_broker(&[OsStr::new("token"), not_utf8], &[]);
    assert_failure(&output, 2, "VD_BROKER_ERR_INVALID_UTF8: scope is not valid UTF-8", "vd_iat_");
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["token"][..],
        &["token", "--bogus", SQL_SCOPE],
        &["frobnicate"],
        &[],
        &["--audience", "no-equals-sign", "audiences"],
        &["--timeout", "soon", "token", SQL_SCOPE],
        &["--timeout", "-1", "token", SQL_SCOPE],
    ] {
        let output = vd_broker(args, &[]);
        assert_eq!(output.status.code(), Some(64), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("--help"), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn help_and_version() {
    let output = vd_broker(&["--help"], &[]);
    assert_exit(&output, 0, "");
    let help = stdout(&output);
    for part in ["token", "audiences", "--broker-url", "--credential-file", "--timeout", "--audience", "--no-cache",
        "VD_CREDENTIAL_BROKER_URL", "VD_CREDENTIAL_FILE", "VD_RUNTIME_ACCESS_SOCKET", "Exit status",
        "9  VD_BROKER_ERR_BROKER_REJECTED", "64  usage error"] {
        assert!(help.contains(part), "--help lacks {part:?}");
    }
    let output = vd_broker(&["token", "--help"], &[]);
    assert_exit(&output, 0, "");
    assert!(stdout(&output).contains("--json"));
    let output = vd_broker(&["--version"], &[]);
    assert_exit(&output, 0, "");
    // The version, and the target it was built for (a bug report needs both).
    let version = stdout(&output);
    let target = version.trim().strip_prefix(&format!("vd-broker {} (", env!("CARGO_PKG_VERSION")));
    let target = target.and_then(|rest| rest.strip_suffix(')')).unwrap_or_else(|| panic!("--version printed {version:?}"));
    assert!(target.contains("-linux-"), "--version names no Linux target: {version:?}");
}

/// `vd-broker [-v] token SQL_SCOPE` with `bearer`, against a new emulator
/// that first answers with `fault`.
fn token_with_fault(fault: Value, verbose: bool, bearer: &Bearer) -> Output {
    let emulator = support::Emulator::start();
    emulator.fault(fault);
    let args: &[&str] = if verbose { &["-v", "token", SQL_SCOPE] } else { &["token", SQL_SCOPE] };
    let path = bearer.path();
    vd_broker(args, &[("VD_CREDENTIAL_BROKER_URL", OsStr::new(&emulator.url)), ("VD_CREDENTIAL_FILE", path.as_os_str())])
}

#[test]
fn verbose_shows_the_route_a_retry_and_the_mint_on_stderr() {
    let bearer = Bearer::fresh();
    let output = token_with_fault(serde_json::json!({"status": 503}), true, &bearer);
    assert_exit(&output, 0, "vd-broker: INFO: new client: tokens come from the credential broker at http://127.0.0.1:");
    let log = stderr(&output);
    let token = stdout(&output).trim().to_string();
    assert!(log.contains("vd-broker: INFO: attempt 1 of 4 failed (the credential broker at "), "{log}");
    assert!(log.contains("answered HTTP 503: the emulator was told to answer 503); retrying in "), "{log}");
    assert!(log.contains(&format!("vd-broker: INFO: minted a fresh token for {SQL_SCOPE} (expires in 3")), "{log}");
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(!log.contains(&bearer.value) && !log.contains(&token), "a secret on stderr");
}

#[test]
fn verbose_shows_a_failure_as_a_warning_beside_the_error() {
    let bearer = Bearer::fresh();
    let output = token_with_fault(serde_json::json!({"status": 401}), true, &bearer);
    assert_failure(&output, 9, &format!("vd-broker: WARNING: no token for {SQL_SCOPE}: broker rejected the request (401)"), &bearer.value);
    assert!(stderr(&output).contains("vd-broker: VD_BROKER_ERR_BROKER_REJECTED: broker rejected the request (401)"));
}

#[test]
fn without_verbose_a_retried_call_prints_nothing_on_stderr() {
    let bearer = Bearer::fresh();
    let output = token_with_fault(serde_json::json!({"status": 503}), false, &bearer);
    assert_exit(&output, 0, "");
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn verbose_names_the_runtime_access_helper_route() {
    let emulator = support::Emulator::with_helper();
    let socket = emulator.helper_socket.clone().unwrap();
    let output = vd_broker(&["-v", "token", SQL_SCOPE], &[("VD_RUNTIME_ACCESS_SOCKET", socket.as_os_str())]);
    let route = format!("vd-broker: INFO: new client: tokens come from the runtime-access helper at unix:{}", socket.display());
    assert_exit(&output, 0, &route);
}

#[test]
fn usage_errors_show_no_url_password() {
    let output = vd_broker(&["--timeout", "http://studio:pw-Rj4mN8vL2c@host/api", "token", SQL_SCOPE], &[]);
    message_log::secret("pw-Rj4mN8vL2c");
    assert_eq!(output.status.code(), Some(64), "{}", stderr(&output));
    assert!(stderr(&output).contains("http://host/api"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("pw-Rj4mN8vL2c"), "{}", stderr(&output));
}
