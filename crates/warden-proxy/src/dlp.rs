//! Data-loss prevention for requests whose content the proxy can read.
//!
//! Two checks run on the URL, every header value and the body:
//!
//! * the exact values the broker holds ([`KnownSecrets`]): raw,
//!   URL-encoded, and base64-encoded (standard and URL-safe alphabets, at
//!   each of the three byte alignments, so a token is found inside
//!   `Basic base64(user:token)` or inside any larger base64 blob);
//!   `Authorization: Basic` values are also decoded and searched;
//! * the caller's [`SecretScanner`] (pattern rules such as warden's secret
//!   detector), which names the rule it matched and never the value.
//!
//! Bodies sent with `Content-Encoding: gzip` or `deflate` are inflated
//! (within the same size limit) before scanning; any other encoding cannot
//! be read and is refused.

use std::io::Read as _;

use aho_corasick::AhoCorasick;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE};
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::credentials::SecretString;

/// The caller's secret detector.
pub trait SecretScanner: Send + Sync + 'static {
    /// Scans `data` and returns the name of a rule that matched (never the
    /// matched value), or `None` when nothing was found.
    fn scan(&self, data: &[u8]) -> Option<String>;
}

impl<F> SecretScanner for F
where
    F: Fn(&[u8]) -> Option<String> + Send + Sync + 'static,
{
    fn scan(&self, data: &[u8]) -> Option<String> {
        self(data)
    }
}

/// Known secret values shorter than this are ignored: they would match
/// ordinary text.
pub const MIN_KNOWN_SECRET_LEN: usize = 8;

/// A matcher for the exact values a broker holds, in every encoding the
/// proxy checks. The automaton's patterns are wiped when it is dropped
/// only as far as `aho-corasick` allows; the pattern list built here is
/// zeroed.
pub struct KnownSecrets {
    matcher: Option<AhoCorasick>,
}

impl std::fmt::Debug for KnownSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownSecrets")
            .field(
                "patterns",
                &self.matcher.as_ref().map_or(0, |m| m.patterns_len()),
            )
            .finish()
    }
}

impl KnownSecrets {
    /// Builds the matcher for these values.
    pub fn new(secrets: &[SecretString]) -> Self {
        let mut patterns: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        for s in secrets {
            let raw = s.expose().as_bytes();
            if raw.len() < MIN_KNOWN_SECRET_LEN {
                continue;
            }
            patterns.push(Zeroizing::new(raw.to_vec()));
            let encoded = percent_encode(raw);
            if encoded.as_slice() != raw {
                patterns.push(Zeroizing::new(encoded));
            }
            for form in base64_forms(raw) {
                if form.len() >= MIN_KNOWN_SECRET_LEN {
                    patterns.push(form);
                }
            }
        }
        patterns.sort_by(|a, b| a.as_slice().cmp(b.as_slice()));
        patterns.dedup_by(|a, b| a.as_slice() == b.as_slice());
        let matcher = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::new(patterns.iter().map(|p| p.as_slice())).ok()
        };
        KnownSecrets { matcher }
    }

    /// True when no value is held.
    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }

    /// True when `data` contains a held value in any checked encoding.
    pub fn found_in(&self, data: &[u8]) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(data),
            None => false,
        }
    }
}

/// The base64 substrings that any encoding of data containing `secret`
/// must contain: for each alignment of the secret within 3-byte groups,
/// the characters that depend only on the secret's own bytes.
fn base64_forms(secret: &[u8]) -> Vec<Zeroizing<Vec<u8>>> {
    let mut out = Vec::new();
    for offset in 0..3usize {
        let mut buf = Zeroizing::new(vec![0u8; offset]);
        buf.extend_from_slice(secret);
        // Drop the trailing bytes that share a group with whatever follows.
        let whole = buf.len() - buf.len() % 3;
        if whole <= offset {
            continue;
        }
        for engine in [&STANDARD, &URL_SAFE] {
            let encoded = Zeroizing::new(engine.encode(&buf[..whole]));
            // Drop the first group when it mixes filler bytes with the secret.
            let skip = if offset == 0 { 0 } else { 4 };
            if encoded.len() > skip {
                out.push(Zeroizing::new(encoded.as_bytes()[skip..].to_vec()));
            }
        }
    }
    out
}

fn percent_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for &b in data {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space), leaving invalid escapes as
/// they are.
pub fn percent_decode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'%' && i + 2 < data.len() {
            if let (Some(h), Some(l)) = (hex(data[i + 1]), hex(data[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes the credentials of an `Authorization: Basic` value, if it is
/// one.
pub fn decode_basic(value: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, rest) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    STANDARD_PAD_INDIFFERENT
        .decode(rest.trim())
        .ok()
        .map(Zeroizing::new)
}

/// Why a body could not be prepared for scanning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A content encoding the proxy cannot read.
    #[error("cannot inspect a body with content-encoding {0:?}")]
    Unsupported(String),
    /// The encoded body is corrupt.
    #[error("cannot inflate the request body: {0}")]
    Corrupt(String),
    /// The decoded body is larger than the inspection limit.
    #[error("the decoded request body exceeds the {0}-byte inspection limit")]
    TooLarge(usize),
}

/// Returns the body as it must be scanned: inflated when the
/// `Content-Encoding` is gzip or deflate (at most `limit` bytes), as is when
/// there is none (or `identity`).
pub fn decoded_for_scan<'a>(
    encoding: Option<&[u8]>,
    body: &'a [u8],
    limit: usize,
) -> Result<std::borrow::Cow<'a, [u8]>, DecodeError> {
    let Some(encoding) = encoding else {
        return Ok(std::borrow::Cow::Borrowed(body));
    };
    let enc = String::from_utf8_lossy(encoding)
        .trim()
        .to_ascii_lowercase();
    // Several codings may be stacked ("gzip, identity"); apply them in
    // reverse order.
    let mut data: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(body);
    for coding in enc.rsplit(',').map(str::trim) {
        data = match coding {
            "" | "identity" => data,
            "gzip" | "x-gzip" => std::borrow::Cow::Owned(inflate(
                flate2::read::MultiGzDecoder::new(&data[..]),
                limit,
            )?),
            "deflate" => {
                // "deflate" is zlib-wrapped per RFC 9110, but some clients send
                // raw deflate: try zlib first.
                match inflate(flate2::read::ZlibDecoder::new(&data[..]), limit) {
                    Ok(v) => std::borrow::Cow::Owned(v),
                    Err(DecodeError::TooLarge(n)) => return Err(DecodeError::TooLarge(n)),
                    Err(_) => std::borrow::Cow::Owned(inflate(
                        flate2::read::DeflateDecoder::new(&data[..]),
                        limit,
                    )?),
                }
            }
            other => return Err(DecodeError::Unsupported(other.chars().take(40).collect())),
        };
    }
    Ok(data)
}

fn inflate(reader: impl std::io::Read, limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const TOKEN: &str = "ghp_0123456789abcdefABCDEF0123456789wxyz";

    fn known() -> KnownSecrets {
        KnownSecrets::new(&[SecretString::new(TOKEN), SecretString::new("short")])
    }

    #[test]
    fn finds_raw_and_urlencoded() {
        let k = known();
        assert!(k.found_in(format!("token={TOKEN}&x=1").as_bytes()));
        assert!(!k.found_in(b"nothing here"));
        assert!(!k.found_in(b"short"));
        let special = KnownSecrets::new(&[SecretString::new("p@ss/word+with spaces")]);
        assert!(special.found_in(b"q=p%40ss%2Fword%2Bwith%20spaces"));
    }

    #[test]
    fn finds_base64_at_every_alignment_and_in_basic_auth() {
        let k = known();
        for prefix in ["", "a", "ab", "abc", "x-access-token:"] {
            let blob = format!("{prefix}{TOKEN}trailing");
            for engine in [&STANDARD, &URL_SAFE] {
                let enc = engine.encode(blob.as_bytes());
                assert!(k.found_in(enc.as_bytes()), "prefix {prefix:?}: {enc}");
            }
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode(b"a%20b+c%zz%4"), b"a b c%zz%4");
    }

    #[test]
    fn gzip_bodies_are_inflated_within_the_limit() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(TOKEN.as_bytes()).expect("write");
        let gz = enc.finish().expect("finish");
        let out = decoded_for_scan(Some(b"gzip"), &gz, 1024).expect("inflated");
        assert_eq!(&out[..], TOKEN.as_bytes());
        assert_eq!(
            decoded_for_scan(Some(b"gzip"), &gz, 4),
            Err(DecodeError::TooLarge(4))
        );
        assert!(matches!(
            decoded_for_scan(Some(b"br"), &gz, 1024),
            Err(DecodeError::Unsupported(_))
        ));
        assert!(matches!(
            decoded_for_scan(Some(b"gzip"), b"not gzip", 1024),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
