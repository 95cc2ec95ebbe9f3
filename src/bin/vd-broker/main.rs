//! `vd-broker`: Azure access tokens from the Studio credential broker for
//! shells and scripts — `TOKEN=$(vd-broker token https://storage.azure.com/.default)`.
//!
//! A thin front end over the library's Rust API: the same configuration
//! (options over environment variables), the same errors, and exit codes
//! that are the C ABI's status values, so a script can tell failures apart.

mod exit_code;
mod output;
mod verbose;
#[cfg(feature = "serve")]
mod serve;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use vd_broker::audience::AudienceMap;
use vd_broker::{Client, Error, ErrorKind, Options, TokenRequest};

use crate::exit_code::{EXIT_STATUS_HELP, EX_IOERR, EX_USAGE};

/// The version and the target it was built for (`0.1.0 (aarch64-unknown-linux-musl)`).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("VD_BROKER_BUILD_TARGET"), ")");

/// Azure access tokens from the VibeData Studio credential broker, for
/// shells and scripts.
///
/// The broker URL and the intent bearer file come from the options below or,
/// when an option is not given, from the environment: VD_CREDENTIAL_BROKER_URL
/// (older containers: VD_AZ_TOKEN_URL), VD_CREDENTIAL_FILE, VD_CREDENTIAL_LANE
/// with VD_CREDENTIAL_CONFIGURATION_REVISION, VD_RUNTIME_ACCESS_SOCKET (when
/// that socket exists, tokens come from the runtime-access helper and no
/// broker URL or bearer is needed), VD_BROKER_CACHE, and VD_BROKER_SHARED_CACHE
/// with VD_BROKER_CACHE_DIR (the token cache this user's processes share).
///
/// Examples:
///   vd-broker token https://database.windows.net/.default
///   curl -H "Authorization: Bearer $(vd-broker token https://storage.azure.com/.default)" ...
///   vd-broker token --json https://vault.azure.net/.default | jq -r .expires_on
///   vd-broker audiences
#[derive(Parser, Debug)]
#[command(name = "vd-broker", version = VERSION, verbatim_doc_comment, after_long_help = EXIT_STATUS_HELP, arg_required_else_help = true)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct Settings {
    /// The broker's base URL (`/token` is appended) [default: $VD_CREDENTIAL_BROKER_URL, then $VD_AZ_TOKEN_URL]
    #[arg(long, global = true, value_name = "URL")]
    broker_url: Option<String>,
    /// The file holding the vd_iat_* intent bearer, read on every call [default: $VD_CREDENTIAL_FILE]
    #[arg(long, global = true, value_name = "PATH")]
    credential_file: Option<PathBuf>,
    /// Overall timeout in seconds, retries included (fractions allowed) [default: 10]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Option<Duration>,
    /// Map a resource to a broker audience over the defaults (repeatable);
    /// an empty AUDIENCE removes the resource
    #[arg(long = "audience", global = true, value_name = "RESOURCE=AUDIENCE", value_parser = parse_audience)]
    audiences: Vec<(String, String)>,
    /// Do not use the token cache (overrides VD_BROKER_CACHE)
    #[arg(long, global = true)]
    no_cache: bool,
    /// Print what the library does to stderr: tokens minted, retries and why, refreshes, the route (-vv: cache hits too)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print an access token for SCOPE, e.g. https://database.windows.net/.default
    Token {
        /// The Azure scope (or resource) to get a token for
        scope: OsString,
        /// Print JSON like `az account get-access-token --output json`:
        /// accessToken, expiresOn, expires_on, refreshOn, refresh_on, audience, resource, tokenType
        #[arg(long)]
        json: bool,
    },
    /// List the resources tokens can be minted for and their broker audiences
    Audiences {
        /// Print a JSON object {resource: audience}
        #[arg(long)]
        json: bool,
    },
    /// Serve the App Service managed-identity protocol on loopback, so every
    /// Azure SDK's ManagedIdentityCredential and DefaultAzureCredential get
    /// tokens: `vd-broker serve --exec -- python app.py`
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap's own exit code for usage errors (2) is taken by
            // VD_BROKER_ERR_INVALID_UTF8; sysexits' EX_USAGE says it plainly.
            if !error.use_stderr() {
                let _ = error.print(); // --help, --version
                return ExitCode::SUCCESS;
            }
            // A usage error may quote an argument (a URL with a password):
            // stderr gets what the library lets out, as its own messages are.
            for line in error.render().to_string().lines() {
                eprintln!("{}", vd_broker::redact(line));
            }
            return ExitCode::from(EX_USAGE);
        }
    };
    if cli.settings.verbose > 0 {
        verbose::show_events(cli.settings.verbose);
    }
    #[cfg(feature = "serve")]
    if let Command::Serve(args) = &cli.command {
        return serve::run(options(&cli.settings), args);
    }
    let mut stdout = std::io::stdout().lock();
    let outcome = match &cli.command {
        Command::Token { scope, json } => print_token(&cli.settings, scope, *json, &mut stdout),
        Command::Audiences { json } => print_audiences(&cli.settings, *json, &mut stdout),
        #[cfg(feature = "serve")]
        Command::Serve(_) => unreachable!("served above"),
    };
    match outcome {
        Ok(()) => match stdout.flush() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => output_failed(&error),
        },
        Err(Failure::Library(error)) => {
            let code = exit_code::of(error.kind());
            eprintln!("vd-broker: {}: {}", exit_code::status_name(error.kind()), error.message());
            ExitCode::from(code)
        }
        Err(Failure::Output(error)) => output_failed(&error),
    }
}

enum Failure {
    Library(Error),
    Output(std::io::Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Library(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Output(error)
    }
}

fn output_failed(error: &std::io::Error) -> ExitCode {
    eprintln!("vd-broker: cannot write the output: {error}");
    ExitCode::from(EX_IOERR)
}

fn print_token(settings: &Settings, scope: &OsString, json: bool, out: &mut impl Write) -> Result<(), Failure> {
    let scope = scope
        .to_str()
        .ok_or_else(|| Error::new(ErrorKind::InvalidUtf8, "scope is not valid UTF-8"))?;
    let client = Client::new(&options(settings))?;
    let token = client.request_token(&TokenRequest::new(scope))?;
    if json {
        let audience = client.audience_for(scope)?;
        output::write_token_json(out, &token, audience, vd_broker::audience::resource_of(scope))?;
    } else {
        output::write_token(out, &token)?;
    }
    Ok(())
}

fn print_audiences(settings: &Settings, json: bool, out: &mut impl Write) -> Result<(), Failure> {
    // No client: listing the map needs no broker configuration.
    let map = AudienceMap::with_overrides(settings.audiences.iter().map(|(r, a)| (r.as_str(), a.as_str())));
    if json {
        output::write_audiences_json(out, &map)?;
    } else {
        output::write_audiences(out, &map)?;
    }
    Ok(())
}

fn options(settings: &Settings) -> Options {
    Options {
        broker_url: settings.broker_url.clone(),
        credential_file: settings.credential_file.clone(),
        timeout: settings.timeout,
        audience_overrides: settings.audiences.clone(),
        cache: settings.no_cache.then_some(false),
        ..Options::default()
    }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("{text:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{text:?} is not a non-negative number of seconds"))
}

fn parse_audience(text: &str) -> Result<(String, String), String> {
    // Audience names hold no '=', resources (URLs) might: split at the last.
    match text.rsplit_once('=') {
        Some((resource, audience)) if !resource.is_empty() => Ok((resource.to_string(), audience.to_string())),
        _ => Err(format!("{text:?} is not RESOURCE=AUDIENCE, e.g. https://custom.example=custom")),
    }
}
