//! Property tests: the scanner never panics, its ranges are sound, and
//! redaction is complete and idempotent.

use proptest::prelude::*;
use warden_secrets::{rules, Scanner};

/// Pieces that steer random text into the rules: keywords, separators,
/// token alphabets and whole rule samples.
fn soup() -> impl Strategy<Value = String> {
    let samples: Vec<String> = rules()
        .iter()
        .flat_map(|r| r.samples.iter().map(|s| s.to_string()))
        .collect();
    let keywords: Vec<String> = rules()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_string()))
        .collect();
    let piece = prop_oneof![
        "[ -~]{0,12}",
        "\\PC{0,4}",
        proptest::sample::select(samples),
        proptest::sample::select(keywords),
        "(token|password|secret|api_key|Authorization: Bearer |://|u:|@h|=|: |\"|'|--|\\$|\n|\\\\n)",
        "[A-Za-z0-9_+/=-]{8,64}",
        "-----(BEGIN|END) (RSA |OPENSSH )?PRIVATE KEY-----\n?",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn check_str(s: &str) -> Result<(), TestCaseError> {
    let scanner = Scanner::builtin();
    let found = scanner.scan(s.as_bytes());
    for w in found.windows(2) {
        prop_assert!(w[0].end <= w[1].start, "overlap: {:?}", found);
    }
    for f in &found {
        prop_assert!(f.start < f.end && f.end <= s.len());
        prop_assert!(s.is_char_boundary(f.start) && s.is_char_boundary(f.end));
        prop_assert!(f.line >= 1 && f.column >= 1);
        let newlines = s.as_bytes()[..f.start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        prop_assert_eq!(f.line, newlines + 1);
    }
    let red = scanner.redact(s);
    prop_assert!(
        scanner.scan(red.as_bytes()).is_empty(),
        "redacted text still has findings: {:?}",
        red
    );
    prop_assert_eq!(
        scanner.redact(&red),
        red.clone(),
        "redaction not idempotent"
    );
    for f in &found {
        let secret = &s[f.start..f.end];
        if secret.len() >= 12 {
            prop_assert!(
                !red.contains(secret),
                "secret survived redaction: {:?}",
                red
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scan_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let found = Scanner::builtin().scan(&bytes);
        for f in &found {
            prop_assert!(f.start < f.end && f.end <= bytes.len());
        }
    }

    #[test]
    fn arbitrary_strings_keep_invariants(s in any::<String>()) {
        check_str(&s)?;
    }

    #[test]
    fn keyword_soup_keeps_invariants(s in soup()) {
        check_str(&s)?;
    }

    #[test]
    fn samples_in_context_are_found_and_redacted(
        idx in 0usize..1000,
        pre in "[ -~]{0,20}(\n| |=|: |\")",
        post in "(\n| |\"|;)[ -~]{0,20}",
    ) {
        let all: Vec<(&str, &str)> = rules().iter().flat_map(|r| r.samples.iter().map(move |s| (r.id, *s))).collect();
        let (_, sample) = all[idx % all.len()];
        let text = format!("{pre}{sample}{post}");
        check_str(&text)?;
    }
}

#[test]
fn long_buffers_use_every_lane() {
    // Secrets around the lane borders of the four-lane prefilter.
    let sample = "ghp_FAKEjlKcHhK35KZsZ4i1DTTXlfA9IgGgRs2T";
    let filler = "let x = compute(y) + 1; // nothing here\n";
    let mut text = String::new();
    let mut expected = 0;
    while text.len() < 200_000 {
        text.push_str(filler);
        if text.len().is_multiple_of(7) {
            text.push_str(sample);
            text.push('\n');
            expected += 1;
        }
    }
    for cut in [text.len(), text.len() / 2 + 13, 8192 * 4 + 1] {
        let t = &text[..cut];
        let want = t.matches(sample).count();
        let got = Scanner::builtin().scan(t.as_bytes()).len();
        assert_eq!(got, want, "cut {cut}");
    }
    assert!(expected > 0);
}
