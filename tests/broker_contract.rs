//! The wire contract (DESIGN.md §1), case by case, through the Rust API
//! against the emulator running as a real process.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use support::{claims, client, now, options, sha256_hex, BearerFile, Emulator};
use vd_broker::{Client, ErrorKind, Options};

const SQL: &str = "https://database.windows.net/.default";

#[test]
fn every_default_audience_is_minted_with_the_contract_request() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let expected = [
        ("https://database.windows.net/.default", "sql", "https://database.windows.net/"),
        ("https://storage.azure.com/.default", "storage", "https://storage.azure.com"),
        ("https://vault.azure.net/.default", "vault", "https://vault.azure.net"),
        ("https://api.fabric.microsoft.com/.default", "fabric_api", "https://api.fabric.microsoft.com"),
        ("https://analysis.windows.net/powerbi/api/.default", "fabric_cli", "https://analysis.windows.net/powerbi/api"),
        ("https://management.azure.com/", "arm", "https://management.azure.com/"),
    ];
    for (scope, audience, aud) in expected {
        let token = client.get_token(scope).unwrap();
        let claims = claims(token.secret());
        assert_eq!(claims["vd_audience"], audience);
        assert_eq!(claims["aud"], aud);
    }
    let requests = emulator.requests();
    assert_eq!(requests.len(), 6);
    for (request, (_, audience, _)) in requests.iter().zip(expected) {
        assert_eq!(request["method"], "POST");
        assert_eq!(request["path"], "/api/v1/credential-broker/token");
        assert_eq!(request["content_type"], "application/json");
        assert_eq!(request["authorization"], "bearer");
        assert_eq!(request["bearer_sha256"], sha256_hex(&file.bearer()));
        assert_eq!(request["body"], json!({ "audience": audience }));
    }
}

#[test]
fn broker_url_trailing_slash_is_stripped() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Client::new(&Options { broker_url: Some(format!("{}//", emulator.url)), ..options(&emulator, &file) }).unwrap();
    client.get_token(SQL).unwrap();
    assert_eq!(emulator.requests()[0]["path"], "/api/v1/credential-broker/token");
}

#[test]
fn unmapped_scope_is_refused_before_the_broker() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let err = client.get_token("https://graph.microsoft.com/.default").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ScopeNotAllowed);
    assert!(err.message().contains("https://graph.microsoft.com/.default"), "{err}");
    assert!(err.message().contains("\"https://vault.azure.net\""), "lists known resources: {err}");
    assert_eq!(client.get_token("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(emulator.token_requests(), 0);
}

#[test]
fn audience_overrides_win_and_add() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let options = Options {
        audience_overrides: vec![
            ("https://vault.azure.net".into(), "key_vault_data_plane".into()),
            ("https://custom.example/".into(), "custom".into()),
        ],
        ..options(&emulator, &file)
    };
    let client = Client::new(&options).unwrap();
    client.get_token("https://vault.azure.net/.default").unwrap();
    client.get_token("https://custom.example/.default").unwrap();
    let audiences: Vec<_> = emulator.requests().iter().map(|r| r["audience"].clone()).collect();
    assert_eq!(audiences, [json!("key_vault_data_plane"), json!("custom")]);
}

#[test]
fn the_bearer_is_read_fresh_on_every_call() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let first = client.get_token(SQL).unwrap();
    let rotated = support::fresh_bearer();
    file.write(&format!("  {rotated}\n"));
    let second = client.get_token(SQL).unwrap();
    let requests = emulator.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1]["bearer_sha256"], sha256_hex(&rotated));
    assert_ne!(claims(first.secret())["vd_bearer"], claims(second.secret())["vd_bearer"]);
}

#[test]
fn credential_file_failures_never_reach_the_broker() {
    let emulator = Emulator::start();
    let file = BearerFile::new(" \n\t");
    let client = client(&emulator, &file);
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialBlank);
    assert!(err.message().contains(&file.path.display().to_string()), "{err}");

    let missing = PathBuf::from("/nonexistent/vd/credential");
    let client = Client::new(&Options { credential_file: Some(missing), ..options(&emulator, &file) }).unwrap();
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialUnreadable);
    assert!(err.message().contains("/nonexistent/vd/credential"), "{err}");
    assert!(err.message().contains("Is the Studio intent session active?"), "{err}");
    assert_eq!(emulator.token_requests(), 0);
}

#[test]
fn missing_configuration_is_refused_at_construction() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let no_url = Options { broker_url: None, ..options(&emulator, &file) };
    // The test process may carry real variables; this case is about their absence.
    if std::env::var_os("VD_CREDENTIAL_BROKER_URL").is_none() && std::env::var_os("VD_AZ_TOKEN_URL").is_none() {
        let err = Client::new(&no_url).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.message().contains("VD_CREDENTIAL_BROKER_URL"), "{err}");
    }
    if std::env::var_os("VD_CREDENTIAL_FILE").is_none() {
        let err = Client::new(&Options { credential_file: None, ..options(&emulator, &file) }).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.message().contains("VD_CREDENTIAL_FILE"), "{err}");
    }
}

#[test]
fn rejections_are_authentication_failures() {
    for status in [401, 403] {
        let emulator = Emulator::start();
        let file = BearerFile::fresh();
    let client = client(&emulator, &file);
        emulator.fault(json!({ "status": status }));
        let err = client.get_token(SQL).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokerRejected);
        assert_eq!(err.http_status(), Some(status));
        assert!(
            err.message().starts_with(&format!("broker rejected the request ({status}): the intent access token may be expired, revoked or out of scope")),
            "{err}"
        );
        assert_eq!(emulator.token_requests(), 1, "never retried");
    }
}

#[test]
fn a_revoked_bearer_is_rejected_by_the_broker() {
    let emulator = Emulator::start_with(&["--bearer", "vd_iat_only_this_one"], false);
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::BrokerRejected, Some(401)));
    assert!(err.message().contains("expired, revoked or unknown"), "broker's reason: {err}");
}

#[test]
fn other_statuses_are_errors_with_the_status() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    emulator.fault(json!({ "status": 400, "body": "{\"error\":\"invalid_request\",\"error_description\":\"unknown audience\"}" }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::BrokerStatus, Some(400)));
    assert!(err.message().contains("HTTP 400") && err.message().contains("unknown audience"), "{err}");
    assert_eq!(emulator.token_requests(), 1, "4xx is not retried");
}

#[test]
fn broker_explanations_that_echo_the_bearer_are_dropped() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let body = json!({ "error": format!("bad bearer {}", file.bearer()) }).to_string();
    emulator.fault(json!({ "status": 403, "body": body }));
    let err = client.get_token(SQL).unwrap_err();
    assert!(!err.message().contains(&file.bearer()), "{err}");
    assert!(!format!("{err:?}").contains(&file.bearer()));
}

#[test]
fn malformed_success_answers_are_broker_response_errors() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    for body in ["{\"token_type\":\"Bearer\"}", "<html>oops</html>", "{\"access_token\":\"\"}", "[]"] {
        emulator.fault(json!({ "status": 200, "body": body }));
        let err = client.get_token(SQL).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokerResponse, "{body}: {err}");
    }
    emulator.fault(json!({ "action": "huge", "huge_bytes": 3u64 << 20 }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokerResponse);
    assert!(err.message().contains("more than 1048576 bytes"), "{err}");
}

#[test]
fn a_huge_answer_does_not_take_the_memory_with_it() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    emulator.fault(json!({ "action": "huge" })); // 1 GiB, streamed
    assert_eq!(client.get_token(SQL).unwrap_err().kind(), ErrorKind::BrokerResponse);
}

#[test]
fn expires_in_absent_number_or_string() {
    let emulator = Emulator::start();
    let cases = [
        (json!({ "omit_expires_in": true }), 3600),
        (json!({ "omit_expires_in": false, "expires_in": 1234, "expires_in_as_string": true }), 1234),
        (json!({ "expires_in": 900, "expires_in_as_string": false }), 900),
    ];
    let file = BearerFile::fresh();
    let client = Client::new(&Options { cache: Some(false), ..options(&emulator, &file) }).unwrap();
    for (settings, lifetime) in cases {
        emulator.settings(settings);
        let before = now();
        let token = client.get_token(SQL).unwrap();
        assert!((before + lifetime..=now() + lifetime).contains(&token.expires_on()), "{lifetime}: {token:?}");
        assert!(token.refresh_on() < token.expires_on());
    }
}

#[test]
fn broker_refresh_hint_is_kept() {
    let emulator = Emulator::start();
    emulator.settings(json!({ "refresh_in": 600 }));
    let file = BearerFile::fresh();
    let token = client(&emulator, &file).get_token(SQL).unwrap();
    let expected = now() + 600;
    assert!((expected - 2..=expected).contains(&token.refresh_on()), "{token:?}");
}

#[test]
fn an_unreachable_broker_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let file = BearerFile::fresh();
    let url = format!("http://127.0.0.1:{port}/api/v1/credential-broker");
    let options = Options {
        broker_url: Some(url.clone()),
        credential_file: Some(file.path.clone()),
        runtime_access_socket: Some("/nonexistent/vd.sock".into()),
        timeout: Some(Duration::from_secs(3)),
        shared_cache: Some(false),
        ..Options::default()
    };
    let err = Client::new(&options).unwrap().get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokerUnreachable);
    assert!(
        err.message().starts_with(&format!("could not reach the credential broker at {url}/token — is Studio running?")),
        "{err}"
    );
}

#[test]
fn a_slow_broker_times_out() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Client::new(&Options { timeout: Some(Duration::from_millis(300)), ..options(&emulator, &file) }).unwrap();
    emulator.settings(json!({ "delay_ms": 2000 }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.message().contains("is Studio running?"), "{err}");
}

#[test]
fn lane_and_revision_travel_in_the_body() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let options = Options {
        lane: Some("service".into()),
        configuration_revision: Some(42),
        audience_overrides: vec![("https://vault.azure.net".into(), "key_vault_data_plane".into())],
        ..options(&emulator, &file)
    };
    let client = Client::new(&options).unwrap();
    let token = client.get_token("https://vault.azure.net/.default").unwrap();
    assert_eq!(claims(token.secret())["vd_lane"], "service");
    client.get_token(SQL).unwrap();
    let bodies: Vec<_> = emulator.requests().iter().map(|r| r["body"].clone()).collect();
    assert_eq!(
        bodies,
        [
            json!({ "audience": "key_vault_data_plane", "scope": "secret_store", "lane": "service", "configurationRevision": 42 }),
            json!({ "audience": "sql", "scope": "data_platform", "lane": "service", "configurationRevision": 42 }),
        ]
    );
    let bad = Options { lane: Some("robot".into()), ..options.clone() };
    assert_eq!(Client::new(&bad).err().unwrap().kind(), ErrorKind::Configuration);
    let half = Options { configuration_revision: None, ..options };
    if std::env::var_os("VD_CREDENTIAL_CONFIGURATION_REVISION").is_none() {
        assert_eq!(Client::new(&half).err().unwrap().kind(), ErrorKind::Configuration);
    }
}

fn helper_client(emulator: &Emulator) -> Client {
    let options = Options {
        runtime_access_socket: emulator.helper_socket.clone(),
        timeout: Some(Duration::from_secs(5)),
        shared_cache_dir: Some(emulator.cache_dir()),
        ..Options::default()
    };
    let client = Client::new(&options).unwrap();
    assert!(client.uses_access_helper());
    client
}

#[test]
fn the_runtime_access_helper_mints_without_a_bearer() {
    let emulator = Emulator::with_helper();
    let client = helper_client(&emulator);
    let token = client.get_token("https://storage.azure.com/.default").unwrap();
    assert_eq!(claims(token.secret())["vd_audience"], "storage");
    let request = &emulator.requests()[0];
    assert_eq!(request["face"], "helper");
    assert_eq!(request["path"], "/v1/credentials");
    assert_eq!(request["authorization"], "none");
    assert_eq!(request["body"], json!({ "scope": "data_platform", "audience": "storage" }));
}

#[test]
fn helper_refusals_carry_its_code_and_message() {
    let emulator = Emulator::with_helper();
    let client = helper_client(&emulator);
    emulator.fault(json!({
        "status": 403,
        "headers": { "x-runtime-access-error": "intent_expired" },
        "body": "{\"code\":\"intent_expired\",\"message\":\"the intent has ended\"}",
    }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::AccessHelperRefused, Some(403)));
    assert!(err.message().contains("intent_expired") && err.message().contains("the intent has ended"), "{err}");

    emulator.fault(json!({ "status": 404, "body": "{}" }));
    assert_eq!(client.get_token(SQL).unwrap_err().kind(), ErrorKind::BrokerStatus);
    emulator.fault(json!({ "status": 201 }));
    assert_eq!(client.get_token(SQL).unwrap_err().kind(), ErrorKind::BrokerStatus, "only 200 is success");
    emulator.fault(json!({ "action": "huge", "huge_bytes": 2u64 << 20 }));
    assert_eq!(client.get_token(SQL).unwrap_err().kind(), ErrorKind::BrokerResponse);
}

#[test]
fn tokens_and_bearers_never_show_in_debug_output() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let token = client(&emulator, &file).get_token(SQL).unwrap();
    let shown = format!("{token:?}");
    assert!(!shown.contains(token.secret()) && shown.contains("<redacted>"), "{shown}");
}
