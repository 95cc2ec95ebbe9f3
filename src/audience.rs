//! Scope → broker audience.
//!
//! Azure SDKs ask for a scope (`https://vault.azure.net/.default`); the broker
//! mints for an audience (`vault`). The resource is the scope without a
//! trailing `/.default` and without trailing slashes, looked up exactly in the
//! default map merged with the caller's overrides. An unmapped scope never
//! reaches the broker.
//!
//! Some tools ask for another name of one of these Entra audiences: those
//! names are aliases, each mapped to the audience of the resource it names
//! (so an alias never asks the broker for anything the six do not).

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

/// Other resources that real tools ask for, each another identifier of the
/// same Entra application as one of the `DEFAULT_AUDIENCES` resources (the
/// second of the pair), whose audience it gets. Each names its source.
pub const RESOURCE_ALIASES: [(&str, &str); 1] = [
    // Azure Resource Manager's first identifier. The Azure CLI asks for it to
    // log in (`az login --identity`) and by default (`az account
    // get-access-token`): the cloud's `active_directory_resource_id`
    // (azure-cli-core `cloud.py`); ARM accepts tokens for either identifier.
    ("https://management.core.windows.net", "https://management.azure.com"),
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
        AudienceMap::with_overrides([])
    }
}

impl AudienceMap {
    /// The defaults with `overrides` merged over them: an override wins, a new
    /// resource is added, and an empty audience removes the resource (as the
    /// Python credential's falsy lookup did). Override keys are normalised
    /// like scopes, so `https://x/` and `https://x/.default` both mean `https://x`.
    /// An alias follows its resource (overridden or removed with it) unless
    /// it is overridden itself.
    pub fn with_overrides<'a>(overrides: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut audiences: BTreeMap<String, String> =
            DEFAULT_AUDIENCES.iter().map(|(r, a)| (r.to_string(), a.to_string())).collect();
        let mut overridden = Vec::new();
        for (resource, audience) in overrides {
            let resource = resource_of(resource).to_string();
            if audience.is_empty() {
                audiences.remove(&resource);
            } else {
                audiences.insert(resource.clone(), audience.to_string());
            }
            overridden.push(resource);
        }
        for (alias, resource) in RESOURCE_ALIASES {
            if !overridden.iter().any(|r| r == alias) {
                if let Some(audience) = audiences.get(resource).cloned() {
                    audiences.insert(alias.to_string(), audience);
                }
            }
        }
        AudienceMap { audiences }
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
    fn aliases_resolve_to_the_audience_of_their_resource() {
        let map = AudienceMap::default();
        for (alias, resource) in RESOURCE_ALIASES {
            assert_eq!(resource_of(alias), alias, "an alias is written as a resource");
            let (_, audience) = DEFAULT_AUDIENCES.iter().find(|(r, _)| *r == resource).expect("an alias names a default resource");
            assert_eq!(map.resolve(&format!("{alias}/")).unwrap(), *audience);
            assert_eq!(map.resolve(&format!("{alias}/.default")).unwrap(), *audience);
        }
        assert_eq!(map.resolve("https://management.core.windows.net/").unwrap(), "arm");
        assert_eq!(map.iter().count(), DEFAULT_AUDIENCES.len() + RESOURCE_ALIASES.len());
    }

    #[test]
    fn an_alias_follows_its_resource_unless_overridden_itself() {
        let arm = "https://management.core.windows.net/.default";
        let map = AudienceMap::with_overrides([("https://management.azure.com/", "arm_custom")]);
        assert_eq!(map.resolve(arm).unwrap(), "arm_custom");
        let map = AudienceMap::with_overrides([("https://management.azure.com", "")]);
        assert_eq!(map.resolve(arm).unwrap_err().kind(), ErrorKind::ScopeNotAllowed);
        let map = AudienceMap::with_overrides([("https://management.azure.com", ""), ("https://management.core.windows.net/", "classic")]);
        assert_eq!(map.resolve(arm).unwrap(), "classic");
        let map = AudienceMap::with_overrides([("https://management.core.windows.net", "")]);
        assert_eq!(map.resolve(arm).unwrap_err().kind(), ErrorKind::ScopeNotAllowed);
        assert_eq!(map.resolve("https://management.azure.com").unwrap(), "arm");
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
