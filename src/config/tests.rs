use super::*;
use crate::error::ErrorKind;
use std::collections::HashMap;

fn resolve(options: &Options, vars: &[(&str, &str)]) -> Result<Config, Error> {
    let mut vars: HashMap<String, String> =
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    vars.entry(ENV_RUNTIME_ACCESS_SOCKET.into()).or_insert("/nonexistent/vd-test.sock".into());
    Config::resolve(options, |name| vars.get(name).cloned())
}

const BASE: [(&str, &str); 2] =
    [(ENV_BROKER_URL_LEGACY, "http://broker.test/api/"), (ENV_CREDENTIAL_FILE, "/run/vd/credential")];

#[test]
fn env_fills_in_and_trailing_slash_is_stripped() {
    let config = resolve(&Options::default(), &BASE).unwrap();
    assert_eq!(config.broker_url.as_deref(), Some("http://broker.test/api"));
    assert_eq!(config.credential_file.as_deref(), Some(Path::new("/run/vd/credential")));
    assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    assert!(config.cache);
    assert!(config.context.is_none());
}

#[test]
fn newer_variable_and_options_win() {
    let mut vars = BASE.to_vec();
    vars.push((ENV_BROKER_URL, "http://newer.test"));
    assert_eq!(resolve(&Options::default(), &vars).unwrap().broker_url.as_deref(), Some("http://newer.test"));
    let options = Options { broker_url: Some("https://explicit.test/".into()), ..Options::default() };
    assert_eq!(resolve(&options, &vars).unwrap().broker_url.as_deref(), Some("https://explicit.test"));
    let blank = Options { broker_url: Some("  ".into()), ..Options::default() };
    assert_eq!(resolve(&blank, &vars).unwrap().broker_url.as_deref(), Some("http://newer.test"));
}

#[test]
fn missing_pointers_are_configuration_errors() {
    let err = resolve(&Options::default(), &BASE[1..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(err.message().contains("VD_AZ_TOKEN_URL"), "{err}");
    let err = resolve(&Options::default(), &BASE[..1]).unwrap_err();
    assert!(err.message().contains("VD_CREDENTIAL_FILE"), "{err}");
}

#[test]
fn bad_url_is_refused() {
    for url in ["ftp://x", "not a url", "http://", "http://x/?a=b"] {
        let options = Options { broker_url: Some(url.into()), ..Options::default() };
        assert_eq!(resolve(&options, &BASE).unwrap_err().kind(), ErrorKind::Configuration, "{url}");
    }
}

#[test]
fn lane_and_revision_go_together() {
    let mut vars = BASE.to_vec();
    vars.push((ENV_LANE, "service"));
    assert_eq!(resolve(&Options::default(), &vars).unwrap_err().kind(), ErrorKind::Configuration);
    vars.push((ENV_CONFIGURATION_REVISION, "7"));
    let context = resolve(&Options::default(), &vars).unwrap().context.unwrap();
    assert_eq!((context.lane.as_str(), context.configuration_revision), ("service", 7));
    for (lane, revision) in [("robot", "1"), ("user", "-1"), ("user", "x")] {
        let vars = [BASE[0], BASE[1], (ENV_LANE, lane), (ENV_CONFIGURATION_REVISION, revision)];
        assert_eq!(resolve(&Options::default(), &vars).unwrap_err().kind(), ErrorKind::Configuration);
    }
    let options = Options { configuration_revision: Some(-3), lane: Some("user".into()), ..Options::default() };
    assert_eq!(resolve(&options, &BASE).unwrap_err().kind(), ErrorKind::Configuration);
}

#[test]
fn cache_switch() {
    let mut vars = BASE.to_vec();
    vars.push((ENV_CACHE, "off"));
    assert!(!resolve(&Options::default(), &vars).unwrap().cache);
    let on = Options { cache: Some(true), ..Options::default() };
    assert!(resolve(&on, &vars).unwrap().cache);
    vars.push((ENV_CACHE, "maybe"));
    let mut bad = BASE.to_vec();
    bad.push((ENV_CACHE, "maybe"));
    assert_eq!(resolve(&Options::default(), &bad).unwrap_err().kind(), ErrorKind::Configuration);
}

#[test]
fn shared_cache_directory_and_switch() {
    let config = resolve(&Options::default(), &BASE).unwrap();
    let euid = unsafe { libc::geteuid() };
    assert_eq!(config.shared_cache_dir, Some(PathBuf::from(format!("/dev/shm/vd_broker-{euid}"))));
    let mut vars = BASE.to_vec();
    vars.push(("XDG_RUNTIME_DIR", "relative/ignored"));
    assert_eq!(resolve(&Options::default(), &vars).unwrap().shared_cache_dir, config.shared_cache_dir);
    vars.push(("XDG_RUNTIME_DIR", "/run/user/1000"));
    let runtime = resolve(&Options::default(), &vars).unwrap().shared_cache_dir;
    assert_eq!(runtime, Some(PathBuf::from("/run/user/1000/vd_broker")));
    vars.push((ENV_CACHE_DIR, "/tmp/explicit"));
    assert_eq!(resolve(&Options::default(), &vars).unwrap().shared_cache_dir, Some(PathBuf::from("/tmp/explicit")));
    let option = Options { shared_cache_dir: Some("/tmp/option".into()), ..Options::default() };
    assert_eq!(resolve(&option, &vars).unwrap().shared_cache_dir, Some(PathBuf::from("/tmp/option")));
    // Off by its own switch, by the option, or with the token cache.
    for (name, value) in [(ENV_SHARED_CACHE, "0"), (ENV_CACHE, "off")] {
        let mut off = BASE.to_vec();
        off.push((name, value));
        assert_eq!(resolve(&Options::default(), &off).unwrap().shared_cache_dir, None, "{name}");
    }
    let off = Options { shared_cache: Some(false), ..Options::default() };
    assert_eq!(resolve(&off, &BASE).unwrap().shared_cache_dir, None);
    let mut bad = BASE.to_vec();
    bad.push((ENV_SHARED_CACHE, "sometimes"));
    let err = resolve(&Options::default(), &bad).unwrap_err();
    assert!(err.message().contains(ENV_SHARED_CACHE), "{err}");
}

#[test]
fn an_override_needs_a_resource() {
    let options = Options { audience_overrides: vec![(" ".into(), "custom".into())], ..Options::default() };
    assert_eq!(resolve(&options, &BASE).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn only_a_socket_at_the_helper_path_is_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("helper.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let leftover = dir.path().join("leftover.sock");
    std::fs::write(&leftover, "").unwrap();
    let linked = dir.path().join("linked.sock");
    std::os::unix::fs::symlink(&socket, &linked).unwrap();
    for (path, helper) in [(&socket, true), (&linked, true), (&leftover, false), (&dir.path().to_path_buf(), false)] {
        let vars = [BASE[0], BASE[1], (ENV_RUNTIME_ACCESS_SOCKET, path.to_str().unwrap())];
        assert_eq!(resolve(&Options::default(), &vars).unwrap().use_access_helper, helper, "{path:?}");
    }
}

#[test]
fn zero_timeout_is_refused() {
    let options = Options { timeout: Some(Duration::ZERO), ..Options::default() };
    assert_eq!(resolve(&options, &BASE).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn a_timeout_in_seconds_must_be_positive_and_finite() {
    assert_eq!(timeout_from_seconds(1.5).unwrap(), Duration::from_millis(1500));
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = timeout_from_seconds(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().starts_with("the timeout option must be a positive number of seconds"), "{err}");
    }
    assert!(timeout_from_seconds(-1.0).unwrap_err().message().contains("not -1;"));
}

#[test]
fn messages_name_settings_neutrally() {
    let err = resolve(&Options::default(), &BASE[1..]).unwrap_err();
    assert!(err.message().starts_with("the broker URL is required: set the VD_CREDENTIAL_BROKER_URL"), "{err}");
    assert!(!err.message().contains("broker_url"), "{err}");
    assert_eq!(parse_revision(" 7 ").unwrap(), 7);
    assert!(!parse_revision("x").unwrap_err().message().contains("configuration_revision"));
}
