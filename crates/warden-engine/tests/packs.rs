//! Every shipped pack validates against the schema and passes its own
//! policy tests.

use warden_classify::ClassifyConfig;
use warden_engine::policy_test;
use warden_policy::{packs, PolicyEngine, Validation};

#[test]
fn every_pack_validates_against_the_schema() {
    for pack in packs::PACKS {
        let engine =
            PolicyEngine::from_sources(packs::SCHEMA, &pack.policy_sources(), Validation::Strict);
        match engine {
            Ok(engine) => assert!(engine.policy_count() > 0, "pack {} is empty", pack.name),
            Err(e) => panic!("pack {} does not validate: {e}", pack.name),
        }
    }
}

#[test]
fn every_pack_passes_its_policy_tests() {
    let mut failures = Vec::new();
    let mut total = 0;
    for pack in packs::PACKS {
        for (file, source) in pack.tests {
            let cases = policy_test::parse_tests(source).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(cases.len() >= 10, "{file} has only {} tests", cases.len());
            let engine = PolicyEngine::from_sources(
                packs::SCHEMA,
                &pack.policy_sources(),
                Validation::Strict,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", pack.name));
            let outcomes =
                policy_test::run(engine, ClassifyConfig::default(), &cases).expect("fixture");
            total += outcomes.len();
            for outcome in outcomes.iter().filter(|o| !o.passed) {
                failures.push(format!(
                    "{}/{}: {}: {}",
                    pack.name, file, outcome.name, outcome.detail
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} policy tests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
