//! The default audience map is documented twice — the book's "Scopes and
//! audiences" tables (docs/configuration.md, the one place every README and
//! chapter links to) and the header's comment on
//! `vd_broker_options_set_audience` — and each must say exactly what the
//! core maps: every resource, alias included, with its audience.

use std::collections::BTreeSet;

use vd_broker::audience::{resource_of, AudienceMap, DEFAULT_AUDIENCES, RESOURCE_ALIASES};

type Pairs = BTreeSet<(String, String)>;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn the_map() -> Pairs {
    AudienceMap::default().iter().map(|(r, a)| (r.to_string(), a.to_string())).collect()
}

/// The first two cells of every table row of a document's section, when they
/// are a backticked URL (a resource or a scope) and a backticked audience.
fn documented_pairs(path: &str, heading: &str) -> Pairs {
    let document = read(path);
    let section = document.split(&format!("\n## {heading}\n")).nth(1).expect("the document has the section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix('|')?.split('|').map(str::trim);
            let resource = cells.next()?.strip_prefix("`https://")?.strip_suffix('`')?;
            let audience = cells.next()?.strip_prefix('`')?.split('`').next()?;
            Some((resource_of(&format!("https://{resource}")).to_string(), audience.to_string()))
        })
        .collect()
}

/// The `` - `resource` → `audience` `` items of the header's comment on
/// `vd_broker_options_set_audience`.
fn header_pairs() -> Pairs {
    let header = read("include/vd_broker.h");
    let declaration = header.find("int32_t vd_broker_options_set_audience(").expect("the header declares it");
    let comment_start = header[..declaration].rfind("/**").unwrap();
    header[comment_start..declaration]
        .lines()
        .filter_map(|line| {
            let item = line.trim_start().strip_prefix("* - `")?;
            let (resource, rest) = item.split_once("` → `")?;
            let audience = rest.split('`').next()?;
            Some((resource.to_string(), audience.to_string()))
        })
        .collect()
}

#[test]
fn the_book_lists_the_map() {
    let listed = documented_pairs("docs/configuration.md", "Scopes and audiences");
    assert_eq!(listed, the_map(), "docs/configuration.md's \"Scopes and audiences\" tables and the core's map differ");
}

#[test]
fn the_header_lists_the_map() {
    assert_eq!(header_pairs(), the_map(), "include/vd_broker.h (src/ffi/options.rs) and the core's map differ");
}

#[test]
fn the_map_is_the_six_audiences_and_their_aliases() {
    let six: BTreeSet<&str> = DEFAULT_AUDIENCES.iter().map(|(_, a)| *a).collect();
    assert_eq!(six.len(), 6);
    let audiences: BTreeSet<String> = the_map().into_iter().map(|(_, a)| a).collect();
    assert_eq!(audiences, six.iter().map(|a| a.to_string()).collect(), "an alias asks the broker for a seventh audience");
    assert_eq!(the_map().len(), DEFAULT_AUDIENCES.len() + RESOURCE_ALIASES.len());
}
