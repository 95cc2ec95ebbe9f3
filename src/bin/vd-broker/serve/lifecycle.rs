//! How the endpoint reaches its clients and when it stops: the
//! environment lines on stdout (and, if asked, in a 0600 file), or a command
//! run with them set, whose signals are forwarded and whose status is ours.
//! SIGINT, SIGTERM, SIGHUP and SIGQUIT all end it tidily.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokio::signal::unix::{signal, Signal, SignalKind};
use zeroize::Zeroizing;

use super::security::HeaderSecret;

/// Variables that would make an SDK choose another managed-identity
/// protocol over App Service (Service Fabric, Azure Arc, Cloud Shell, Azure ML).
pub const COMPETING_VARIABLES: [&str; 4] = ["IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET"];

/// The variables the endpoint hands its clients, in this order: the App
/// Service pair every Azure SDK reads, then the same URL as
/// `AZURE_MSI_ENDPOINT`, the only name object_store (deltalake, polars'
/// Rust layer) takes it from besides its own options.
pub fn environment<'a>(endpoint: &'a str, secret: &'a HeaderSecret) -> [(&'static str, &'a str); 3] {
    [("IDENTITY_ENDPOINT", endpoint), ("IDENTITY_HEADER", secret.expose()), ("AZURE_MSI_ENDPOINT", endpoint)]
}

/// `NAME=value`, one line each, as a shell sources them.
pub fn environment_lines(endpoint: &str, secret: &HeaderSecret) -> Zeroizing<String> {
    let mut lines = Zeroizing::new(String::with_capacity(64 + 3 * endpoint.len() + secret.expose().len()));
    for (name, value) in environment(endpoint, secret) {
        lines.push_str(name);
        lines.push('=');
        lines.push_str(value);
        lines.push('\n');
    }
    lines
}

/// The lines on stdout, flushed at once so that a reader of a pipe sees them.
pub fn announce(lines: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(lines.as_bytes())?;
    stdout.flush()
}

/// The `--env-file`, removed when the endpoint stops (its secret dies with it).
pub struct EnvFile(PathBuf);

impl EnvFile {
    /// Written beside `path` with mode 0600 and renamed over it, so the file
    /// at `path` is never readable by others, even for a moment, whatever
    /// was there before. The staging name has a random suffix and is
    /// created exclusively (a symlink there is not followed), another
    /// suffix being drawn if it is taken: no one can plant a file at it in
    /// advance to stop the start.
    pub fn write(path: &Path, lines: &str) -> io::Result<EnvFile> {
        let mut attempts = 0;
        let (staging, mut file) = loop {
            let staging = staging_name(path)?;
            match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&staging) {
                Ok(file) => break (staging, file),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempts < STAGING_ATTEMPTS => attempts += 1,
                Err(error) => return Err(error),
            }
        };
        let written = (|| {
            file.write_all(lines.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&staging, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&staging);
        }
        written.map(|()| EnvFile(path.to_path_buf()))
    }
}

/// Staging names tried before `--env-file` gives up.
const STAGING_ATTEMPTS: u32 = 16;

/// `PATH.<16 random hex digits>.tmp`.
fn staging_name(path: &Path) -> io::Result<PathBuf> {
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| io::Error::other(format!("cannot draw a random name: {e}")))?;
    let mut staging = path.as_os_str().to_owned();
    staging.push(format!(".{:016x}.tmp", u64::from_ne_bytes(suffix)));
    Ok(PathBuf::from(staging))
}

impl Drop for EnvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, caught from the moment this is
/// made: each ends the endpoint the same way (the env file removed, the
/// command signalled and waited for), where their default action would
/// leave both behind.
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
    quit: Signal,
}

impl Signals {
    pub fn catch() -> io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    /// The next of them to arrive.
    pub async fn next(&mut self) -> libc::c_int {
        tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        }
    }
}

/// The exit status after `signal` ended the endpoint (without `--exec`):
/// 0 for SIGINT and SIGTERM, the usual ways to stop it; 128 + N for SIGHUP
/// and SIGQUIT (its terminal or session went away, or a quit), as a shell
/// reports a process such a signal ended.
pub fn exit_code_after(signal: libc::c_int) -> u8 {
    match signal {
        libc::SIGINT | libc::SIGTERM => 0,
        other => (128 + other) as u8,
    }
}

/// Runs `command` with the endpoint in its environment, forwards SIGINT,
/// SIGTERM, SIGHUP and SIGQUIT to it, and returns its exit status (128 + N
/// when signal N ended it, as a shell reports it; 127/126 when it cannot be
/// started).
pub async fn run_command(command: &[OsString], endpoint: &str, secret: &HeaderSecret, signals: &mut Signals) -> ExitCode {
    let (program, args) = command.split_first().expect("clap requires a command");
    let mut child = tokio::process::Command::new(program);
    child.args(args).envs(environment(endpoint, secret));
    for name in COMPETING_VARIABLES {
        child.env_remove(name);
    }
    let mut child = match child.spawn() {
        Ok(child) => child,
        Err(error) => {
            super::log::line(&format!("cannot run {}: {error}", Path::new(program).display()));
            return ExitCode::from(if error.kind() == io::ErrorKind::NotFound { 127 } else { 126 });
        }
    };
    let pid = child.id().expect("a running child has a pid") as libc::pid_t;
    loop {
        let forwarded = tokio::select! {
            status = child.wait() => return match status {
                Ok(status) => ExitCode::from(exit_code_of(status)),
                Err(error) => {
                    super::log::line(&format!("cannot wait for the command: {error}"));
                    ExitCode::from(71)
                }
            },
            signal = signals.next() => signal,
        };
        // SAFETY: kill(2) on our own child's pid, which is not reaped
        // until `wait` above returns.
        unsafe { libc::kill(pid, forwarded) };
    }
}

fn exit_code_of(status: std::process::ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => (128 + signal) as u8,
        (None, None) => 1,
    }
}
