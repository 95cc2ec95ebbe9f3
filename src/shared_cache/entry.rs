//! One entry of the shared cache: a file per cache key, named by a digest of
//! the key, holding a format version, `expires_on`, `refresh_on` and the
//! token sealed (`seal`) with a key derived from the bearer that minted it
//! — never the bearer (the key holds only its digest, and the name is a
//! digest of that), nor the token in the clear. Written whole to a
//! temporary file and renamed into place, so a reader sees the old entry or
//! the new one; anything a reader cannot trust or open is a miss, and the
//! next write replaces it.

use std::os::fd::AsFd;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::dir::Dir;
use super::fs;
use super::seal::{SealKey, NONCE_BYTES, TAG_LEN};
use crate::cache::CacheKey;
use crate::token::AccessToken;
use crate::wipe::WipedBytes;

pub(super) const TOKEN_SUFFIX: &str = ".token";
pub(super) const LOCK_SUFFIX: &str = ".lock";
pub(super) const TEMP_SUFFIX: &str = ".tmp";
/// The first line of every entry; a file of another format version (v1's
/// plain tokens) is a miss, and the next write replaces it.
const MAGIC: &str = "vd_broker shared token v2\n";
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

/// An entry's name and the key it is sealed with, for one bearer.
pub(super) struct Entry {
    name: Name,
    key: SealKey,
}

impl Entry {
    /// The entry of `key`, sealed for `bearer` (the bearer `key` holds the digest of).
    pub fn new(key: &CacheKey, bearer: &[u8]) -> Entry {
        let name = Name::of(key);
        Entry { key: SealKey::derive(bearer, name.stem()), name }
    }

    pub fn stem(&self) -> &str {
        self.name.stem()
    }

    pub fn read(&self, dir: &Dir, now: i64) -> Option<AccessToken> {
        read(dir, &self.name, &self.key, now)
    }

    pub fn write(&self, dir: &Dir, token: &AccessToken) -> std::io::Result<()> {
        write(dir, &self.name, &self.key, token)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry's bytes: the magic line, `key`, `expires_on`, `refresh_on`
/// and `sealed <length>` lines — all of it authenticated as the AEAD's
/// associated data — then the nonce, the sealed token and its tag. `None`
/// if the OS gave no random nonce.
fn encode(name: &Name, key: &SealKey, token: &AccessToken) -> Option<WipedBytes> {
    let secret = token.secret().as_bytes();
    let header = format!(
        "{MAGIC}key {}\nexpires_on {}\nrefresh_on {}\nsealed {}\n",
        name.0,
        token.expires_on(),
        token.refresh_on(),
        NONCE_BYTES + secret.len() + TAG_LEN
    );
    let mut sealed = WipedBytes::with_capacity(secret.len() + TAG_LEN);
    sealed.extend_from_slice(secret);
    let mut nonce = [0u8; NONCE_BYTES];
    if !key.seal(header.as_bytes(), &mut nonce, &mut sealed) {
        return None;
    }
    let mut text = WipedBytes::with_capacity(header.len() + NONCE_BYTES + sealed.len());
    text.extend_from_slice(header.as_bytes());
    text.extend_from_slice(&nonce);
    text.extend_from_slice(&sealed);
    Some(text)
}

/// The token in `text`, if it is a whole entry of this format for `name`,
/// sealed with `key` and unaltered. `text` is decrypted in place.
fn decode(name: &Name, key: &SealKey, text: &mut [u8]) -> Option<AccessToken> {
    let mut rest = text.strip_prefix(MAGIC.as_bytes())?;
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
    let length = usize::try_from(number(field("sealed")?)?).ok()?;
    if length <= NONCE_BYTES + TAG_LEN || rest.len() != length || refresh_on > expires_on {
        return None;
    }
    let (header, sealed) = text.split_at_mut(text.len() - length);
    let (nonce, sealed) = sealed.split_at_mut(NONCE_BYTES);
    let secret = key.open(header, nonce.try_into().ok()?, sealed)?;
    let secret = Zeroizing::new(std::str::from_utf8(secret).ok()?.to_string());
    Some(AccessToken::new(secret, expires_on, refresh_on))
}

/// The unexpired token stored for `name`, if a trustworthy entry holds one:
/// a regular file (a symlink is not followed), of this uid, mode 0600,
/// whole, of this format and sealed with `key`. Anything else is a miss:
/// also an entry another bearer sealed.
fn read(dir: &Dir, name: &Name, key: &SealKey, now: i64) -> Option<AccessToken> {
    let path = fs::c_name(&format!("{}{TOKEN_SUFFIX}", name.0));
    // O_NONBLOCK: a FIFO planted at the name must not block the open.
    let fd = fs::open_at(dir.fd(), &path, libc::O_RDONLY | libc::O_NONBLOCK, 0).ok()?;
    let meta = fs::fstat(fd.as_fd()).ok()?;
    if !meta.is_file() || !meta.is_ours() || meta.mode() != 0o600 || meta.size() > MAX_FILE_BYTES {
        return None;
    }
    let mut text = Zeroizing::new(vec![0u8; meta.size() as usize]);
    fs::read_exact(fd.as_fd(), &mut text).ok()?;
    decode(name, key, &mut text).filter(|token| !token.is_expired(now))
}

/// Stores `token` for `name`, sealed with `key`: written to a new temporary
/// file (0600, `O_EXCL|O_NOFOLLOW`) in the directory, then renamed over
/// the entry.
fn write(dir: &Dir, name: &Name, key: &SealKey, token: &AccessToken) -> std::io::Result<()> {
    let text = encode(name, key, token).ok_or_else(|| std::io::Error::other("no random nonce from the OS"))?;
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

    fn sealed(name: &Name, bearer: &[u8]) -> (SealKey, Vec<u8>) {
        let key = SealKey::derive(bearer, name.stem());
        let text = encode(name, &key, &token()).unwrap().to_vec();
        (key, text)
    }

    #[test]
    fn an_entry_round_trips_and_holds_no_run_of_the_token() {
        let name = Name::of(&key(Some([7; 32])));
        let (seal, text) = sealed(&name, b"vd_iat_bearer");
        assert_eq!(decode(&name, &seal, &mut text.clone()).unwrap(), token());
        let secret = token().secret().as_bytes().to_vec();
        assert!(!text.windows(8).any(|w| secret.windows(8).any(|s| s == w)));
    }

    #[test]
    fn any_damage_or_another_bearer_is_a_miss() {
        let name = Name::of(&key(Some([7; 32])));
        let (seal, text) = sealed(&name, b"vd_iat_bearer");
        for cut in [0, 1, 20, text.len() / 2, text.len() - 1] {
            assert!(decode(&name, &seal, &mut text[..cut].to_vec()).is_none(), "truncated at {cut}");
        }
        for at in [0, 30, 100, text.len() / 2, text.len() - 3] {
            let mut bent = text.clone();
            bent[at] ^= 0x01;
            assert!(decode(&name, &seal, &mut bent).is_none(), "flipped at {at}");
        }
        // Sealed with another bearer's key: not opened.
        assert!(decode(&name, &SealKey::derive(b"vd_iat_other", name.stem()), &mut text.clone()).is_none());
        // A whole entry of another key, copied under this name, is a miss too.
        let other = Name::of(&key(None));
        assert!(decode(&other, &SealKey::derive(b"vd_iat_bearer", other.stem()), &mut text.clone()).is_none());
    }

    #[test]
    fn a_plain_entry_of_format_v1_is_a_miss() {
        let name = Name::of(&key(Some([7; 32])));
        let secret = token().secret().to_string();
        let body = format!(
            "vd_broker shared token v1\nkey {}\nexpires_on 2000000000\nrefresh_on 1999990000\ntoken {}\n{secret}\n",
            name.0,
            secret.len()
        );
        let mut v1 = format!("{body}sha256 {}\n", hex(&Sha256::digest(body.as_bytes()))).into_bytes();
        assert!(decode(&name, &SealKey::derive(b"vd_iat_bearer", name.stem()), &mut v1).is_none());
    }
}
