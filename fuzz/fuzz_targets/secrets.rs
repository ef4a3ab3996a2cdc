//! Any text through the secret detector: matches stay in bounds and on
//! character boundaries, and redacted text holds no secret.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for m in warden_classify::secrets::find_secrets(text) {
        assert!(m.start < m.end && m.end <= text.len());
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
    }
    let redacted = warden_classify::secrets::redact(text);
    assert!(warden_classify::secrets::find_secrets(&redacted).is_empty());
});
