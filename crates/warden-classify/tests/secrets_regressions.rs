//! Inputs found by fuzzing the secret detector, kept as regressions.

use warden_classify::secrets::{find_secrets, redact};

/// Redaction markers once formed a new URL password together with an
/// earlier `scheme://` and a later `@` (fuzz crash, 2026-11-26).
#[test]
fn redaction_markers_never_form_a_new_secret() {
    let text = "shh://rF\u{1}\0\0\u{c}:\0\0*@\u{4}hf_ABshh://rF_ABIA_A\0\x001IArA_fsecretOikpasswdeYe=!apfsrA_fsecretOikpass\u{1}\0\0\0\0\0\0\0wd\0\x001IArA_fsecrees*@\u{4}hf_";
    let redacted = redact(text);
    assert!(find_secrets(&redacted).is_empty(), "{redacted:?}");
}

/// A generic assignment hidden behind an overlapping candidate appeared
/// only after the first redaction pass (fuzz crash, 2026-11-26).
#[test]
fn redaction_reaches_a_fixpoint() {
    let text = "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=!apswd0nyk+h5crArAehfstoken-wdeYefffffff_terAsOBIArfffffffffffffffffffffffffffffffffffffffffffffffff-fffffffffffffffNNNNNNNNNNNNNNNNNNNNNNNNNNNzNAsOapMMMMMMikpasNNNNNNNNNNNNNNNNAc\u{b}ACCAswdeYeapiksecrek=ACCAFFNsecrtsr!apswd0nyk+h5crArAehf_teetzs";
    let redacted = redact(text);
    assert!(find_secrets(&redacted).is_empty(), "{redacted:?}");
}
