//! `vd-broker serve`: the App Service managed-identity endpoint on loopback,
//! backed by the core, so every Azure SDK's `ManagedIdentityCredential` (and
//! `DefaultAzureCredential`) gets Studio tokens with no code of ours.
//!
//! `protocol` is the wire format and the error mapping, `security` the
//! secret and the limits, `server` hyper's connections (`connections`
//! their slots, `tokens` the token each request gets), `log` what goes to
//! stderr, `lifecycle` how clients learn the endpoint and when it stops.

mod connections;
mod lifecycle;
mod log;
mod protocol;
mod security;
mod server;
mod tokens;

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::net::{TcpListener, TcpSocket};
use vd_broker::{Client, Options};

use crate::exit_code::{self, EX_USAGE};
use lifecycle::{EnvFile, Signals};
use security::HeaderSecret;
use server::Endpoint;

/// Cannot listen, start a runtime or handle signals (sysexits' EX_OSERR).
const EX_OSERR: u8 = 71;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Listen on ADDR:PORT [default: 127.0.0.1 on a port the system picks]
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
    /// Allow a --listen address beyond loopback (then a warning is printed)
    #[arg(long)]
    allow_non_loopback: bool,
    /// Also write the IDENTITY_ENDPOINT, IDENTITY_HEADER and
    /// AZURE_MSI_ENDPOINT lines to PATH (mode 0600; removed when the
    /// endpoint stops)
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Run the command after `--` with IDENTITY_ENDPOINT, IDENTITY_HEADER and
    /// AZURE_MSI_ENDPOINT set, forward SIGINT/SIGTERM to it and exit with its
    /// status
    #[arg(long, requires = "command")]
    exec: bool,
    /// The command for --exec, e.g. `-- python app.py`
    #[arg(last = true, requires = "exec", value_name = "CMD")]
    command: Vec<OsString>,
}

/// Runs the endpoint until the command ends (with --exec) or a signal
/// (SIGINT, SIGTERM, SIGHUP, SIGQUIT).
pub fn run(options: Options, args: &ServeArgs) -> ExitCode {
    // One client for every request: one audience map, one cache.
    let client = match Client::new(&options) {
        Ok(client) => Arc::new(client),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "vd-broker: {}: {}", exit_code::status_name(error.kind()), error.message());
            return ExitCode::from(exit_code::of(error.kind()));
        }
    };
    let address = match security::listen_address(args.listen, args.allow_non_loopback) {
        Ok(address) => address,
        Err(message) => return failed(EX_USAGE, &message),
    };
    let secret = match HeaderSecret::generate() {
        Ok(secret) => secret,
        Err(message) => return failed(EX_OSERR, &message),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(security::MAX_BROKER_CALLS)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return failed(EX_OSERR, &format!("cannot start the server's runtime: {error}")),
    };
    let code = runtime.block_on(serve(address, Endpoint::new(client, secret), args));
    // A cold mint still waiting on the broker must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn serve(address: SocketAddr, endpoint: Endpoint, args: &ServeArgs) -> ExitCode {
    let listener = match listen(address) {
        Ok(listener) => listener,
        Err(error) => return failed(EX_OSERR, &format!("cannot listen on {address}: {error}")),
    };
    let bound = listener.local_addr().expect("a bound listener has an address");
    let url = format!("http://{}{}", security::client_address(bound), protocol::TOKEN_PATH);
    let endpoint = Arc::new(endpoint);
    let lines = lifecycle::environment_lines(&url, &endpoint.secret);
    // Caught before anyone learns the endpoint, so none is missed
    // (and every one of them still removes the env file).
    let mut signals = match Signals::catch() {
        Ok(signals) => signals,
        Err(error) => return failed(EX_OSERR, &format!("cannot handle signals: {error}")),
    };
    let _env_file = match &args.env_file {
        Some(path) => match EnvFile::write(path, &lines) {
            Ok(file) => Some(file),
            Err(error) => return failed(EX_OSERR, &format!("cannot write --env-file {}: {error}", path.display())),
        },
        None => None,
    };
    tokio::spawn(server::serve(listener, Arc::clone(&endpoint)));
    log::line(&format!("serving {url} (App Service managed-identity protocol, api-version {})", protocol::API_VERSION));

    let code = if args.exec {
        lifecycle::run_command(&args.command, &url, &endpoint.secret, &mut signals).await
    } else if let Err(error) = lifecycle::announce(&lines) {
        failed(exit_code::EX_IOERR, &format!("cannot write the environment lines to stdout: {error}"))
    } else {
        ExitCode::from(lifecycle::exit_code_after(signals.next().await))
    };
    endpoint.tally.report("since the last count");
    code
}

fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(security::LISTEN_BACKLOG)
}

fn failed(code: u8, message: &str) -> ExitCode {
    log::line(message);
    ExitCode::from(code)
}
