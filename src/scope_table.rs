//! A client's scopes, resolved in one hash: resource → what a call for it
//! needs (its audience, and its request body with the fixed part of its
//! cache key), built once from the audience map.
//!
//! The warm path used to walk the audience map (a sorted tree, ~10 string
//! compares over 1 000 resources) and then hash the audience into a second
//! map; with many keys both touch memory that differs per key. Here one
//! lookup of the resource lands on everything the call needs.

use std::collections::HashMap;
use std::sync::Arc;

use crate::audience::{resource_of, AudienceMap};
use crate::cache::KeyScope;
use crate::error::Error;

/// What a call for one resource needs.
pub(crate) struct ScopeEntry {
    audience: Box<str>,
    key: KeyScope,
}

impl ScopeEntry {
    /// The broker audience the resource maps to.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The request body and the fixed part of the cache key.
    pub fn key(&self) -> &KeyScope {
        &self.key
    }
}

pub(crate) struct ScopeTable {
    by_resource: HashMap<Box<str>, ScopeEntry>,
}

impl ScopeTable {
    /// One entry per resource of `audiences`, its requests going to
    /// `endpoint` with the body `body` makes of its audience (made once per
    /// audience, shared by the resources that map to it).
    pub fn new(audiences: &AudienceMap, endpoint: &Arc<str>, body: impl Fn(&str) -> Vec<u8>) -> ScopeTable {
        let mut bodies: HashMap<&str, Arc<[u8]>> = HashMap::new();
        let by_resource = audiences
            .iter()
            .map(|(resource, audience)| {
                let body = bodies.entry(audience).or_insert_with(|| body(audience).into());
                let key = KeyScope::new(Arc::clone(endpoint), Arc::clone(body));
                (resource.into(), ScopeEntry { audience: audience.into(), key })
            })
            .collect();
        ScopeTable { by_resource }
    }

    /// The entry for `scope`, by the audience map's rules: its errors (no
    /// scope, an unmapped one) come from `audiences`, this table's source.
    pub fn resolve(&self, audiences: &AudienceMap, scope: &str) -> Result<&ScopeEntry, Error> {
        if !scope.is_empty() {
            if let Some(entry) = self.by_resource.get(resource_of(scope)) {
                return Ok(entry);
            }
        }
        let audience = audiences.resolve(scope)?;
        unreachable!("the table has every resource of its map, and {audience:?} is mapped")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_as_the_audience_map_does() {
        let scopes = [
            "https://custom.example/.default",
            "https://custom.example//",
            "https://vault.azure.net",
            "https://vault.azure.net//.default",
            "https://management.azure.com/.default",
            "https://management.core.windows.net/",
            "https://VAULT.azure.net/.default",
            "/.default",
            "",
        ];
        let overridden = AudienceMap::with_overrides([("https://custom.example/", "custom"), ("https://management.azure.com", "")]);
        for map in [AudienceMap::default(), overridden] {
            let table = ScopeTable::new(&map, &Arc::from("http://b/token"), |audience| audience.as_bytes().to_vec());
            for scope in scopes {
                match (map.resolve(scope), table.resolve(&map, scope)) {
                    (Ok(audience), Ok(entry)) => {
                        assert_eq!(entry.audience(), audience, "{scope}");
                        assert_eq!(entry.key().request(), audience.as_bytes(), "{scope}");
                    }
                    (Err(want), Err(got)) => assert_eq!((got.kind(), got.message()), (want.kind(), want.message()), "{scope}"),
                    (want, got) => panic!("{scope}: the map says {want:?}, the table {:?}", got.map(ScopeEntry::audience)),
                }
            }
        }
    }
}
