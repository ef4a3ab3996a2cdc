//! Equivalent tokens for comparing warden's session credential with a
//! biscuit-auth token: the same claims, the same narrowing (kinds to
//! `file_read`) and the same request-time checks (agent and repo match, not
//! expired, operation allowed).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The agent the tokens are bound to.
pub const AGENT: &str = "reviewer";
/// The human on whose behalf the session runs.
pub const HUMAN: &str = "ana@example.com";
/// The session id.
pub const SESSION: &str = "session-507";
/// The repository the tokens are bound to.
pub const REPO: &str = "/work/app";
/// The directory the session started in.
pub const CWD: &str = "/work/app";
/// The kind the attenuated (2-block) tokens are narrowed to.
pub const NARROWED_KIND: &str = "file_read";
/// Tokens are valid for this long after `now`.
pub const LIFETIME_SECS: i64 = 3600;

/// One action to authorize.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The agent the action is attributed to.
    pub agent: &'a str,
    /// The repository it runs in.
    pub repo: &'a str,
    /// Its kind (`file_read`, `shell`, …).
    pub kind: &'a str,
    /// Now, seconds since the Unix epoch.
    pub now: i64,
}

impl Request<'static> {
    /// A request both tokens cover.
    pub fn matching(now: i64) -> Self {
        Request {
            agent: AGENT,
            repo: REPO,
            kind: NARROWED_KIND,
            now,
        }
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn system_time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

/// Warden's side.
pub mod warden {
    use super::*;
    use ed25519_dalek::{SigningKey, VerifyingKey};
    use warden_identity::{Caveat, Credential, CredentialError, Expected, SessionClaims, Verified};

    /// A session credential and its attenuation, encoded.
    pub struct Tokens {
        /// The issuer's public key.
        pub key: VerifyingKey,
        /// The 1-block session credential.
        pub one_block: String,
        /// The 2-block credential narrowed to [`NARROWED_KIND`].
        pub two_blocks: String,
    }

    /// Mints both credentials, issued at `now`.
    pub fn tokens(now: i64) -> Tokens {
        let issuer = SigningKey::from_bytes(&[3u8; 32]);
        let claims = SessionClaims {
            id: warden_identity::new_id().expect("id"),
            agent: AGENT.into(),
            human: HUMAN.into(),
            session: SESSION.into(),
            repo: Some(REPO.into()),
            cwd: CWD.into(),
            task: None,
            issued_at: now,
            expires_at: now + LIFETIME_SECS,
            kinds: None,
        };
        let session = Credential::mint(&issuer, &claims).expect("mint");
        let caveat = Caveat::new("subagent:Explore", None, Some(vec![NARROWED_KIND.into()]))
            .expect("caveat");
        let child = session.attenuate(&caveat).expect("attenuate");
        Tokens {
            key: issuer.verifying_key(),
            one_block: session.encode(),
            two_blocks: child.encode(),
        }
    }

    /// Decodes and checks every signature.
    pub fn verify(text: &str, key: &VerifyingKey) -> Result<Verified, CredentialError> {
        Credential::decode(text).and_then(|c| c.verify(key))
    }

    /// The binding check on an already verified credential.
    pub fn check(verified: &Verified, request: &Request<'_>) -> Result<(), String> {
        verified
            .check(&Expected {
                agent: request.agent,
                repo: Some(request.repo),
                cwd: request.repo,
                kind: request.kind,
                now: request.now,
            })
            .map_err(|e| e.to_string())
    }

    /// Decode, verify and check: all a decision needs from the token.
    pub fn authorize(text: &str, key: &VerifyingKey, request: &Request<'_>) -> Result<(), String> {
        let verified = verify(text, key).map_err(|e| e.to_string())?;
        check(&verified, request)
    }

    /// The binary container's size: the text less its prefix, base64-decoded.
    pub fn binary_len(text: &str) -> usize {
        (text.len() - warden_identity::TOKEN_PREFIX.len()) * 3 / 4
    }
}

/// Biscuit's side.
pub mod biscuit {
    use super::*;
    use biscuit_auth::macros::{authorizer, biscuit, block};
    use biscuit_auth::{AuthorizerBuilder, Biscuit, KeyPair, PublicKey};

    /// A biscuit with the session's claims and its attenuation, in base64.
    pub struct Tokens {
        /// The root public key.
        pub key: PublicKey,
        /// The 1-block token (authority block only).
        pub one_block: String,
        /// The 2-block token: plus `check if operation("file_read")`.
        pub two_blocks: String,
    }

    /// Mints both tokens, issued at `now`. The authority block carries the
    /// same claims as warden's session block, its expiry as a check.
    pub fn tokens(now: i64) -> Tokens {
        let root = KeyPair::new();
        let expiry = system_time(now + LIFETIME_SECS);
        let session = biscuit!(
            r#"
            agent({agent});
            human({human});
            session({session});
            repo({repo});
            cwd({cwd});
            check if time($t), $t < {expiry};
            "#,
            agent = AGENT,
            human = HUMAN,
            session = SESSION,
            repo = REPO,
            cwd = CWD,
            expiry = expiry,
        )
        .build(&root)
        .expect("mint biscuit");
        let child = session
            .append(block!(
                r#"check if operation({kind});"#,
                kind = NARROWED_KIND
            ))
            .expect("attenuate biscuit");
        Tokens {
            key: root.public(),
            one_block: session.to_base64().expect("encode"),
            two_blocks: child.to_base64().expect("encode"),
        }
    }

    /// Decodes and checks every signature.
    pub fn verify(text: &str, key: PublicKey) -> Result<Biscuit, biscuit_auth::error::Token> {
        Biscuit::from_base64(text, key)
    }

    /// The authorizer for one request: the request's facts, the binding
    /// checks against the authority block, and `allow if true`.
    pub fn authorizer_for(request: &Request<'_>) -> AuthorizerBuilder {
        authorizer!(
            r#"
            time({now});
            operation({kind});
            request_agent({agent});
            request_repo({repo});
            check if agent($a), request_agent($a);
            check if repo($r), request_repo($r);
            allow if true;
            "#,
            now = system_time(request.now),
            kind = request.kind,
            agent = request.agent,
            repo = request.repo,
        )
    }

    /// Runs the authorizer on an already verified token.
    pub fn check(
        token: &Biscuit,
        request: &Request<'_>,
    ) -> Result<usize, biscuit_auth::error::Token> {
        authorizer_for(request).build(token)?.authorize()
    }

    /// Decode, verify and authorize.
    pub fn authorize(
        text: &str,
        key: PublicKey,
        request: &Request<'_>,
    ) -> Result<usize, biscuit_auth::error::Token> {
        check(&verify(text, key)?, request)
    }

    /// The binary container's size.
    pub fn binary_len(text: &str, key: PublicKey) -> usize {
        verify(text, key)
            .and_then(|t| t.to_vec())
            .map(|v| v.len())
            .expect("a valid token")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use biscuit_auth::error::Token;

    fn both(now: i64) -> (warden::Tokens, biscuit::Tokens) {
        (warden::tokens(now), biscuit::tokens(now))
    }

    /// Whether each side accepts `request` with the 1- and 2-block tokens.
    fn outcomes(request: &Request<'_>, now: i64) -> [(bool, bool); 2] {
        let (w, b) = both(now);
        let judge = |wt: &str, bt: &str| {
            let warden = warden::authorize(wt, &w.key, request).is_ok();
            let biscuit = match biscuit::authorize(bt, b.key, request) {
                Ok(_) => true,
                Err(Token::FailedLogic(_)) => false,
                Err(other) => panic!("biscuit failed for another reason: {other}"),
            };
            (warden, biscuit)
        };
        [
            judge(&w.one_block, &b.one_block),
            judge(&w.two_blocks, &b.two_blocks),
        ]
    }

    #[test]
    fn both_accept_the_matching_request() {
        let now = unix_now();
        assert_eq!(outcomes(&Request::matching(now), now), [(true, true); 2]);
    }

    #[test]
    fn only_the_session_token_covers_other_kinds() {
        let now = unix_now();
        let request = Request {
            kind: "shell",
            ..Request::matching(now)
        };
        assert_eq!(outcomes(&request, now), [(true, true), (false, false)]);
    }

    #[test]
    fn both_reject_another_agent_another_repo_and_expiry() {
        let now = unix_now();
        let other_agent = Request {
            agent: "intruder",
            ..Request::matching(now)
        };
        let other_repo = Request {
            repo: "/work/other",
            ..Request::matching(now)
        };
        let expired = Request {
            now: now + LIFETIME_SECS,
            ..Request::matching(now)
        };
        for request in [other_agent, other_repo, expired] {
            assert_eq!(outcomes(&request, now), [(false, false); 2], "{request:?}");
        }
    }

    #[test]
    fn both_reject_a_wrong_root_key() {
        let (w, b) = both(unix_now());
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]).verifying_key();
        assert!(warden::verify(&w.two_blocks, &stranger).is_err());
        let stranger = biscuit_auth::KeyPair::new().public();
        assert!(biscuit::verify(&b.two_blocks, stranger).is_err());
    }

    #[test]
    fn biscuit_binary_size_matches_its_text() {
        let b = biscuit::tokens(unix_now());
        // Padded base64url: four characters per three bytes.
        let bytes = biscuit::binary_len(&b.one_block, b.key);
        assert_eq!(b.one_block.len(), bytes.div_ceil(3) * 4);
    }
}
