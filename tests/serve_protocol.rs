//! `vd-broker serve` speaks the App Service managed-identity protocol: the
//! answer every SDK parses, every documented error status, the broker's
//! failures mapped, and one process cache behind every request.
#![cfg(feature = "serve")]

mod serve_support;
mod support;

use serve_support::Served;
use support::{claims, now, Emulator};

const VAULT: &str = "https://vault.azure.net";

#[test]
fn answers_a_token_in_the_app_service_shape() {
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    assert_eq!(served.endpoint, format!("http://{}/msi/token", served.address));
    assert!(served.address.starts_with("127.0.0.1:"), "{}", served.address);

    let reply = served.token("https%3A%2F%2Fvault.azure.net");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let answer = reply.json();
    let fields: Vec<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, ["access_token", "expires_in", "expires_on", "resource", "token_type"]);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["resource"], VAULT);
    let expires_on: i64 = answer["expires_on"].as_str().expect("expires_on is a string").parse().unwrap();
    assert!(expires_on > now() + 3000, "{expires_on}");
    // The seconds left, as a string as IMDS sends it: expires_on less now.
    let expires_in: i64 = answer["expires_in"].as_str().expect("expires_in is a string").parse().unwrap();
    assert!((expires_on - now() - expires_in).abs() <= 2, "expires_in {expires_in}, expires_on {expires_on}");
    let token = answer["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["aud"], VAULT);

    // The scope form, a trailing slash on the path, and the identity
    // selectors (accepted, ignored) give the same cached token.
    let scoped = served.get(
        "api-version=2019-08-01&resource=https://vault.azure.net/.default&client_id=c&object_id=o&mi_res_id=m",
        &[("X-IDENTITY-HEADER", &served.header), ("Metadata", "true")],
    );
    assert_eq!(scoped.status, 200, "{}", scoped.body);
    assert_eq!(scoped.json()["access_token"], token);
    assert_eq!(scoped.json()["resource"], VAULT);
    let slash = served.request(
        "GET",
        &format!("{}/?api-version=2019-08-01&resource={VAULT}", served.endpoint),
        &[("x-identity-header", &served.header)],
    );
    assert_eq!(slash.json()["access_token"], token);
    assert_eq!(emulator.token_requests(), 1, "one broker request for one resource");

    // The log names method, resource, status and latency; never the secrets.
    let log = served.log();
    assert!(log.contains(&format!("GET \"{VAULT}\" 200 ")), "{log}");
    assert!(!log.contains(&served.header), "the header secret is logged");
    assert!(!log.contains(token.split('.').nth(1).unwrap()), "a token is logged");
    assert!(!log.contains(&served.bearer.bearer()), "the bearer is logged");
}

#[test]
fn every_refusal_has_its_status_and_a_json_error() {
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    let header = [("X-IDENTITY-HEADER", served.header.as_str())];
    let cases: Vec<(&str, u16, &str, serve_support::Reply)> = vec![
        ("unknown resource", 400, "invalid_resource", served.token("https://example.com")),
        ("no resource", 400, "invalid_request", served.get("api-version=2019-08-01", &header)),
        ("no api-version", 400, "invalid_request", served.get(&format!("resource={VAULT}"), &header)),
        ("old api-version", 400, "invalid_request", served.get(&format!("api-version=2017-09-01&resource={VAULT}"), &header)),
        ("two resources", 400, "invalid_request", served.get(&format!("api-version=2019-08-01&resource={VAULT}&resource={VAULT}"), &header)),
        ("no header", 401, "unauthorized", served.get(&format!("api-version=2019-08-01&resource={VAULT}"), &[])),
        ("wrong header", 401, "unauthorized", served.get(&format!("api-version=2019-08-01&resource={VAULT}"), &[("X-IDENTITY-HEADER", &"0".repeat(64))])),
        ("other path", 404, "not_found", served.request("GET", &format!("http://{}/metadata/identity/oauth2/token", served.address), &header)),
        ("POST", 405, "method_not_allowed", served.request("POST", &served.endpoint, &header)),
    ];
    for (case, status, error, reply) in cases {
        assert_eq!(reply.status, status, "{case}: {}", reply.body);
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{case}");
        let body = reply.json();
        assert_eq!(body["error"], error, "{case}: {body}");
        assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{case}: {body}");
        assert_eq!(body["statusCode"], status, "{case}: {body}");
        assert_eq!(body["message"], body["error_description"], "{case}: {body}");
    }
    let unknown = served.token("https://example.com").json();
    let description = unknown["error_description"].as_str().unwrap();
    assert!(description.contains("\"https://storage.azure.com\""), "names the known resources: {description}");
    let post = served.request("POST", &served.endpoint, &header);
    assert_eq!(post.header("allow"), Some("GET"));
    assert_eq!(emulator.token_requests(), 0, "no refused request reaches the broker");
}

#[test]
fn broker_failures_map_to_documented_statuses() {
    let emulator = Emulator::start();
    let served = Served::start(&emulator);
    let cases = [
        (serde_json::json!({"action": "respond", "status": 401, "times": 1}), 403, "broker_rejected"),
        (serde_json::json!({"action": "respond", "status": 500, "times": 4}), 502, "broker_error"),
        (serde_json::json!({"action": "respond", "status": 200, "body": "not a token", "times": 1}), 502, "broker_error"),
        (serde_json::json!({"action": "reset", "times": 4}), 503, "broker_unreachable"),
    ];
    // Each case asks for another resource: a cached token would hide the fault.
    let resources = ["https://database.windows.net", "https://storage.azure.com", "https://management.azure.com", VAULT];
    for ((fault, status, error), resource) in cases.into_iter().zip(resources) {
        emulator.fault(fault.clone());
        let reply = served.token(resource);
        assert_eq!(reply.status, status, "{fault}: {}", reply.body);
        assert_eq!(reply.json()["error"], error, "{fault}");
    }
    // A blank bearer file: the Studio session is not active.
    served.bearer.write("\n");
    let blank = served.token("https://api.fabric.microsoft.com");
    assert_eq!(blank.status, 503, "{}", blank.body);
    assert_eq!(blank.json()["error"], "credential_unavailable");
    // Still serving, with the bearer back.
    served.bearer.write(&format!("{}\n", support::fresh_bearer()));
    assert_eq!(served.token(VAULT).status, 200);
}

#[test]
fn concurrent_requests_for_one_resource_make_one_broker_request() {
    let emulator = Emulator::start();
    // A slow broker, so that all of them arrive while the first mint is out.
    emulator.settings(serde_json::json!({"delay_ms": 300}));
    let served = Served::start(&emulator);
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..32).map(|_| scope.spawn(|| served.token(VAULT))).collect();
        let tokens: Vec<String> = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .map(|reply| {
                assert_eq!(reply.status, 200, "{}", reply.body);
                reply.json()["access_token"].as_str().unwrap().to_string()
            })
            .collect();
        assert!(tokens.windows(2).all(|w| w[0] == w[1]), "every caller got the one token");
    });
    assert_eq!(emulator.token_requests(), 1);
}
