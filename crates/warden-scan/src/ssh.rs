//! SSH private keys: which files in `~/.ssh` are keys, and whether each is
//! protected by a passphrase.
//!
//! * OpenSSH's own format (`-----BEGIN OPENSSH PRIVATE KEY-----`): the
//!   base64 body starts with `openssh-key-v1\0`, then the cipher name, the
//!   KDF name (`none` for an unprotected key, `bcrypt` for a passphrase),
//!   the KDF options, the key count and the public key blob, all unencrypted.
//!   The public blob gives the key type and the same `SHA256:…` fingerprint
//!   `ssh-keygen -l` prints.
//! * PEM (`RSA`/`EC`/`DSA PRIVATE KEY`): encrypted when the headers carry
//!   `Proc-Type: 4,ENCRYPTED`; PKCS#8 `ENCRYPTED PRIVATE KEY` always is,
//!   plain `PRIVATE KEY` never is. The fingerprint comes from the matching
//!   `.pub` file when there is one.
//! * PuTTY (`PuTTY-User-Key-File-`): `Encryption: none` or not.

use crate::fsread::Ctx;
use crate::CredentialFinding;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Key files larger than this are not keys.
const MAX_KEY_BYTES: u64 = 64 * 1024;

const SKIP: &[&str] = &[
    "config",
    "known_hosts",
    "known_hosts.old",
    "authorized_keys",
    "authorized_keys2",
    "environment",
    "rc",
];

/// What a key file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyInfo {
    pub(crate) format: &'static str,
    pub(crate) passphrase: bool,
    pub(crate) key_type: Option<String>,
    pub(crate) fingerprint: Option<String>,
}

/// Finds the private keys in `~/.ssh`.
pub(crate) fn discover(ctx: &Ctx, out: &mut Vec<CredentialFinding>) {
    let dir = ctx.home.join(".ssh");
    for (name, path, is_dir) in ctx.list_dir(&dir) {
        if is_dir
            || SKIP.contains(&name.as_str())
            || name.ends_with(".pub")
            || name.ends_with("-cert.pub")
            || name.ends_with(".sock")
        {
            continue;
        }
        // Look at the size first: most of ~/.ssh is small, anything big is
        // not a key.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.len() > MAX_KEY_BYTES) {
            continue;
        }
        let Some(buf) = ctx.read_capped(&path, MAX_KEY_BYTES) else {
            continue;
        };
        let Some(mut info) = analyse(&buf) else {
            continue;
        };
        let pubfile = dir.join(format!("{name}.pub"));
        let mut comment = None;
        if info.fingerprint.is_none() || info.key_type.is_none() {
            if let Some(pubbuf) = ctx.read_capped(&pubfile, MAX_KEY_BYTES) {
                if let Some((t, fp, c)) = public_key_line(&pubbuf) {
                    info.key_type.get_or_insert(t);
                    info.fingerprint.get_or_insert(fp);
                    comment = c;
                }
            }
        }
        let mut hint = format!(
            "{} key ({})",
            info.key_type.as_deref().unwrap_or("unknown-type"),
            info.format
        );
        if let Some(c) = comment {
            hint.push_str(&format!(", comment {}", crate::render::clean(&c, 60)));
        }
        out.push(CredentialFinding {
            kind: "ssh-key".to_owned(),
            path: path.clone(),
            name: Some(name.clone()),
            fingerprint: info.fingerprint.clone(),
            age_days: ctx.age_days(&path),
            long_lived: true,
            production: crate::creds::is_prod(&name),
            scope_hint: Some(hint),
            passphrase: Some(info.passphrase),
            line: None,
        });
    }
}

/// Recognises a private key file.
pub(crate) fn analyse(buf: &[u8]) -> Option<KeyInfo> {
    let text = String::from_utf8_lossy(buf);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("PuTTY-User-Key-File-") {
        let enc = text
            .lines()
            .find_map(|l| l.strip_prefix("Encryption:"))
            .map(str::trim)
            .unwrap_or("none");
        let key_type = text
            .lines()
            .next()
            .and_then(|l| l.split(':').nth(1))
            .map(|t| t.trim().to_owned());
        return Some(KeyInfo {
            format: "PuTTY",
            passphrase: enc != "none",
            key_type,
            fingerprint: None,
        });
    }
    let first = text.lines().next()?.trim();
    let label = first
        .strip_prefix("-----BEGIN ")
        .and_then(|l| l.strip_suffix("-----"))?;
    match label {
        "OPENSSH PRIVATE KEY" => {
            let body: String = text
                .lines()
                .skip(1)
                .take_while(|l| !l.starts_with("-----END"))
                .collect::<String>()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let raw = base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .ok()?;
            openssh(&raw)
        }
        "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "DSA PRIVATE KEY" => Some(KeyInfo {
            format: "PEM",
            passphrase: text.contains("Proc-Type: 4,ENCRYPTED"),
            key_type: Some(
                match label {
                    "RSA PRIVATE KEY" => "ssh-rsa",
                    "EC PRIVATE KEY" => "ecdsa",
                    _ => "ssh-dss",
                }
                .to_owned(),
            ),
            fingerprint: None,
        }),
        "ENCRYPTED PRIVATE KEY" => Some(KeyInfo {
            format: "PKCS#8",
            passphrase: true,
            key_type: None,
            fingerprint: None,
        }),
        "PRIVATE KEY" => Some(KeyInfo {
            format: "PKCS#8",
            passphrase: false,
            key_type: None,
            fingerprint: None,
        }),
        _ => None,
    }
}

/// A length-prefixed string of the SSH wire format.
fn take_string<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len_bytes: [u8; 4] = buf.get(..4)?.try_into().ok()?;
    let len = usize::try_from(u32::from_be_bytes(len_bytes)).ok()?;
    let s = buf.get(4..4usize.checked_add(len)?)?;
    *buf = &buf[4 + len..];
    Some(s)
}

fn openssh(raw: &[u8]) -> Option<KeyInfo> {
    let mut rest = raw.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = take_string(&mut rest)?;
    let kdf = take_string(&mut rest)?;
    let _kdf_options = take_string(&mut rest)?;
    let n: [u8; 4] = rest.get(..4)?.try_into().ok()?;
    rest = &rest[4..];
    let (key_type, fingerprint) = if u32::from_be_bytes(n) >= 1 {
        match take_string(&mut rest) {
            Some(blob) => blob_facts(blob),
            None => (None, None),
        }
    } else {
        (None, None)
    };
    Some(KeyInfo {
        format: "OpenSSH",
        passphrase: kdf != b"none" || cipher != b"none",
        key_type,
        fingerprint,
    })
}

/// Key type and `SHA256:` fingerprint of a public key blob.
fn blob_facts(blob: &[u8]) -> (Option<String>, Option<String>) {
    let mut b = blob;
    let key_type = take_string(&mut b)
        .filter(|t| t.len() < 64 && t.iter().all(|c| c.is_ascii_graphic()))
        .map(|t| String::from_utf8_lossy(t).into_owned());
    let digest = Sha256::digest(blob);
    let fp = format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    );
    (key_type, Some(fp))
}

/// `type base64 [comment]` of a `.pub` file: type, fingerprint, comment.
fn public_key_line(buf: &[u8]) -> Option<(String, String, Option<String>)> {
    let text = String::from_utf8_lossy(buf);
    let line = text.lines().find(|l| !l.trim().is_empty())?;
    let mut parts = line.split_whitespace();
    let t = parts.next()?.to_owned();
    let b64 = parts.next()?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .ok()?;
    let (_, fp) = blob_facts(&blob);
    let comment: Vec<&str> = parts.collect();
    let comment = (!comment.is_empty()).then(|| comment.join(" "));
    Some((t, fp?, comment))
}

/// Whether `path`'s name makes it worth a look as a key (used by tests).
#[cfg(test)]
pub(crate) fn candidate(path: &std::path::Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !SKIP.contains(&name) && !name.ends_with(".pub")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn wire(parts: &[&[u8]]) -> Vec<u8> {
        let mut v = Vec::new();
        for p in parts {
            v.extend_from_slice(&(p.len() as u32).to_be_bytes());
            v.extend_from_slice(p);
        }
        v
    }

    fn key(kdf: &str) -> Vec<u8> {
        let mut raw = b"openssh-key-v1\0".to_vec();
        raw.extend(wire(&[
            if kdf == "none" {
                b"none"
            } else {
                b"aes256-ctr"
            },
            kdf.as_bytes(),
            b"",
        ]));
        raw.extend_from_slice(&1u32.to_be_bytes());
        let blob = wire(&[b"ssh-ed25519", &[7u8; 32]]);
        raw.extend(wire(&[&blob]));
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{b64}\n-----END OPENSSH PRIVATE KEY-----\n")
            .into_bytes()
    }

    #[test]
    fn openssh_passphrase() {
        let k = analyse(&key("none")).unwrap();
        assert!(!k.passphrase);
        assert_eq!(k.key_type.as_deref(), Some("ssh-ed25519"));
        assert!(k.fingerprint.unwrap().starts_with("SHA256:"));
        assert!(analyse(&key("bcrypt")).unwrap().passphrase);
        assert!(analyse(b"-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n").is_none());
        assert!(candidate(Path::new("/h/.ssh/id_ed25519")));
        assert!(!candidate(Path::new("/h/.ssh/id_ed25519.pub")));
    }

    #[test]
    fn pem_and_putty() {
        let enc = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(analyse(enc).unwrap().passphrase);
        let plain = b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(!analyse(plain).unwrap().passphrase);
        assert!(
            analyse(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
                .unwrap()
                .passphrase
        );
        let putty = b"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n";
        let p = analyse(putty).unwrap();
        assert!(!p.passphrase);
        assert_eq!(p.key_type.as_deref(), Some("ssh-ed25519"));
        assert!(analyse(b"Host *\n  User x\n").is_none());
    }
}
