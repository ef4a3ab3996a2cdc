//! The audit trail's Ed25519 signing identity.
//!
//! Keys are stored hex-encoded (64 digits followed by a newline). The
//! signing key file must be private to its owner; loading refuses it
//! otherwise. Key bytes never appear in errors or `Debug` output, and
//! temporary buffers holding them are wiped after use (best effort).

use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::fsutil::write_new;
use crate::{Layout, StoreError};

/// Upper bound on the size of a key file; anything larger is not a key.
const MAX_KEY_FILE: u64 = 1024;

/// Mode of the signing key file.
pub(crate) const SIGNING_KEY_MODE: u32 = 0o600;
/// Mode of the verifying key file.
pub(crate) const VERIFYING_KEY_MODE: u32 = 0o644;

/// Loads the audit signing key from [`Layout::signing_key`].
///
/// # Errors
///
/// * [`StoreError::KeyPermissions`] when the file has any group or other
///   permission bit set (the error names the path and the mode);
/// * [`StoreError::InvalidKey`] when it is not a regular file or does not
///   hold exactly 64 hexadecimal digits (surrounding whitespace allowed);
/// * [`StoreError::Io`] when it cannot be read.
pub fn load_signing_key(layout: &Layout) -> Result<SigningKey, StoreError> {
    let path = layout.signing_key();
    let mut secret = read_key_hex(&path, true)?;
    let key = SigningKey::from_bytes(&secret);
    wipe(&mut secret);
    Ok(key)
}

/// Loads the audit verifying (public) key from [`Layout::verifying_key`].
///
/// # Errors
///
/// * [`StoreError::InvalidKey`] when the file is not a regular file, does
///   not hold exactly 64 hexadecimal digits, or does not encode a valid
///   Ed25519 public key;
/// * [`StoreError::Io`] when it cannot be read.
pub fn load_verifying_key(layout: &Layout) -> Result<VerifyingKey, StoreError> {
    let path = layout.verifying_key();
    let bytes = read_key_hex(&path, false)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| StoreError::InvalidKey {
        path,
        reason: "not a valid Ed25519 public key",
    })
}

/// Generates a fresh signing key from the operating system's CSPRNG.
pub(crate) fn generate_signing_key() -> Result<SigningKey, StoreError> {
    let mut secret = [0u8; 32];
    let filled = getrandom::fill(&mut secret).map_err(StoreError::Random);
    let key = filled.map(|()| SigningKey::from_bytes(&secret));
    wipe(&mut secret);
    key
}

/// Writes `key` to a new file at `path` (mode 0600, failing if it exists).
pub(crate) fn write_signing_key(path: &Path, key: &SigningKey) -> Result<(), StoreError> {
    let mut text = [0u8; 65];
    let encoded = hex::encode_to_slice(key.as_bytes(), &mut text[..64]);
    text[64] = b'\n';
    let result = match encoded {
        Ok(()) => write_new(path, &text, SIGNING_KEY_MODE),
        Err(_) => Err(StoreError::InvalidKey {
            path: path.to_path_buf(),
            reason: "cannot encode key",
        }),
    };
    wipe(&mut text);
    result
}

/// Writes `key` to a new file at `path` (mode 0644, failing if it exists).
pub(crate) fn write_verifying_key(path: &Path, key: &VerifyingKey) -> Result<(), StoreError> {
    let text = format!("{}\n", hex::encode(key.as_bytes()));
    write_new(path, text.as_bytes(), VERIFYING_KEY_MODE)
}

/// Whether anything exists at `path` (without following a final symlink).
pub(crate) fn exists(path: &Path) -> Result<bool, StoreError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

/// Reads a hex-encoded 32-byte key. When `private`, refuses files with any
/// group/other permission bit set. The mode is taken from the opened file
/// descriptor, so it is the mode of the file actually read.
fn read_key_hex(path: &Path, private: bool) -> Result<[u8; 32], StoreError> {
    let invalid = |reason| StoreError::InvalidKey {
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let meta = file.metadata().map_err(|e| StoreError::io(path, e))?;
    if !meta.is_file() {
        return Err(invalid("not a regular file"));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if private && mode & 0o077 != 0 {
        return Err(StoreError::KeyPermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    if meta.len() > MAX_KEY_FILE {
        return Err(invalid("file is too large to be a key"));
    }
    // Sized up front so the buffer never reallocates (which would leave
    // unwiped copies of the key behind).
    let mut buf = Vec::with_capacity(MAX_KEY_FILE as usize + 1);
    let read = file.take(MAX_KEY_FILE + 1).read_to_end(&mut buf);
    let decoded = match read {
        Err(e) => Err(StoreError::io(path, e)),
        Ok(_) if buf.len() as u64 > MAX_KEY_FILE => Err(invalid("file is too large to be a key")),
        Ok(_) => decode_key(&buf).map_err(invalid),
    };
    wipe(&mut buf);
    decoded
}

/// Decodes 64 hex digits (surrounding ASCII whitespace ignored).
fn decode_key(text: &[u8]) -> Result<[u8; 32], &'static str> {
    const REASON: &str = "expected exactly 64 hexadecimal digits";
    let text = text.trim_ascii();
    if text.len() != 64 {
        return Err(REASON);
    }
    let mut out = [0u8; 32];
    match hex::decode_to_slice(text, &mut out) {
        Ok(()) => Ok(out),
        Err(_) => {
            wipe(&mut out);
            Err(REASON)
        }
    }
}

/// Overwrites a buffer that held key material (best effort: the
/// `black_box` keeps the stores from being optimized away).
fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    std::hint::black_box(buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_accepts_hex_with_whitespace() {
        let hex = format!("  {}\n", "ab".repeat(32));
        assert_eq!(decode_key(hex.as_bytes()).unwrap(), [0xab; 32]);
    }

    #[test]
    fn decode_rejects_bad_input() {
        assert!(decode_key(b"").is_err());
        assert!(decode_key("ab".repeat(31).as_bytes()).is_err());
        assert!(decode_key("zz".repeat(32).as_bytes()).is_err());
        assert!(decode_key("ab".repeat(33).as_bytes()).is_err());
    }

    #[test]
    fn round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        fs::create_dir(layout.keys()).unwrap();
        let key = generate_signing_key().unwrap();
        write_signing_key(&layout.signing_key(), &key).unwrap();
        write_verifying_key(&layout.verifying_key(), &key.verifying_key()).unwrap();
        let mode = fs::metadata(layout.signing_key())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = load_signing_key(&layout).unwrap();
        assert_eq!(loaded.to_bytes(), key.to_bytes());
        assert_eq!(load_verifying_key(&layout).unwrap(), key.verifying_key());
        // Never overwrites.
        assert!(write_signing_key(&layout.signing_key(), &key).is_err());
    }

    #[test]
    fn errors_do_not_leak_key_material() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        fs::create_dir(layout.keys()).unwrap();
        // A 64-character secret with one bad digit at the end.
        let secret = format!("{}g", "7e".repeat(31) + "7");
        fs::write(layout.signing_key(), &secret).unwrap();
        fs::set_permissions(layout.signing_key(), fs::Permissions::from_mode(0o600)).unwrap();
        let err = load_signing_key(&layout).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("7e7e"), "{shown}");
        assert!(matches!(err, StoreError::InvalidKey { .. }));

        let key = generate_signing_key().unwrap();
        let debug = format!("{key:?}");
        assert!(!debug.contains(&hex::encode(key.as_bytes())));
    }
}
