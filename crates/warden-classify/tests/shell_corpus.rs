//! Runs the labelled shell corpus (`shell_corpus.toml`) through the shell
//! classifier and checks every case's expected and forbidden classes.

use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use warden_action::{Class, Context};
use warden_classify::destination::DestinationConfig;
use warden_classify::paths::PathEnv;
use warden_classify::shell::{self, ShellEnv};
use warden_classify::ProductionConfig;

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

/// The corpus's fixture: workspace /work/app, home /home/dev, temp /tmp.
fn fixture_env() -> PathEnv {
    PathEnv {
        home: PathBuf::from("/home/dev"),
        workspace_root: Some(PathBuf::from("/work/app")),
        warden_home: PathBuf::from("/home/dev/.config/warden"),
        hooks_path: None,
        temp_dirs: vec![PathBuf::from("/tmp")],
    }
}

/// Classifies one command in the corpus fixture.
pub fn classify(cmd: &str) -> Context {
    let paths = fixture_env();
    let destinations = DestinationConfig::default();
    let production = ProductionConfig::default();
    let env = ShellEnv {
        paths: &paths,
        cwd: PathBuf::from("/work/app"),
        destinations: &destinations,
        production: &production,
        origin: Some("git@github.com:example/app.git"),
    };
    let mut ctx = Context::default();
    shell::classify(cmd, &env, &mut ctx);
    ctx
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
