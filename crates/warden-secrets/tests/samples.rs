//! Every rule's own samples: positives must be found by that rule (and not
//! be allow-listed), negatives must not be found by it.

use warden_secrets::{rules, ScanOptions, Scanner, Tier};

#[test]
fn rule_table_is_sound() {
    let all = rules();
    assert!(all.len() >= 150, "only {} rules", all.len());
    for (i, r) in all.iter().enumerate() {
        let kebab = !r.id.is_empty()
            && r.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !r.id.starts_with('-')
            && !r.id.ends_with('-');
        assert!(kebab, "{}: id is not kebab-case", r.id);
        assert!(
            all[..i].iter().all(|o| o.id != r.id),
            "{}: duplicate id",
            r.id
        );
        assert!(!r.description.is_empty(), "{}: no description", r.id);
        assert!(!r.keywords.is_empty(), "{}: no keyword", r.id);
        for k in r.keywords {
            assert!(
                !k.is_empty() && *k == k.to_ascii_lowercase(),
                "{}: keyword {k:?}",
                r.id
            );
        }
        assert!(!r.samples.is_empty(), "{}: no positive sample", r.id);
        let re = regex::bytes::RegexBuilder::new(r.pattern)
            .unicode(false)
            .build();
        assert!(re.is_ok(), "{}: {:?}", r.id, re.err());
        // Every specific rule's samples contain one of its keywords.
        for s in r.samples {
            let lower = s.to_ascii_lowercase();
            assert!(
                r.keywords.iter().any(|k| lower.contains(k)),
                "{}: sample lacks a keyword",
                r.id
            );
        }
    }
    let generic = all.iter().filter(|r| r.tier != Tier::Generic).count();
    assert!(generic >= 150, "{generic} non-generic formats");
}

#[test]
fn positive_samples_match_their_rule() {
    // Each rule alone, so a broader rule cannot take the sample over.
    let mut failures = Vec::new();
    for r in rules() {
        let s = Scanner::new(ScanOptions {
            only_rules: Some(vec![r.id.to_string()]),
            ..Default::default()
        })
        .unwrap();
        for sample in r.samples {
            if !s.scan(sample.as_bytes()).iter().any(|f| f.rule.id == r.id) {
                failures.push(format!("{}: {sample:?}", r.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} samples not found:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn positive_samples_survive_the_full_rule_set() {
    // With every rule enabled the sample is still reported, by this rule or
    // a more specific one covering the same secret.
    let s = Scanner::builtin();
    let mut failures = Vec::new();
    for r in rules() {
        for sample in r.samples {
            let found = s.scan(sample.as_bytes());
            let ok = found
                .iter()
                .any(|f| f.rule.id == r.id || f.rule.tier < r.tier);
            if !ok {
                failures.push(format!(
                    "{}: {sample:?} -> {:?}",
                    r.id,
                    found.iter().map(|f| f.rule.id).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_samples_do_not_match_their_rule() {
    let mut failures = Vec::new();
    for r in rules() {
        let s = Scanner::new(ScanOptions {
            only_rules: Some(vec![r.id.to_string()]),
            ..Default::default()
        })
        .unwrap();
        for sample in r.negatives {
            if s.scan(sample.as_bytes()).iter().any(|f| f.rule.id == r.id) {
                failures.push(format!("{}: {sample:?}", r.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} negatives found:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn samples_are_redacted_completely() {
    let s = Scanner::builtin();
    for r in rules() {
        for sample in r.samples {
            let red = s.redact(sample);
            assert!(s.scan(red.as_bytes()).is_empty(), "{}: {red}", r.id);
            assert_eq!(s.redact(&red), red, "{}", r.id);
            assert!(red.contains("[REDACTED:"), "{}: {red}", r.id);
        }
    }
}

#[test]
fn documented_examples_are_allow_listed() {
    let s = Scanner::builtin();
    let texts = [
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "token: <your-token>",
        "API_KEY=${API_KEY}",
        "password: changeme",
        "api_key = \"your_api_key_here\"",
        "SECRET=aaaaaaaaaaaaaaaaaaaaaaaa",
        "TOKEN=abcdefghijklmnopqrstuvwxyz",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "DATABASE_URL=postgres://{{ user }}:{{ password }}@db/app",
    ];
    for t in texts {
        let found = s.scan(t.as_bytes());
        assert!(
            found.is_empty(),
            "{t:?}: {:?}",
            found.iter().map(|f| f.rule.id).collect::<Vec<_>>()
        );
    }
}
