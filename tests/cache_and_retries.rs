//! The process-wide token cache, single-flight, refresh and retries, against
//! the emulator as a real process.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use support::{client, options, BearerFile, Emulator};
use vd_broker::{Client, ErrorKind, Options, TokenRequest};

const SQL: &str = "https://database.windows.net/.default";

#[test]
fn a_second_call_is_served_from_the_cache() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let first = client.get_token(SQL).unwrap();
    let second = client.get_token(SQL).unwrap();
    assert_eq!(first.secret(), second.secret());
    assert_eq!(emulator.token_requests(), 1);
    // Another client of the same broker and bearer shares the entry.
    let other = support::client(&emulator, &file);
    assert_eq!(other.get_token(SQL).unwrap().secret(), first.secret());
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn every_form_of_a_scope_and_every_resource_of_an_audience_share_one_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let overrides = vec![("https://alias.example/".to_string(), "sql".to_string())];
    let client = Client::new(&Options { audience_overrides: overrides, ..options(&emulator, &file) }).unwrap();
    let first = client.get_token(SQL).unwrap();
    for scope in ["https://database.windows.net", "https://database.windows.net//", "https://alias.example/.default", "https://alias.example"] {
        assert_eq!(client.get_token(scope).unwrap().secret(), first.secret(), "{scope}");
        assert_eq!(client.audience_for(scope).unwrap(), "sql");
    }
    assert_eq!(emulator.token_requests(), 1);
    assert_ne!(client.get_token("https://storage.azure.com/.default").unwrap().secret(), first.secret());
    assert_eq!(emulator.token_requests(), 2);
    let unmapped = client.get_token("https://ALIAS.example/.default").unwrap_err();
    assert_eq!(unmapped.kind(), ErrorKind::ScopeNotAllowed);
    assert!(unmapped.message().contains("\"https://alias.example\""), "{}", unmapped.message());
    assert_eq!(client.get_token("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(client.audience_for("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_rotated_bearer_is_a_new_key() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let first = client.get_token(SQL).unwrap();
    file.write(&support::fresh_bearer());
    let second = client.get_token(SQL).unwrap();
    assert_ne!(first.secret(), second.secret());
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn the_cache_can_be_turned_off() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Client::new(&Options { cache: Some(false), ..options(&emulator, &file) }).unwrap();
    assert!(!client.caches());
    client.get_token(SQL).unwrap();
    client.get_token(SQL).unwrap();
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn sixty_four_threads_make_one_broker_request() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Arc::new(client(&emulator, &file));
    // A slow answer keeps every thread's miss inside the one flight.
    emulator.settings(json!({ "delay_ms": 300 }));
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || client.get_token(SQL).map(|t| t.secret().to_string()))
        })
        .collect();
    let tokens: Vec<String> = threads.into_iter().map(|t| t.join().unwrap().unwrap()).collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn concurrent_waiters_share_the_error_too() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Arc::new(client(&emulator, &file));
    emulator.fault(json!({ "status": 403, "delay_ms": 300 }));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let client = Arc::clone(&client);
            std::thread::spawn(move || client.get_token(SQL).unwrap_err().kind())
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), ErrorKind::BrokerRejected);
    }
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn a_failed_proactive_refresh_returns_the_still_valid_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    // refresh_in 0: the token is due for refresh at once, but valid for an hour.
    emulator.settings(json!({ "refresh_in": 0 }));
    let first = client.get_token(SQL).unwrap();
    emulator.fault(json!({ "status": 503, "times": 4 }));
    let second = client.get_token(SQL).unwrap();
    assert_eq!(first.secret(), second.secret());
    // A proactive refresh tries once: the caller has a valid token to use now.
    assert_eq!(emulator.token_requests(), 2, "one mint, one refresh attempt");
    // The broker is not hammered: the next refresh waits.
    client.get_token(SQL).unwrap();
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_due_refresh_replaces_the_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    emulator.settings(json!({ "refresh_in": 0 }));
    let first = client.get_token(SQL).unwrap();
    let second = client.get_token(SQL).unwrap();
    assert_ne!(first.secret(), second.secret());
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn an_expired_token_is_never_returned() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    emulator.settings(json!({ "expires_in": 1 }));
    client.get_token(SQL).unwrap();
    std::thread::sleep(Duration::from_millis(2100));
    emulator.fault(json!({ "status": 503, "times": 4 }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BrokerStatus);
}

#[test]
fn claims_bypass_the_cache_and_replace_the_entry() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    let cached = client.get_token(SQL).unwrap();
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}"#;
    let fresh = client.request_token(&TokenRequest { claims: Some(challenge), ..TokenRequest::new(SQL) }).unwrap();
    assert_ne!(cached.secret(), fresh.secret());
    assert_eq!(emulator.token_requests(), 2);
    assert_eq!(client.get_token(SQL).unwrap().secret(), fresh.secret());
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_503_then_200_yields_a_token() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    emulator.fault(json!({ "status": 503 }));
    client(&emulator, &file).get_token(SQL).unwrap();
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn dropped_and_reset_connections_are_retried() {
    for action in ["close", "reset", "garbage"] {
        let emulator = Emulator::start();
        let file = BearerFile::fresh();
        emulator.fault(json!({ "action": action }));
        client(&emulator, &file).get_token(SQL).unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_eq!(emulator.token_requests(), 2, "{action}");
    }
}

#[test]
fn a_persistent_503_fails_within_the_timeout_naming_attempts_and_status() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let timeout = Duration::from_secs(4);
    let client = Client::new(&Options { timeout: Some(timeout), ..options(&emulator, &file) }).unwrap();
    emulator.fault(json!({ "status": 503, "times": 100 }));
    let started = Instant::now();
    let err = client.get_token(SQL).unwrap_err();
    assert!(started.elapsed() < timeout, "took {:?}", started.elapsed());
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::BrokerStatus, Some(503)));
    assert!(err.message().contains("HTTP 503") && err.message().contains("(4 attempts)"), "{err}");
    assert_eq!(emulator.token_requests(), 4);
}

#[test]
fn retry_after_is_honoured() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = client(&emulator, &file);
    emulator.fault(json!({ "status": 429, "headers": { "Retry-After": "1" } }));
    let started = Instant::now();
    client.get_token(SQL).unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_retry_after_beyond_the_timeout_gives_up_at_once() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Client::new(&Options { timeout: Some(Duration::from_secs(2)), ..options(&emulator, &file) }).unwrap();
    emulator.fault(json!({ "status": 429, "headers": { "Retry-After": "30" } }));
    let err = client.get_token(SQL).unwrap_err();
    assert_eq!((err.kind(), err.http_status()), (ErrorKind::BrokerStatus, Some(429)));
    assert!(err.message().contains("retry after 30 s"), "{err}");
    assert_eq!(emulator.token_requests(), 1);
}

#[test]
fn client_errors_are_not_retried() {
    for status in [400, 404, 409] {
        let emulator = Emulator::start();
        let file = BearerFile::fresh();
        emulator.fault(json!({ "status": status, "times": 4 }));
        assert_eq!(client(&emulator, &file).get_token(SQL).unwrap_err().http_status(), Some(status));
        assert_eq!(emulator.token_requests(), 1, "{status}");
    }
}

#[test]
fn a_waiter_is_bounded_by_its_own_timeout() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let slow = Arc::new(client(&emulator, &file));
    emulator.settings(json!({ "delay_ms": 1500 }));
    let leader = {
        let slow = Arc::clone(&slow);
        std::thread::spawn(move || slow.get_token(SQL))
    };
    std::thread::sleep(Duration::from_millis(200));
    let waiter = slow.request_token(&TokenRequest { timeout: Some(Duration::from_millis(300)), ..TokenRequest::new(SQL) });
    assert_eq!(waiter.unwrap_err().kind(), ErrorKind::Timeout);
    assert!(leader.join().unwrap().is_ok());
}

#[test]
fn a_bearer_rotated_mid_flight_is_used_by_the_next_call() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let old_bearer = file.bearer();
    let client = Arc::new(client(&emulator, &file));
    emulator.settings(json!({ "delay_ms": 500 }));
    let in_flight = {
        let client = Arc::clone(&client);
        std::thread::spawn(move || client.get_token(SQL).unwrap())
    };
    std::thread::sleep(Duration::from_millis(150));
    let new_bearer = support::fresh_bearer();
    file.write(&new_bearer);
    // A new bearer is a new key: this call does not wait for the old flight's token.
    let after = client.get_token(SQL).unwrap();
    let before = in_flight.join().unwrap();
    assert_eq!(support::claims(before.secret())["vd_bearer"], support::sha256_hex(&old_bearer)[..16]);
    assert_eq!(support::claims(after.secret())["vd_bearer"], support::sha256_hex(&new_bearer)[..16]);
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_forked_child_mints_on_its_own_connection_and_cache() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    // The process cache and connection only: with the shared cache the child
    // would read the parent's token (tests/shared_cache.rs).
    let client = Client::new(&Options { shared_cache: Some(false), ..options(&emulator, &file) }).unwrap();
    let parent_token = client.get_token(SQL).unwrap();
    let minted = support::in_a_forked_child(|| matches!(client.get_token(SQL), Ok(t) if t.secret() != parent_token.secret()));
    assert!(minted, "the child could not mint");
    // The child asked the broker itself; the parent still has its token.
    assert_eq!(emulator.token_requests(), 2);
    assert_eq!(client.get_token(SQL).unwrap().secret(), parent_token.secret());
    assert_eq!(emulator.token_requests(), 2);
}

#[test]
fn a_call_timeout_narrows_the_clients_but_never_widens_it() {
    let emulator = Emulator::start();
    let file = BearerFile::fresh();
    let client = Client::new(&Options { timeout: Some(Duration::from_millis(300)), cache: Some(false), ..options(&emulator, &file) }).unwrap();
    emulator.settings(json!({ "delay_ms": 1000 }));
    let wider = TokenRequest { timeout: Some(Duration::from_secs(5)), ..TokenRequest::new(SQL) };
    assert_eq!(client.request_token(&wider).unwrap_err().kind(), ErrorKind::Timeout);
}
