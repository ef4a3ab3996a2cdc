//! Arbitrary bytes through the warden-secrets engine: findings stay in
//! bounds, sorted and disjoint; for UTF-8 input they sit on character
//! boundaries, and redaction leaves no finding and is idempotent.
#![no_main]
use warden_secrets::Scanner;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scanner = Scanner::builtin();
    let found = scanner.scan(data);
    let mut last_end = 0;
    for f in &found {
        assert!(f.start < f.end && f.end <= data.len());
        assert!(f.start >= last_end);
        last_end = f.end;
        assert!(f.line >= 1 && f.column >= 1);
        let fp = f.fingerprint(data);
        assert!(fp.starts_with(f.rule.id));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for f in &found {
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
        let redacted = scanner.redact(text);
        assert!(scanner.scan(redacted.as_bytes()).is_empty(), "{redacted:?}");
        assert_eq!(scanner.redact(&redacted), redacted);
    }
});
