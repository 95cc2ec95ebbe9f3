//! Scope → broker audience.
//!
//! Azure SDKs ask for a scope (`https://vault.azure.net/.default`); the broker
//! mints for an audience (`vault`). The resource is the scope without a
//! trailing `/.default` and without trailing slashes, looked up exactly in the
//! default map merged with the caller's overrides. An unmapped scope never
//! reaches the broker.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind};

/// The audiences every client knows, before overrides.
pub const DEFAULT_AUDIENCES: [(&str, &str); 6] = [
    ("https://database.windows.net", "sql"),
    ("https://storage.azure.com", "storage"),
    ("https://vault.azure.net", "vault"),
    ("https://api.fabric.microsoft.com", "fabric_api"),
    ("https://analysis.windows.net/powerbi/api", "fabric_cli"),
    ("https://management.azure.com", "arm"),
];

/// Audiences minted through the broker's Secret Store lane; every other
/// audience belongs to the Data Platform lane.
const SECRET_STORE_AUDIENCES: [&str; 3] = ["discovery", "validation", "key_vault_data_plane"];

/// The resource a scope names: `/.default` dropped, then trailing `/`.
pub fn resource_of(scope: &str) -> &str {
    scope.strip_suffix("/.default").unwrap_or(scope).trim_end_matches('/')
}

/// The broker's `scope` field for an audience: `secret_store` or `data_platform`.
pub fn broker_scope_of(audience: &str) -> &'static str {
    if SECRET_STORE_AUDIENCES.contains(&audience) {
        "secret_store"
    } else {
        "data_platform"
    }
}

/// Resource → audience, the defaults merged with overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceMap {
    audiences: BTreeMap<String, String>,
}

impl Default for AudienceMap {
    fn default() -> Self {
        let audiences = DEFAULT_AUDIENCES
            .iter()
            .map(|(resource, audience)| (resource.to_string(), audience.to_string()))
            .collect();
        AudienceMap { audiences }
    }
}

impl AudienceMap {
    /// The defaults with `overrides` merged over them: an override wins, a new
    /// resource is added, and an empty audience removes the resource (as the
    /// Python credential's falsy lookup did). Override keys are normalised
    /// like scopes, so `https://x/` and `https://x/.default` both mean `https://x`.
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut map = AudienceMap::default();
        for (resource, audience) in overrides {
            let resource = resource_of(resource).to_string();
            if audience.is_empty() {
                map.audiences.remove(&resource);
            } else {
                map.audiences.insert(resource, audience.to_string());
            }
        }
        map
    }

    /// The audience for `scope`, or `ScopeNotAllowed` listing what is known.
    pub fn resolve(&self, scope: &str) -> Result<&str, Error> {
        if scope.is_empty() {
            return Err(Error::invalid_argument(
                "no scope given: pass the Azure scope to mint for, e.g. \
                 \"https://database.windows.net/.default\"",
            ));
        }
        match self.audiences.get(resource_of(scope)) {
            Some(audience) => Ok(audience),
            None => Err(Error::new(
                ErrorKind::ScopeNotAllowed,
                format!(
                    "no broker audience is mapped for scope {scope:?}; known resources: [{}]. \
                     Ask for one of these, or add the resource to the audience map",
                    self.resources().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// Known resources, sorted.
    pub fn resources(&self) -> impl Iterator<Item = &str> {
        self.audiences.keys().map(String::as_str)
    }

    /// `(resource, audience)` pairs, sorted by resource.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.audiences.iter().map(|(r, a)| (r.as_str(), a.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_drops_default_suffix_then_slashes() {
        assert_eq!(resource_of("https://vault.azure.net/.default"), "https://vault.azure.net");
        assert_eq!(resource_of("https://vault.azure.net//"), "https://vault.azure.net");
        assert_eq!(resource_of("https://vault.azure.net//.default"), "https://vault.azure.net");
        assert_eq!(resource_of("https://vault.azure.net"), "https://vault.azure.net");
        assert_eq!(resource_of("/.default"), "");
    }

    #[test]
    fn defaults_resolve() {
        let map = AudienceMap::default();
        for (resource, audience) in DEFAULT_AUDIENCES {
            assert_eq!(map.resolve(&format!("{resource}/.default")).unwrap(), audience);
            assert_eq!(map.resolve(&format!("{resource}/")).unwrap(), audience);
        }
    }

    #[test]
    fn lookup_is_exact() {
        let map = AudienceMap::default();
        let err = map.resolve("https://VAULT.azure.net/.default").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ScopeNotAllowed);
        assert!(err.message().contains("\"https://vault.azure.net\""), "{}", err.message());
        assert_eq!(map.resolve("").unwrap_err().kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn overrides_win_add_and_remove() {
        let map = AudienceMap::with_overrides([
            ("https://vault.azure.net/", "key_vault_data_plane"),
            ("https://custom.example/.default", "custom"),
            ("https://management.azure.com", ""),
        ]);
        assert_eq!(map.resolve("https://vault.azure.net/.default").unwrap(), "key_vault_data_plane");
        assert_eq!(map.resolve("https://custom.example").unwrap(), "custom");
        assert_eq!(
            map.resolve("https://management.azure.com/.default").unwrap_err().kind(),
            ErrorKind::ScopeNotAllowed
        );
    }

    #[test]
    fn broker_scope_classification() {
        assert_eq!(broker_scope_of("key_vault_data_plane"), "secret_store");
        assert_eq!(broker_scope_of("discovery"), "secret_store");
        assert_eq!(broker_scope_of("validation"), "secret_store");
        assert_eq!(broker_scope_of("vault"), "data_platform");
    }
}
