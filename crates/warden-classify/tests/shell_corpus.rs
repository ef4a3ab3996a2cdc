//! Runs the labelled shell corpus (`shell_corpus.toml`) through the shell
//! classifier and checks every case's expected and forbidden classes.

use serde::Deserialize;
use std::collections::BTreeSet;
use warden_action::{Class, Context};

#[derive(Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    cmd: String,
    expect: Vec<String>,
    #[serde(default)]
    forbid: Vec<String>,
    #[serde(default)]
    exact: bool,
    #[serde(default)]
    note: Option<String>,
}

/// Classifies one command in the corpus fixture.
pub fn classify(cmd: &str) -> Context {
    warden_classify::classify_in_corpus_fixture(cmd)
}

fn names(classes: &BTreeSet<Class>) -> BTreeSet<String> {
    classes.iter().map(|c| c.as_str().to_owned()).collect()
}

#[test]
fn corpus_has_at_least_300_cases_with_known_classes() {
    let corpus: Corpus = toml::from_str(include_str!("shell_corpus.toml")).expect("corpus parses");
    assert!(corpus.case.len() >= 300, "only {} cases", corpus.case.len());
    for case in &corpus.case {
        assert!(
            !case.expect.is_empty(),
            "case without expectations: {}",
            case.cmd
        );
        for class in case.expect.iter().chain(case.forbid.iter()) {
            assert!(
                Class::parse(class).is_some(),
                "unknown class {class} in {}",
                case.cmd
            );
        }
    }
}

#[test]
fn corpus_cases_classify_as_labelled() {
    let corpus: Corpus = toml::from_str(include_str!("shell_corpus.toml")).expect("corpus parses");
    let mut failures = Vec::new();
    for case in &corpus.case {
        let ctx = classify(&case.cmd);
        let got = names(&ctx.classes);
        let expect: BTreeSet<String> = case.expect.iter().cloned().collect();
        let missing: Vec<&String> = expect.difference(&got).collect();
        let forbidden: Vec<&String> = case.forbid.iter().filter(|f| got.contains(*f)).collect();
        let exact_wrong = case.exact && got != expect;
        if !missing.is_empty() || !forbidden.is_empty() || exact_wrong {
            failures.push(format!(
                "{:?}\n    expected {:?}{} got {:?}\n    notes: {:?}{}",
                case.cmd,
                expect,
                if case.exact { " exactly," } else { "," },
                got,
                ctx.notes,
                case.note
                    .as_ref()
                    .map(|n| format!("\n    ({n})"))
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        corpus.case.len(),
        failures.join("\n")
    );
}
