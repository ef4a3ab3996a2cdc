//! Property tests on the credential code: forgery, expiry, attenuation and
//! decoding of arbitrary input.

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use std::collections::BTreeSet;
use warden_identity::{Caveat, Credential, CredentialError, Expected, Rejection, SessionClaims};

const KINDS: [&str; 5] = ["shell", "file_read", "file_write", "search", "mcp_call"];

fn issuer() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn claims(expires_at: i64, kinds: Option<Vec<String>>) -> SessionClaims {
    SessionClaims {
        id: "ab".repeat(16),
        agent: "builder".into(),
        human: "dev@example.com".into(),
        session: "session-1".into(),
        repo: Some("/src/app".into()),
        cwd: "/src/app".into(),
        task: Some("fix the build".into()),
        issued_at: 100,
        expires_at,
        kinds,
    }
}

fn kind_set() -> impl Strategy<Value = Option<Vec<String>>> {
    prop::option::of(prop::sample::subsequence(KINDS.to_vec(), 0..=KINDS.len()))
        .prop_map(|k| k.map(|k| k.into_iter().map(str::to_owned).collect()))
}

fn raw(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&text[warden_identity::TOKEN_PREFIX.len()..])
        .expect("own encoding")
}

fn text(bytes: &[u8]) -> String {
    format!(
        "{}{}",
        warden_identity::TOKEN_PREFIX,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Changing any byte of the signed part makes decoding or verification
    /// fail.
    #[test]
    fn any_altered_signed_byte_is_rejected(position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let credential = Credential::mint(&issuer(), &claims(1_000, None)).expect("mint");
        let child = credential
            .attenuate(&Caveat::new("subagent:Explore", Some(900), Some(vec!["file_read".into()])).expect("caveat"))
            .expect("attenuate");
        let mut bytes = raw(&child.encode());
        // The proof (the last 32 bytes) is covered too: it must match the
        // last block's next key.
        let at = position.index(bytes.len());
        bytes[at] ^= flip;
        let outcome = Credential::decode(&text(&bytes)).and_then(|c| c.verify(&issuer().verifying_key()));
        prop_assert!(outcome.is_err(), "byte {at} altered and still verified");
    }

    /// However a holder attenuates, the effective expiry never passes the
    /// parent's and the effective kinds are a subset of the parent's.
    #[test]
    fn attenuation_never_widens(
        root_kinds in kind_set(),
        root_expiry in 200i64..10_000,
        caveats in prop::collection::vec((prop::option::of(0i64..20_000), kind_set()), 1..5),
    ) {
        let mut credential = Credential::mint(&issuer(), &claims(root_expiry, root_kinds.clone())).expect("mint");
        let mut parent = credential.verify(&issuer().verifying_key()).expect("verify");
        for (expiry, kinds) in caveats {
            credential = credential.attenuate(&Caveat::new("child", expiry, kinds).expect("caveat")).expect("attenuate");
            let child = Credential::decode(&credential.encode())
                .and_then(|c| c.verify(&issuer().verifying_key()))
                .expect("verify child");
            prop_assert!(child.expires_at <= parent.expires_at);
            match (&parent.kinds, &child.kinds) {
                (Some(p), Some(c)) => prop_assert!(c.is_subset(p)),
                (Some(_), None) => prop_assert!(false, "a child widened to every kind"),
                (None, _) => {}
            }
            for kind in KINDS {
                let expected = Expected { agent: "builder", repo: Some("/src/app"), cwd: "/src/app", kind, now: 150 };
                if child.check(&expected).is_ok() {
                    prop_assert!(parent.check(&expected).is_ok(), "{kind} allowed to the child only");
                }
            }
            parent = child;
        }
    }

    /// Expiry is exact: valid strictly before, rejected at and after.
    #[test]
    fn expiry_is_exact(expires_at in 101i64..100_000, now in 0i64..200_000) {
        let verified = Credential::mint(&issuer(), &claims(expires_at, None))
            .and_then(|c| c.verify(&issuer().verifying_key()))
            .expect("verify");
        let expected = Expected { agent: "builder", repo: Some("/src/app"), cwd: "/src/app", kind: "shell", now };
        let outcome = verified.check(&expected);
        if now >= expires_at {
            prop_assert!(matches!(outcome, Err(Rejection::Expired { .. })), "{:?}", outcome);
        } else {
            prop_assert_eq!(outcome, Ok(()));
        }
    }

    /// Decoding never panics, and what it accepts re-encodes to itself.
    #[test]
    fn decoding_arbitrary_text_never_panics(body in "[A-Za-z0-9_-]{0,600}") {
        let input = format!("{}{}", warden_identity::TOKEN_PREFIX, body);
        if let Ok(credential) = Credential::decode(&input) {
            prop_assert_eq!(credential.encode(), input);
            let _ = credential.verify(&issuer().verifying_key());
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        let _ = Credential::decode(&text(&bytes)).map(|c| c.verify(&issuer().verifying_key()));
    }
}

#[test]
fn dropping_a_middle_block_or_splicing_is_rejected() {
    let parent = Credential::mint(&issuer(), &claims(1_000, None)).expect("mint");
    let a = parent
        .attenuate(&Caveat::new("a", None, Some(vec!["shell".into()])).expect("caveat"))
        .expect("a");
    let ab = a
        .attenuate(&Caveat::new("b", None, None).expect("caveat"))
        .expect("ab");
    // Rebuild the container with block 1 removed: block 2 was signed over
    // block 1's signature, so it no longer verifies.
    let bytes = raw(&ab.encode());
    let mut at = 1;
    let mut blocks = Vec::new();
    for _ in 0..3 {
        let len = usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
        let end = at + 2 + len + 32 + 64;
        blocks.push(bytes[at..end].to_vec());
        at = end;
    }
    let proof = &bytes[at..];
    let mut spliced = vec![2u8];
    spliced.extend_from_slice(&blocks[0]);
    spliced.extend_from_slice(&blocks[2]);
    spliced.extend_from_slice(proof);
    let outcome =
        Credential::decode(&text(&spliced)).and_then(|c| c.verify(&issuer().verifying_key()));
    assert_eq!(
        outcome.err(),
        Some(CredentialError::BadSignature { block: 1 })
    );
}

#[test]
fn garbage_is_a_clear_error() {
    assert_eq!(
        Credential::decode("hello").err(),
        Some(CredentialError::NotACredential)
    );
    assert_eq!(
        Credential::decode(&"x".repeat(20_000)).err(),
        Some(CredentialError::TooLong)
    );
    assert!(matches!(
        Credential::decode("wsc1.!!").err(),
        Some(CredentialError::Malformed(_))
    ));
    let kinds: BTreeSet<&str> = KINDS.into_iter().collect();
    assert_eq!(kinds.len(), 5);
}

#[test]
fn dropping_caveats_from_the_end_needs_the_parents_proof() {
    let parent = Credential::mint(&issuer(), &claims(1_000, None)).expect("mint");
    let child = parent
        .attenuate(
            &Caveat::new(
                "subagent:Explore",
                Some(900),
                Some(vec!["file_read".into()]),
            )
            .expect("caveat"),
        )
        .expect("attenuate");
    // Cut the child back to its first block and put any key as the proof:
    // the proof no longer matches the last block's next key.
    let bytes = raw(&child.encode());
    let first_len = usize::from(u16::from_be_bytes([bytes[1], bytes[2]]));
    let first_end = 1 + 2 + first_len + 32 + 64;
    let mut cut = vec![1u8];
    cut.extend_from_slice(&bytes[1..first_end]);
    cut.extend_from_slice(&[9u8; 32]);
    let outcome = Credential::decode(&text(&cut)).and_then(|c| c.verify(&issuer().verifying_key()));
    assert_eq!(outcome.err(), Some(CredentialError::BadProof));
    // Any altered proof byte is refused too.
    let mut bytes = raw(&child.encode());
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let outcome =
        Credential::decode(&text(&bytes)).and_then(|c| c.verify(&issuer().verifying_key()));
    assert_eq!(outcome.err(), Some(CredentialError::BadProof));
}
