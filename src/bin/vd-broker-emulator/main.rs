//! `vd-broker-emulator`: the Studio credential broker on loopback, for tests
//! and for trying the library without Studio.
//!
//! It serves `POST <any base>/token` the way the broker does, minting
//! JWT-shaped tokens whose `aud` fits the audience; optionally serves the
//! runtime-access helper's `POST /v1/credentials` on a Unix socket; records
//! every token request; and can be told over `/_emulator/*` to misbehave.
//! The first line on stdout is `vd-broker-emulator listening on <broker URL>`.

mod http_server;
mod jwt;
mod routes;
mod state;

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use clap::Parser;

use crate::routes::Face;
use crate::state::{Settings, State};

/// The Studio credential broker on loopback: mints JWT-shaped Azure tokens
/// for `POST <base>/token`, records requests, and misbehaves on request.
///
/// Control API (JSON over HTTP on the same port):
///   GET    /_emulator/health             liveness
///   GET    /_emulator/requests           token requests seen (no secrets: bearer as SHA-256)
///   DELETE /_emulator/requests           forget them
///   POST   /_emulator/faults             queue a fault for the next token requests:
///            {"action":"respond|close|reset|garbage|huge","status":503,
///             "headers":{"Retry-After":"1"},"body":"...","delay_ms":0,"times":1}
///   DELETE /_emulator/faults             drop queued faults
///   GET|PUT /_emulator/settings          {"expires_in":3600,"expires_in_as_string":false,
///            "omit_expires_in":false,"refresh_in":null,"accepted_bearers":null,"delay_ms":0}
///   POST   /_emulator/reset              settings, faults and log back to the start
#[derive(Parser, Debug)]
#[command(name = "vd-broker-emulator", version, verbatim_doc_comment)]
struct Args {
    /// Address to listen on (keep it loopback).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Base path of the broker URL it prints (any path ending in /token is served).
    #[arg(long, default_value = "/api/v1/credential-broker")]
    base_path: String,
    /// Also serve the runtime-access helper on this Unix socket.
    #[arg(long)]
    helper_socket: Option<PathBuf>,
    /// Lifetime of minted tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    expires_in: i64,
    /// Accept only this bearer (repeatable); by default any `vd_iat_*` bearer.
    #[arg(long = "bearer")]
    bearers: Vec<String>,
    /// Write the broker URL to this file once listening.
    #[arg(long)]
    url_file: Option<PathBuf>,
    /// Exit when standard input closes (so a test's emulator dies with the test).
    #[arg(long)]
    exit_with_stdin: bool,
    /// Do not log requests to stderr.
    #[arg(long)]
    quiet: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(message) = run(args) {
        eprintln!("vd-broker-emulator: {message}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    let state = Arc::new(State::new(Settings {
        expires_in: args.expires_in,
        accepted_bearers: (!args.bearers.is_empty()).then(|| args.bearers.clone()),
        ..Settings::default()
    }));

    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let base_path = format!("/{}", args.base_path.trim_matches('/'));
    let url = format!("http://{address}{}", if base_path == "/" { "" } else { &base_path });

    if let Some(path) = &args.helper_socket {
        let _ = std::fs::remove_file(path);
        let helper = UnixListener::bind(path).map_err(|e| format!("cannot listen on {}: {e}", path.display()))?;
        let (state, quiet) = (Arc::clone(&state), args.quiet);
        thread::spawn(move || {
            for conn in helper.incoming().flatten() {
                let state = Arc::clone(&state);
                thread::spawn(move || http_server::serve(conn, &|r| log(quiet, "helper", r, routes::handle(&state, Face::Helper, r))));
            }
        });
    }

    if let Some(path) = &args.url_file {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, format!("{url}\n")).and_then(|_| std::fs::rename(&partial, path)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    // The reader may stop after the first line; a closed stdout is no reason to stop serving.
    let mut announce = format!("vd-broker-emulator listening on {url}\n");
    if let Some(path) = &args.helper_socket {
        announce.push_str(&format!("vd-broker-emulator helper on {}\n", path.display()));
    }
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(announce.as_bytes()).and_then(|_| stdout.flush());

    if args.exit_with_stdin {
        thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
    }

    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let _ = conn.set_nodelay(true);
        let (state, quiet) = (Arc::clone(&state), args.quiet);
        thread::spawn(move || http_server::serve(conn, &|r| log(quiet, "broker", r, routes::handle(&state, Face::Broker, r))));
    }
    Ok(())
}

/// One line per request on stderr: never a bearer or token.
fn log(quiet: bool, face: &str, request: &http_server::Request, reply: http_server::Reply) -> http_server::Reply {
    if !quiet {
        let outcome = match &reply {
            http_server::Reply::Answer(r) => r.status.to_string(),
            http_server::Reply::Close => "closed".into(),
            http_server::Reply::Reset => "reset".into(),
            http_server::Reply::Garbage => "garbage".into(),
            http_server::Reply::Huge(n) => format!("200 ({n} bytes)"),
        };
        eprintln!("{face}: {} {} -> {outcome}", request.method, request.path);
    }
    reply
}
