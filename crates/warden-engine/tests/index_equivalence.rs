//! The policy candidate index must never change a decision: for every
//! shell command of the classifier corpus and every pack, deciding with the
//! index equals deciding with every policy.

use serde::Deserialize;
use warden_action::{Action, ActionKind, What, Who};
use warden_engine::policy_test::Fixture;
use warden_policy::{packs, PolicyEngine, Validation};

#[derive(Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    cmd: String,
}

#[test]
fn indexed_and_full_evaluation_agree_on_the_whole_corpus() {
    let corpus: Corpus = toml::from_str(include_str!(
        "../../warden-classify/tests/shell_corpus.toml"
    ))
    .expect("corpus parses");
    let fixture = Fixture::new().expect("fixture");
    let classifier = fixture.classifier(Default::default());
    let cwd = fixture.workspace.to_string_lossy().into_owned();
    let mut compared = 0;
    for pack in packs::PACKS {
        let engine =
            PolicyEngine::from_sources(packs::SCHEMA, &pack.policy_sources(), Validation::Strict)
                .expect("pack validates");
        engine.prepare_index();
        for case in &corpus.case {
            let mut what = What::new(ActionKind::Shell, "Bash", cwd.clone());
            what.command = Some(case.cmd.clone());
            let mut action = Action::new(Who::default(), what);
            classifier.classify(&mut action);
            let indexed = engine.decide(&action);
            let full = engine.decide_unindexed(&action);
            assert_eq!(indexed, full, "pack {} command {:?}", pack.name, case.cmd);
            compared += 1;
        }
    }
    assert!(compared > 1000);
}
