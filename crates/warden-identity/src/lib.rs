//! Session credentials: short-lived, Ed25519-signed, bound to one agent,
//! one human, one session and one repo, and attenuable offline.
//!
//! # The token
//!
//! A credential is a chain of signed blocks. Block 0 carries the
//! [`SessionClaims`] and is signed by warden's issuer key. Each block names
//! a fresh *next key*; the following block must be signed by it. The holder
//! of a credential also holds the secret half of the last next key (the
//! *proof*), which is what lets it [`Credential::attenuate`] without asking
//! the issuer: it appends a [`Caveat`] block signed with the proof and
//! carries a new proof forward.
//!
//! A caveat can only narrow. [`Credential::verify`] computes the effective
//! rights as the root claims with the *earliest* expiry of any block and the
//! *intersection* of every block's kind list, so a block that names more
//! kinds, or a later expiry, widens nothing. Each block's signature also
//! covers the previous block's signature, so blocks cannot be reordered,
//! dropped from the middle or spliced in from another credential. Dropping
//! blocks from the end *is* possible for whoever saw the wider parent, which
//! is why warden keeps parents (session credentials) to itself and revokes
//! by block id.
//!
//! This is the structure of Biscuit's public-key chain, without its Datalog:
//! warden's caveats are a fixed, small vocabulary (expiry, kinds, a label),
//! so verifying a one-block credential costs one Ed25519 verification.
//!
//! Revocation is not in the token: every block has an id, and the store
//! keeps revoked ids. [`Verified::ids`] lists them for that check.
//!
//! # Encoding
//!
//! `wsc1.` followed by unpadded URL-safe base64 of a length-prefixed binary
//! container (see [`Credential::encode`]). Decoding bounds every length and
//! rejects trailing bytes, so an untrusted string costs at most
//! [`MAX_TOKEN_CHARS`] of work before it is refused.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The text prefix of an encoded credential (format version 1).
pub const TOKEN_PREFIX: &str = "wsc1.";
/// The longest encoded credential accepted.
pub const MAX_TOKEN_CHARS: usize = 8 * 1024;
/// The most blocks a credential may have: the session and seven levels of
/// delegation.
pub const MAX_BLOCKS: usize = 8;
/// The environment variable through which a launcher hands a session's
/// credential to the assistant it starts, and so to its hooks.
pub const CREDENTIAL_ENV: &str = "WARDEN_SESSION_CREDENTIAL";

/// Domain separation for block signatures: the issuer key also signs audit
/// checkpoints, and neither signature may ever be mistaken for the other.
const SIGNING_CONTEXT: &[u8] = b"warden-session-credential/v1\0";
const MAX_CLAIMS_BYTES: usize = 2048;

/// Why a credential could not be decoded or minted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    /// The text is not a warden credential of a known version.
    #[error("not a warden session credential (expected the `{TOKEN_PREFIX}` prefix)")]
    NotACredential,
    /// The credential is longer than [`MAX_TOKEN_CHARS`].
    #[error("the session credential is too long")]
    TooLong,
    /// The container or a block's claims do not parse.
    #[error("malformed session credential: {0}")]
    Malformed(&'static str),
    /// A block's signature does not verify: forged, altered or spliced.
    #[error(
        "the session credential's signature does not verify (block {block}): forged or altered"
    )]
    BadSignature {
        /// The first block that failed.
        block: usize,
    },
    /// The proof does not belong to the last block, so the credential
    /// cannot be attenuated.
    #[error("the session credential's proof does not match its last block")]
    BadProof,
    /// Attenuating would exceed [`MAX_BLOCKS`].
    #[error("the session credential cannot be delegated further ({MAX_BLOCKS} blocks)")]
    TooDeep,
    /// The operating system's random source failed.
    #[error("cannot draw random bytes for a credential: {0}")]
    Random(String),
}

/// What the issuer binds a session credential to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The credential's id (32 hex digits), the unit of revocation.
    pub id: String,
    /// The agent identity it was issued to.
    pub agent: String,
    /// The human on whose behalf the session runs.
    pub human: String,
    /// The session it belongs to.
    pub session: String,
    /// The repository (workspace root) it may act in; None when the session
    /// was not started inside one, in which case it is bound to `cwd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The directory the session started in.
    pub cwd: String,
    /// What the human said the session is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Issue time, seconds since the Unix epoch.
    pub issued_at: i64,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
    /// The action kinds it covers; None covers every kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
}

/// A narrowing appended by a holder: a subagent's credential is its
/// parent's plus one caveat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caveat {
    /// This block's id (32 hex digits), revocable on its own.
    pub id: String,
    /// Who the narrowed credential is for, e.g. `subagent:Explore`.
    pub label: String,
    /// A new expiry; only an earlier one than the parent's has an effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The kinds the narrowed credential covers; intersected with the
    /// parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
}

impl Caveat {
    /// A caveat with a fresh random id.
    ///
    /// # Errors
    /// [`CredentialError::Random`] when the OS random source fails.
    pub fn new(
        label: impl Into<String>,
        expires_at: Option<i64>,
        kinds: Option<Vec<String>>,
    ) -> Result<Caveat, CredentialError> {
        Ok(Caveat {
            id: new_id()?,
            label: label.into(),
            expires_at,
            kinds,
        })
    }
}

#[derive(Clone)]
struct Block {
    claims: Vec<u8>,
    next_key: VerifyingKey,
    signature: Signature,
}

/// A session credential, or one derived from it. It holds the proof key
/// that allows further attenuation; treat it as a secret.
#[derive(Clone)]
pub struct Credential {
    blocks: Vec<Block>,
    proof: SigningKey,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The proof is a secret key; never print it.
        f.debug_struct("Credential")
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

/// A fresh random id: 16 bytes, hex.
///
/// # Errors
/// [`CredentialError::Random`] when the OS random source fails.
pub fn new_id() -> Result<String, CredentialError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| CredentialError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn new_key() -> Result<SigningKey, CredentialError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| CredentialError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&secret);
    secret.fill(0);
    Ok(key)
}

/// The bytes a block's signature covers.
fn signed_message(
    index: usize,
    previous: Option<&Signature>,
    claims: &[u8],
    next_key: &VerifyingKey,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNING_CONTEXT.len() + 1 + 64 + 2 + claims.len() + 32);
    message.extend_from_slice(SIGNING_CONTEXT);
    // Blocks never exceed MAX_BLOCKS, so the index fits a byte.
    message.push(index as u8);
    match previous {
        Some(signature) => message.extend_from_slice(&signature.to_bytes()),
        None => message.extend_from_slice(&[0u8; 64]),
    }
    message.extend_from_slice(&(claims.len() as u16).to_be_bytes());
    message.extend_from_slice(claims);
    message.extend_from_slice(next_key.as_bytes());
    message
}

impl Credential {
    /// Mints a session credential signed by the issuer key.
    ///
    /// # Errors
    /// [`CredentialError::Malformed`] when the claims are too large to
    /// encode; [`CredentialError::Random`] when no key can be drawn.
    pub fn mint(
        issuer: &SigningKey,
        claims: &SessionClaims,
    ) -> Result<Credential, CredentialError> {
        let bytes = serde_json::to_vec(claims)
            .map_err(|_| CredentialError::Malformed("claims do not serialize"))?;
        let mut credential = Credential {
            blocks: Vec::new(),
            proof: issuer.clone(),
        };
        credential.push_block(bytes)?;
        Ok(credential)
    }

    /// Derives a narrower credential: this one plus `caveat`, signed with
    /// the proof. The parent stays valid.
    ///
    /// # Errors
    /// [`CredentialError::TooDeep`] past [`MAX_BLOCKS`];
    /// [`CredentialError::Malformed`] when the caveat is too large.
    pub fn attenuate(&self, caveat: &Caveat) -> Result<Credential, CredentialError> {
        if self.blocks.len() >= MAX_BLOCKS {
            return Err(CredentialError::TooDeep);
        }
        let bytes = serde_json::to_vec(caveat)
            .map_err(|_| CredentialError::Malformed("caveat does not serialize"))?;
        let mut derived = self.clone();
        derived.push_block(bytes)?;
        Ok(derived)
    }

    fn push_block(&mut self, claims: Vec<u8>) -> Result<(), CredentialError> {
        if claims.len() > MAX_CLAIMS_BYTES {
            return Err(CredentialError::Malformed("a block's claims are too large"));
        }
        let next = new_key()?;
        let next_key = next.verifying_key();
        let message = signed_message(
            self.blocks.len(),
            self.blocks.last().map(|b| &b.signature),
            &claims,
            &next_key,
        );
        let signature = self.proof.sign(&message);
        self.blocks.push(Block {
            claims,
            next_key,
            signature,
        });
        self.proof = next;
        Ok(())
    }

    /// How many blocks: 1 for a session credential, one more per
    /// delegation.
    pub fn depth(&self) -> usize {
        self.blocks.len()
    }

    /// The text form: [`TOKEN_PREFIX`] and base64url of
    /// `count:u8 || (len:u16be || claims || next_key[32] || sig[64])* || proof[32]`.
    pub fn encode(&self) -> String {
        let mut bytes = Vec::new();
        bytes.push(self.blocks.len() as u8);
        for block in &self.blocks {
            bytes.extend_from_slice(&(block.claims.len() as u16).to_be_bytes());
            bytes.extend_from_slice(&block.claims);
            bytes.extend_from_slice(block.next_key.as_bytes());
            bytes.extend_from_slice(&block.signature.to_bytes());
        }
        bytes.extend_from_slice(self.proof.as_bytes());
        let mut text = String::from(TOKEN_PREFIX);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(&bytes, &mut text);
        bytes.fill(0);
        text
    }

    /// Parses the text form. This checks structure only; call
    /// [`Credential::verify`] before trusting anything in it.
    ///
    /// # Errors
    /// A [`CredentialError`] naming what is wrong; never panics.
    pub fn decode(text: &str) -> Result<Credential, CredentialError> {
        let text = text.trim();
        if text.len() > MAX_TOKEN_CHARS {
            return Err(CredentialError::TooLong);
        }
        let body = text
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(CredentialError::NotACredential)?;
        let mut bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CredentialError::Malformed("not base64url"))?;
        let parsed = parse_container(&bytes);
        bytes.fill(0);
        parsed
    }

    /// Checks every signature against the issuer's public key and computes
    /// the effective rights. Binding (agent, repo, expiry, kind) and
    /// revocation are checked by [`Verified::check`] and the caller.
    ///
    /// # Errors
    /// [`CredentialError::BadSignature`] for a forged or altered block;
    /// [`CredentialError::Malformed`] when a block's claims do not parse.
    pub fn verify(&self, issuer: &VerifyingKey) -> Result<Verified, CredentialError> {
        let mut signer = *issuer;
        let mut previous: Option<&Signature> = None;
        for (index, block) in self.blocks.iter().enumerate() {
            let message = signed_message(index, previous, &block.claims, &block.next_key);
            signer
                .verify_strict(&message, &block.signature)
                .map_err(|_| CredentialError::BadSignature { block: index })?;
            signer = block.next_key;
            previous = Some(&block.signature);
        }
        // The proof must be the secret half of the last block's next key.
        // Whoever saw a delegated credential also saw its parent's blocks;
        // without this check they could drop the caveats from the end and
        // present the wider parent under a proof of their own.
        if self.proof.verifying_key() != signer {
            return Err(CredentialError::BadProof);
        }
        let (first, rest) = self
            .blocks
            .split_first()
            .ok_or(CredentialError::Malformed("no blocks"))?;
        let root: SessionClaims = serde_json::from_slice(&first.claims)
            .map_err(|_| CredentialError::Malformed("the session block does not parse"))?;
        let mut verified = Verified {
            ids: vec![root.id.clone()],
            labels: Vec::new(),
            expires_at: root.expires_at,
            kinds: root.kinds.as_ref().map(|k| k.iter().cloned().collect()),
            root,
        };
        for block in rest {
            let caveat: Caveat = serde_json::from_slice(&block.claims)
                .map_err(|_| CredentialError::Malformed("a caveat block does not parse"))?;
            verified.ids.push(caveat.id);
            verified.labels.push(caveat.label);
            if let Some(expires_at) = caveat.expires_at {
                verified.expires_at = verified.expires_at.min(expires_at);
            }
            if let Some(kinds) = caveat.kinds {
                let narrowed: BTreeSet<String> = kinds.into_iter().collect();
                verified.kinds = Some(match verified.kinds.take() {
                    Some(current) => current.intersection(&narrowed).cloned().collect(),
                    None => narrowed,
                });
            }
        }
        Ok(verified)
    }
}

fn parse_container(bytes: &[u8]) -> Result<Credential, CredentialError> {
    let mut reader = Reader { bytes, at: 0 };
    let count = usize::from(reader.byte()?);
    if count == 0 || count > MAX_BLOCKS {
        return Err(CredentialError::Malformed("bad block count"));
    }
    let mut blocks = Vec::with_capacity(count);
    for _ in 0..count {
        let len = usize::from(u16::from_be_bytes(reader.array::<2>()?));
        if len > MAX_CLAIMS_BYTES {
            return Err(CredentialError::Malformed("a block's claims are too large"));
        }
        let claims = reader.take(len)?.to_vec();
        let next_key = VerifyingKey::from_bytes(&reader.array::<32>()?)
            .map_err(|_| CredentialError::Malformed("a next key is not an Ed25519 point"))?;
        let signature = Signature::from_bytes(&reader.array::<64>()?);
        blocks.push(Block {
            claims,
            next_key,
            signature,
        });
    }
    let mut secret = reader.array::<32>()?;
    let proof = SigningKey::from_bytes(&secret);
    secret.fill(0);
    if reader.at != bytes.len() {
        return Err(CredentialError::Malformed("trailing bytes"));
    }
    Ok(Credential { blocks, proof })
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], CredentialError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(CredentialError::Malformed("truncated"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, CredentialError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CredentialError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// A credential whose signatures verified, with its effective rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The session block's claims as issued.
    pub root: SessionClaims,
    /// Every block's id, session first: revoking any of them revokes this
    /// credential.
    pub ids: Vec<String>,
    /// Each caveat's label, outermost last.
    pub labels: Vec<String>,
    /// The effective expiry: the earliest of all blocks.
    pub expires_at: i64,
    /// The effective kinds: the intersection of all blocks' lists; None
    /// covers every kind.
    pub kinds: Option<BTreeSet<String>>,
}

/// What a decision expects of the credential presented with it.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The agent the action is attributed to.
    pub agent: &'a str,
    /// The repository (workspace root) the action runs in, if any.
    pub repo: Option<&'a str>,
    /// The action's working directory, used when neither side has a repo.
    pub cwd: &'a str,
    /// The action's kind (`shell`, `file_read`, …).
    pub kind: &'a str,
    /// Now, seconds since the Unix epoch.
    pub now: i64,
}

/// Why a verified credential does not cover an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Past its effective expiry.
    #[error("the session credential expired {ago} s ago; start a new session")]
    Expired {
        /// Seconds since it expired.
        ago: i64,
    },
    /// Issued in the future: a clock or a forgery problem.
    #[error("the session credential is not valid yet")]
    NotYetValid,
    /// Issued to another agent.
    #[error("the session credential belongs to agent {bound:?}, not {actual:?}")]
    OtherAgent {
        /// The agent in the credential.
        bound: String,
        /// The agent the action is attributed to.
        actual: String,
    },
    /// Bound to another repository.
    #[error("the session credential is bound to {bound}, but the action runs in {actual}")]
    OtherRepo {
        /// The repo (or directory) in the credential.
        bound: String,
        /// Where the action runs.
        actual: String,
    },
    /// The action's kind is outside the (narrowed) credential.
    #[error("the session credential{label} does not cover {kind} actions")]
    KindNotCovered {
        /// The action kind.
        kind: String,
        /// ` for subagent:…` when a caveat narrowed it, else empty.
        label: String,
    },
}

/// Whether `path` is `root` or lies below it, component-wise.
fn within(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    path == root
        || root.is_empty()
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl Verified {
    /// Checks expiry and binding against one action.
    ///
    /// # Errors
    /// The first [`Rejection`] that applies.
    pub fn check(&self, expected: &Expected<'_>) -> Result<(), Rejection> {
        if expected.now >= self.expires_at {
            return Err(Rejection::Expired {
                ago: expected.now.saturating_sub(self.expires_at),
            });
        }
        // A minute of clock skew between processes is tolerated.
        if self.root.issued_at > expected.now + 60 {
            return Err(Rejection::NotYetValid);
        }
        if self.root.agent != expected.agent {
            return Err(Rejection::OtherAgent {
                bound: self.root.agent.clone(),
                actual: expected.agent.to_owned(),
            });
        }
        match (&self.root.repo, expected.repo) {
            (Some(bound), Some(actual)) if bound == actual => {}
            (Some(bound), actual) => {
                return Err(Rejection::OtherRepo {
                    bound: bound.clone(),
                    actual: actual.unwrap_or(expected.cwd).to_owned(),
                })
            }
            (None, Some(actual)) if !within(actual, &self.root.cwd) => {
                return Err(Rejection::OtherRepo {
                    bound: self.root.cwd.clone(),
                    actual: actual.to_owned(),
                })
            }
            (None, _) if !within(expected.cwd, &self.root.cwd) => {
                return Err(Rejection::OtherRepo {
                    bound: self.root.cwd.clone(),
                    actual: expected.cwd.to_owned(),
                })
            }
            (None, _) => {}
        }
        if let Some(kinds) = &self.kinds {
            if !kinds.contains(expected.kind) {
                return Err(Rejection::KindNotCovered {
                    kind: expected.kind.to_owned(),
                    label: self
                        .labels
                        .last()
                        .map(|l| format!(" for {l}"))
                        .unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    /// The credential's own id: the last block's (the session's for an
    /// undelegated credential).
    pub fn id(&self) -> &str {
        self.ids.last().map(String::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn claims() -> SessionClaims {
        SessionClaims {
            id: "00".repeat(16),
            agent: "reviewer".into(),
            human: "ana@example.com".into(),
            session: "s-1".into(),
            repo: Some("/work/app".into()),
            cwd: "/work/app".into(),
            task: None,
            issued_at: 1_000,
            expires_at: 2_000,
            kinds: None,
        }
    }

    fn expected(kind: &str) -> Expected<'_> {
        Expected {
            agent: "reviewer",
            repo: Some("/work/app"),
            cwd: "/work/app/src",
            kind,
            now: 1_500,
        }
    }

    #[test]
    fn round_trip_and_verify() {
        let credential = Credential::mint(&issuer(), &claims()).expect("mint");
        let text = credential.encode();
        let decoded = Credential::decode(&text).expect("decode");
        let verified = decoded.verify(&issuer().verifying_key()).expect("verify");
        assert_eq!(verified.root, claims());
        assert_eq!(verified.check(&expected("shell")), Ok(()));
    }

    #[test]
    fn a_caveat_narrows_and_cannot_widen() {
        let parent = Credential::mint(
            &issuer(),
            &SessionClaims {
                kinds: Some(vec!["file_read".into(), "search".into()]),
                ..claims()
            },
        )
        .expect("mint");
        let wider = Caveat {
            id: "11".repeat(16),
            label: "subagent:general".into(),
            expires_at: Some(9_999),
            kinds: Some(vec!["file_read".into(), "shell".into()]),
        };
        let child = parent.attenuate(&wider).expect("attenuate");
        let verified = child.verify(&issuer().verifying_key()).expect("verify");
        assert_eq!(verified.expires_at, 2_000);
        assert_eq!(
            verified.kinds,
            Some(BTreeSet::from(["file_read".to_owned()]))
        );
        assert!(matches!(
            verified.check(&expected("shell")),
            Err(Rejection::KindNotCovered { .. })
        ));
        assert_eq!(verified.ids.len(), 2);
    }

    #[test]
    fn another_issuer_is_a_forgery() {
        let forged =
            Credential::mint(&SigningKey::from_bytes(&[9u8; 32]), &claims()).expect("mint");
        assert_eq!(
            forged.verify(&issuer().verifying_key()),
            Err(CredentialError::BadSignature { block: 0 })
        );
    }

    #[test]
    fn binding_is_checked() {
        let verified = Credential::mint(&issuer(), &claims())
            .and_then(|c| c.verify(&issuer().verifying_key()))
            .expect("verified");
        let mut other = expected("shell");
        other.agent = "intruder";
        assert!(matches!(
            verified.check(&other),
            Err(Rejection::OtherAgent { .. })
        ));
        let mut other = expected("shell");
        other.repo = Some("/work/other");
        assert!(matches!(
            verified.check(&other),
            Err(Rejection::OtherRepo { .. })
        ));
        let mut late = expected("shell");
        late.now = 2_000;
        assert!(matches!(
            verified.check(&late),
            Err(Rejection::Expired { ago: 0 })
        ));
    }

    #[test]
    fn debug_hides_the_proof() {
        let credential = Credential::mint(&issuer(), &claims()).expect("mint");
        assert!(!format!("{credential:?}").contains("proof"));
    }
}
