//! Any text as a session credential: decoding and verifying never panic,
//! nothing but a credential signed by the issuer verifies, and what decodes
//! re-encodes to the same text.
#![no_main]
use warden_identity::Credential;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let issuer = warden_identity_fuzz_key();
    for candidate in [text.to_owned(), format!("{}{}", warden_identity::TOKEN_PREFIX, text)] {
        if let Ok(credential) = Credential::decode(&candidate) {
            assert_eq!(credential.encode(), candidate.trim());
            // Random bytes carry no valid signature by this key.
            assert!(credential.verify(&issuer).is_err());
        }
    }
});

fn warden_identity_fuzz_key() -> ed25519_dalek::VerifyingKey {
    ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]).verifying_key()
}
