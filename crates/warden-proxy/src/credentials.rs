//! Secrets, brokered credentials and proxy authentication.
//!
//! * [`SecretString`]: a string that is wiped from memory when dropped and
//!   never printed by `Debug`.
//! * [`CredentialBroker`]: the caller's store of just-in-time credentials.
//!   The proxy asks it, per request to a brokered host, for the credential
//!   to inject ([`InjectedCredential`]), and for the exact values it must
//!   never let out ([`CredentialBroker::known_secrets`]).
//! * [`SessionVerifier`] and [`TokenMap`]: how the proxy checks the
//!   `session:token` pair a sandboxed client sends in
//!   `Proxy-Authorization`.

use std::collections::HashMap;
use std::fmt;

use zeroize::Zeroizing;

use crate::decision::EgressRequest;

/// A secret string: zeroed when dropped, redacted in `Debug` and `Display`.
///
/// Get at the value with [`SecretString::expose`], and only where it is
/// needed (to compare it or to put it on the wire).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(Zeroizing::new(value.into()))
    }

    /// The value. Never log it.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString::new(value)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a brokered credential goes into a request.
///
/// Injection only touches request headers; bodies and URLs are never
/// rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectedCredential {
    /// Replace any `Authorization` header with `Bearer <token>`.
    Bearer(SecretString),
    /// Replace any `Authorization` header with `Basic base64(user:password)`
    /// (git over HTTPS with a token: user `x-access-token`, or any user,
    /// password = the token).
    Basic {
        /// The user name (not secret).
        user: String,
        /// The password or token.
        password: SecretString,
    },
    /// Set a header of the caller's choice (for example GitLab's
    /// `PRIVATE-TOKEN`), replacing any header of that name.
    Header {
        /// The header name.
        name: String,
        /// Its value.
        value: SecretString,
    },
    /// Replace a placeholder that the sandbox holds in place of the real
    /// credential (for example `GITHUB_TOKEN=warden-placeholder-1f2e…`)
    /// wherever it appears in a header value, including inside the decoded
    /// credentials of a `Basic` authorization, which is re-encoded.
    /// Requests that do not carry the placeholder are sent unchanged.
    ReplacePlaceholder {
        /// The placeholder the sandbox holds (not secret, but it should be
        /// long and random so that it never occurs by accident).
        placeholder: String,
        /// The real value.
        value: SecretString,
    },
}

/// The caller's credential store, asked for every request to a brokered
/// host whose content the proxy can read.
///
/// Both methods are called on the proxy's runtime threads and must not
/// block for long; a panic in either is a deny.
pub trait CredentialBroker: Send + Sync + 'static {
    /// The real credential to inject into this request, only when a
    /// just-in-time grant covers it; `None` sends the request as the client
    /// wrote it (placeholders and all, so the destination refuses it).
    ///
    /// Asked only after the request was allowed and passed DLP. A request
    /// with [`crate::Scheme::Http`] travels in clear text past the proxy:
    /// grant credentials to it only for destinations where that is
    /// acceptable.
    fn credential_for(&self, request: &EgressRequest) -> Option<InjectedCredential>;

    /// The exact secret values the proxy must never let out: the brokered
    /// credentials themselves. A request that carries one (raw, URL-encoded
    /// or base64-encoded in any alignment) is refused even towards an allowed
    /// host, before any credential is injected. Values shorter than
    /// 8 bytes are ignored.
    fn known_secrets(&self) -> Vec<SecretString>;
}

impl<T: CredentialBroker + ?Sized> CredentialBroker for std::sync::Arc<T> {
    fn credential_for(&self, request: &EgressRequest) -> Option<InjectedCredential> {
        (**self).credential_for(request)
    }
    fn known_secrets(&self) -> Vec<SecretString> {
        (**self).known_secrets()
    }
}

/// A broker that holds nothing: no request gets a credential and no value
/// is known. DLP still runs the configured scanner.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBroker;

impl CredentialBroker for NoBroker {
    fn credential_for(&self, _request: &EgressRequest) -> Option<InjectedCredential> {
        None
    }
    fn known_secrets(&self) -> Vec<SecretString> {
        Vec::new()
    }
}

/// Checks the `session:token` pair of a `Proxy-Authorization: Basic`
/// header.
pub trait SessionVerifier: Send + Sync + 'static {
    /// True when `token` is the current credential of `session`. Compare in
    /// constant time (see [`constant_time_eq`]).
    fn verify(&self, session: &str, token: &str) -> bool;
}

/// A fixed map from session id to its proxy token.
#[derive(Debug, Default, Clone)]
pub struct TokenMap {
    tokens: HashMap<String, SecretString>,
}

impl TokenMap {
    /// An empty map (every credential is refused).
    pub fn new() -> Self {
        TokenMap::default()
    }

    /// Adds or replaces the token of `session`.
    pub fn insert(&mut self, session: impl Into<String>, token: SecretString) {
        self.tokens.insert(session.into(), token);
    }

    /// Removes `session`, so its token is refused from now on.
    pub fn remove(&mut self, session: &str) {
        self.tokens.remove(session);
    }
}

impl SessionVerifier for TokenMap {
    fn verify(&self, session: &str, token: &str) -> bool {
        match self.tokens.get(session) {
            Some(expected) => constant_time_eq(expected.expose().as_bytes(), token.as_bytes()),
            None => false,
        }
    }
}

impl<T: SessionVerifier + ?Sized> SessionVerifier for std::sync::Arc<T> {
    fn verify(&self, session: &str, token: &str) -> bool {
        (**self).verify(session, token)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_string_never_prints_its_value() {
        let s = SecretString::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "SecretString(<redacted>)");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn token_map_verifies_exactly() {
        let mut m = TokenMap::new();
        m.insert("s1", SecretString::new("tok-1"));
        assert!(m.verify("s1", "tok-1"));
        assert!(!m.verify("s1", "tok-2"));
        assert!(!m.verify("s1", "tok-1x"));
        assert!(!m.verify("s2", "tok-1"));
        m.remove("s1");
        assert!(!m.verify("s1", "tok-1"));
    }
}
