//! One entry of the shared cache: a file per cache key, named by a digest of
//! the key, holding the token, `expires_on`, `refresh_on`, a format version
//! and a checksum — never the bearer (the key holds only its digest, and the
//! name is a digest of that). Written whole to a temporary file and renamed
//! into place, so a reader sees the old entry or the new one; anything a
//! reader cannot trust is a miss, and the next write replaces it.

use std::os::fd::AsFd;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::dir::Dir;
use super::fs;
use crate::cache::CacheKey;
use crate::token::AccessToken;

pub(super) const TOKEN_SUFFIX: &str = ".token";
pub(super) const LOCK_SUFFIX: &str = ".lock";
pub(super) const TEMP_SUFFIX: &str = ".tmp";
/// The first line of every entry; a file of another format version is a miss.
const MAGIC: &str = "vd_broker shared token v1\n";
/// Far above any token (the broker's whole answer is capped at 1 MiB; real
/// tokens are a few KiB); a bigger file is not ours.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The digest naming a key's files: 64 hex characters.
pub(super) struct Name(String);

impl Name {
    pub fn of(key: &CacheKey) -> Name {
        let mut digest = Sha256::new();
        digest.update(b"vd_broker shared cache key v1\0");
        digest.update((key.endpoint.len() as u64).to_le_bytes());
        digest.update(key.endpoint.as_bytes());
        match &key.bearer_digest {
            Some(bearer) => digest.update([[1u8].as_slice(), bearer].concat()),
            None => digest.update([0u8]),
        }
        digest.update(&key.request);
        Name(hex(&digest.finalize()))
    }

    pub fn stem(&self) -> &str {
        &self.0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry's text: the magic line, `key`, `expires_on`, `refresh_on`,
/// `token <length>` then the token, and a SHA-256 of everything before it.
fn encode(name: &Name, token: &AccessToken) -> Zeroizing<Vec<u8>> {
    let secret = token.secret();
    let mut text = Zeroizing::new(Vec::with_capacity(secret.len() + 256));
    text.extend_from_slice(MAGIC.as_bytes());
    let fields = format!(
        "key {}\nexpires_on {}\nrefresh_on {}\ntoken {}\n",
        name.0,
        token.expires_on(),
        token.refresh_on(),
        secret.len()
    );
    text.extend_from_slice(fields.as_bytes());
    text.extend_from_slice(secret.as_bytes());
    text.push(b'\n');
    let sum = hex(&Sha256::digest(&text[..]));
    text.extend_from_slice(format!("sha256 {sum}\n").as_bytes());
    text
}

/// The token in `text`, if it is a whole, unaltered entry of this format
/// for `name`.
fn decode(name: &Name, text: &[u8]) -> Option<AccessToken> {
    let body_len = text.len().checked_sub("sha256 \n".len() + 64)?;
    let (body, trailer) = text.split_at(body_len);
    if trailer != format!("sha256 {}\n", hex(&Sha256::digest(body))).as_bytes() {
        return None;
    }
    let mut rest = body.strip_prefix(MAGIC.as_bytes())?;
    let mut field = |label: &str| -> Option<&[u8]> {
        let line_end = rest.iter().position(|b| *b == b'\n')?;
        let value = rest[..line_end].strip_prefix(label.as_bytes())?.strip_prefix(b" ")?;
        rest = &rest[line_end + 1..];
        Some(value)
    };
    let number = |bytes: &[u8]| std::str::from_utf8(bytes).ok()?.parse::<i64>().ok();
    if field("key")? != name.0.as_bytes() {
        return None;
    }
    let expires_on = number(field("expires_on")?)?;
    let refresh_on = number(field("refresh_on")?)?;
    let length = usize::try_from(number(field("token")?)?).ok()?;
    if length == 0 || rest.len() != length + 1 || rest[length] != b'\n' || refresh_on > expires_on {
        return None;
    }
    let secret = Zeroizing::new(std::str::from_utf8(&rest[..length]).ok()?.to_string());
    Some(AccessToken::new(secret, expires_on, refresh_on))
}

/// The unexpired token stored for `name`, if a trustworthy entry holds one:
/// a regular file (a symlink is not followed), of this uid, mode 0600,
/// whole and of this format. Anything else is a miss.
pub(super) fn read(dir: &Dir, name: &Name, now: i64) -> Option<AccessToken> {
    let path = fs::c_name(&format!("{}{TOKEN_SUFFIX}", name.0));
    // O_NONBLOCK: a FIFO planted at the name must not block the open.
    let fd = fs::open_at(dir.fd(), &path, libc::O_RDONLY | libc::O_NONBLOCK, 0).ok()?;
    let meta = fs::fstat(fd.as_fd()).ok()?;
    if !meta.is_file() || !meta.is_ours() || meta.mode() != 0o600 || meta.size() > MAX_FILE_BYTES {
        return None;
    }
    let mut text = Zeroizing::new(vec![0u8; meta.size() as usize]);
    fs::read_exact(fd.as_fd(), &mut text).ok()?;
    decode(name, &text).filter(|token| !token.is_expired(now))
}

/// Stores `token` for `name`: written to a new temporary file (0600,
/// `O_EXCL|O_NOFOLLOW`) in the directory, then renamed over the entry.
pub(super) fn write(dir: &Dir, name: &Name, token: &AccessToken) -> std::io::Result<()> {
    let text = encode(name, token);
    let temp = fs::c_name(&format!(
        ".{}.{}.{:016x}{TEMP_SUFFIX}",
        name.0,
        std::process::id(),
        fastrand::u64(..)
    ));
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
    let fd = fs::open_at(dir.fd(), &temp, flags, 0o600)?;
    let written = fs::chmod(fd.as_fd(), 0o600)
        .and_then(|()| fs::write_all(fd.as_fd(), &text))
        // Its modification time is its expiry, for `tidy`.
        .and_then(|()| fs::set_modified(fd.as_fd(), token.expires_on()))
        .and_then(|()| fs::rename_at(dir.fd(), &temp, &fs::c_name(&format!("{}{TOKEN_SUFFIX}", name.0))));
    if written.is_err() {
        let _ = fs::unlink_at(dir.fd(), &temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::KeyScope;
    use std::sync::Arc;

    fn key(bearer: Option<[u8; 32]>) -> CacheKey {
        KeyScope::new("http://b/token".into(), Arc::from(&b"{\"audience\":\"sql\"}"[..])).key(bearer)
    }

    fn token() -> AccessToken {
        AccessToken::new(Zeroizing::new("header.payload.signature".into()), 2_000_000_000, 1_999_990_000)
    }

    #[test]
    fn names_differ_by_every_part_of_the_key() {
        let names = [key(None), key(Some([1; 32])), key(Some([2; 32]))].map(|k| Name::of(&k).0);
        assert!(names.iter().all(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit())));
        assert!(names[0] != names[1] && names[1] != names[2] && names[0] != names[2]);
        let other_body = KeyScope::new("http://b/token".into(), Arc::from(&b"{}"[..])).key(None);
        assert_ne!(Name::of(&other_body).0, names[0]);
    }

    #[test]
    fn an_entry_round_trips() {
        let name = Name::of(&key(Some([7; 32])));
        let decoded = decode(&name, &encode(&name, &token())).unwrap();
        assert_eq!(decoded, token());
    }

    #[test]
    fn any_damage_is_a_miss() {
        let name = Name::of(&key(Some([7; 32])));
        let text = encode(&name, &token());
        for cut in [0, 1, 20, text.len() / 2, text.len() - 1] {
            assert!(decode(&name, &text[..cut]).is_none(), "truncated at {cut}");
        }
        for at in [0, 30, text.len() / 2, text.len() - 3] {
            let mut bent = text.to_vec();
            bent[at] ^= 0x01;
            assert!(decode(&name, &bent).is_none(), "flipped at {at}");
        }
        // Another format version is a miss even with a checksum that matches.
        let body = String::from_utf8(text[..text.len() - 72].to_vec()).unwrap().replacen(" v1\n", " v2\n", 1);
        let other_version = format!("{body}sha256 {}\n", hex(&Sha256::digest(body.as_bytes())));
        assert!(decode(&name, other_version.as_bytes()).is_none());
        // A whole entry of another key, copied under this name, is a miss too.
        assert!(decode(&Name::of(&key(None)), &text).is_none());
    }
}
