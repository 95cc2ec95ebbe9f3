//! How `vd-broker serve` starts and stops: the stdout lines, the 0600
//! env file, `--exec` with its environment, signals and exit status, and
//! the refusal of a non-loopback address.
#![cfg(feature = "serve")]

mod serve_support;
mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use serve_support::{command, KillOnDrop, Served};
use support::{BearerFile, Emulator};

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) on a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
}

#[test]
fn prints_sourceable_lines_and_stops_on_sigterm() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("identity.env");
    let mut served = Served::start_with(&emulator, &["--env-file", env_file.to_str().unwrap()]);
    let port = served.address.strip_prefix("127.0.0.1:").expect("loopback by default");
    assert!(port.parse::<u16>().unwrap() > 0);
    assert_eq!(served.header.len(), 64);
    assert!(served.header.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{}", served.header);

    let metadata = std::fs::metadata(&env_file).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    let written = std::fs::read_to_string(&env_file).unwrap();
    let lines = format!("IDENTITY_ENDPOINT={0}\nIDENTITY_HEADER={1}\nAZURE_MSI_ENDPOINT={0}\n", served.endpoint, served.header);
    assert_eq!(written, lines);
    assert_eq!(served.token("https://storage.azure.com").status, 200);

    signal(served.child.id(), libc::SIGTERM);
    let status = served.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(!env_file.exists(), "the env file outlives the endpoint");

    // Another start has another secret.
    let again = Served::start(&emulator);
    assert_ne!(again.header, served.header);
}

#[test]
fn exec_runs_the_command_with_the_endpoint_and_its_exit_status() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let script = r#"echo "endpoint=$IDENTITY_ENDPOINT"; echo "header=${#IDENTITY_HEADER}"
        test "$AZURE_MSI_ENDPOINT" = "$IDENTITY_ENDPOINT" || echo "AZURE_MSI_ENDPOINT=$AZURE_MSI_ENDPOINT"
        for v in IDENTITY_SERVER_THUMBPRINT IMDS_ENDPOINT MSI_ENDPOINT MSI_SECRET; do
          eval "test -z \"\${$v+set}\"" || echo "leaked $v"; done
        exit 7"#;
    let output = command(&emulator, &bearer)
        .args(["serve", "--exec", "--", "sh", "-c", script])
        .env("IDENTITY_SERVER_THUMBPRINT", "x")
        .env("IMDS_ENDPOINT", "http://169.254.169.254")
        .env("MSI_ENDPOINT", "http://example.invalid")
        .env("MSI_SECRET", "s")
        .env("IDENTITY_ENDPOINT", "http://stale.invalid")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(7), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("endpoint=http://127.0.0.1:") && lines[0].ends_with("/msi/token"), "{stdout}");
    assert_eq!(lines[1], "header=64", "{stdout}");
    assert_eq!(lines.len(), 2, "only the command's output on stdout, nothing leaked: {stdout}");
}

#[test]
fn exec_forwards_sigterm_and_reports_the_commands_status() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let script = r#"trap 'exit 42' TERM; echo ready; while :; do sleep 0.1; done"#;
    let mut child = command(&emulator, &bearer)
        .args(["serve", "--exec", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
    assert_eq!(ready, "ready\n");
    signal(child.id(), libc::SIGTERM);
    assert_eq!(child.wait().unwrap().code(), Some(42), "the command's own status");

    // A command ended by a signal: 128 + N, as a shell reports it.
    let killed = command(&emulator, &bearer).args(["serve", "--exec", "--", "sh", "-c", "kill -9 $$"]).output().unwrap();
    assert_eq!(killed.status.code(), Some(128 + 9));
    let missing = command(&emulator, &bearer).args(["serve", "--exec", "--", "/nonexistent/command"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot run /nonexistent/command"));
}

#[test]
fn usage_errors_and_the_non_loopback_guard() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let run = |args: &[&str]| command(&emulator, &bearer).arg("serve").args(args).stdin(Stdio::null()).output().unwrap();

    let exec_alone = run(&["--exec"]);
    assert_eq!(exec_alone.status.code(), Some(64));
    let refused = run(&["--listen", "0.0.0.0:0"]);
    assert_eq!(refused.status.code(), Some(64));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("not a loopback address") && message.contains("--allow-non-loopback"), "{message}");

    // Allowed with the flag, with a warning; clients are told the loopback address.
    let allowed = run(&["--listen", "0.0.0.0:0", "--allow-non-loopback", "--exec", "--", "sh", "-c", "echo $IDENTITY_ENDPOINT"]);
    assert_eq!(allowed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&allowed.stderr).contains("WARNING: listening on 0.0.0.0:"));
    assert!(String::from_utf8_lossy(&allowed.stdout).starts_with("http://127.0.0.1:"));

    // A configuration error is the C status, before anything listens.
    let unconfigured = Command::new(env!("CARGO_BIN_EXE_vd-broker"))
        .env_clear()
        .env("VD_RUNTIME_ACCESS_SOCKET", "/nonexistent/sock")
        .args(["serve"])
        .output()
        .unwrap();
    assert_eq!(unconfigured.status.code(), Some(4), "{}", String::from_utf8_lossy(&unconfigured.stderr));
    assert!(unconfigured.stdout.is_empty());
}

#[test]
fn sighup_and_sigquit_end_it_as_sigterm_does() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    for (name, number) in [("SIGHUP", libc::SIGHUP), ("SIGQUIT", libc::SIGQUIT)] {
        let env_file = dir.path().join(format!("{name}.env"));
        let mut served = Served::start_with(&emulator, &["--env-file", env_file.to_str().unwrap()]);
        assert!(env_file.exists());
        signal(served.child.id(), number);
        let status = served.child.wait().unwrap();
        assert_eq!(status.code(), Some(128 + number), "{name}: {status:?}");
        assert!(!env_file.exists(), "{name}: the env file outlives the endpoint");
    }
}

#[test]
fn sighup_under_exec_is_forwarded_and_the_command_reaped() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("identity.env");
    let script = r#"trap 'exit 5' HUP; echo $$; while :; do sleep 0.1; done"#;
    let mut child = command(&emulator, &bearer)
        .args(["serve", "--env-file", env_file.to_str().unwrap(), "--exec", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pid = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut pid).unwrap();
    let pid: libc::pid_t = pid.trim().parse().unwrap();
    signal(child.id(), libc::SIGHUP);
    let status = child.wait().unwrap();
    // SAFETY: signal 0 only asks whether the process exists.
    let command_left = unsafe { libc::kill(pid, 0) } == 0;
    if command_left {
        // SAFETY: the command this test started, orphaned: ended here.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert_eq!(status.code(), Some(5), "the command's status after its SIGHUP: {status:?}");
    assert!(!command_left, "the command was left running");
    assert!(!env_file.exists(), "the env file outlives the endpoint");
}

#[test]
fn a_file_planted_at_the_env_file_staging_name_does_not_stop_the_start() {
    let emulator = Emulator::start();
    let bearer = BearerFile::fresh();
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("identity.env");
    // Planted where a predictable name would be: `PATH.<pid>.tmp`, the pid
    // being the shell's, which `exec` hands on to serve.
    let start = r#"env_file="$1"; shift; : > "$env_file.$$.tmp"; exec "$@" serve --env-file "$env_file""#;
    let serve = command(&emulator, &bearer);
    let mut child = KillOnDrop(
        std::process::Command::new("sh")
            .args(["-c", start, "sh", env_file.to_str().unwrap()])
            .arg(serve.get_program())
            .env_clear()
            .envs(serve.get_envs().filter_map(|(name, value)| Some((name, value?))))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut first).unwrap();
    if !first.starts_with("IDENTITY_ENDPOINT=") {
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr);
        panic!("serve did not start: {stderr}");
    }
    assert!(std::fs::read_to_string(&env_file).unwrap().starts_with(first.as_str()));
    signal(child.0.id(), libc::SIGTERM);
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
    assert!(!env_file.exists());
}
