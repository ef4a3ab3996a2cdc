//! Criterion benchmarks of the decision core: classify + decide per action
//! with 100 policies, each half alone, and the cost of loading policies.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use warden_classify::Classifier;
use warden_policy::{packs, PolicyEngine, Validation};

fn decide(c: &mut Criterion) {
    let (fixture, engine, actions) = warden_benches::setup(100);
    let classifier: Classifier = fixture.classifier(Default::default());

    let mut group = c.benchmark_group("decision");
    let mut i = 0;
    group.bench_function("classify_and_decide_100_policies", |b| {
        b.iter_batched(
            || {
                i = (i + 1) % actions.len();
                actions[i].clone()
            },
            |mut action| black_box(engine.decide(&mut action)),
            BatchSize::SmallInput,
        )
    });
    let mut j = 0;
    group.bench_function("classify_only", |b| {
        b.iter_batched(
            || {
                j = (j + 1) % actions.len();
                actions[j].clone()
            },
            |mut action| {
                classifier.classify(&mut action);
                black_box(action)
            },
            BatchSize::SmallInput,
        )
    });
    let classified: Vec<_> = actions
        .iter()
        .map(|a| {
            let mut a = a.clone();
            classifier.classify(&mut a);
            a
        })
        .collect();
    let mut k = 0;
    group.bench_function("decide_only_100_policies", |b| {
        b.iter(|| {
            k = (k + 1) % classified.len();
            black_box(engine.policy().decide(&classified[k]))
        })
    });
    group.finish();

    let mut load = c.benchmark_group("policy_load");
    let pack = packs::pack("production")
        .map(|p| p.policy_sources())
        .unwrap_or_default();
    let mut sources = pack.clone();
    sources.push((
        "team.cedar".to_owned(),
        warden_benches::filler_policies(100 - 25),
    ));
    load.bench_function("parse_100_policies", |b| {
        b.iter(|| {
            black_box(PolicyEngine::from_sources(packs::SCHEMA, &sources, Validation::Skip).is_ok())
        })
    });
    load.bench_function("parse_and_validate_100_policies", |b| {
        b.iter(|| {
            black_box(
                PolicyEngine::from_sources(packs::SCHEMA, &sources, Validation::Strict).is_ok(),
            )
        })
    });
    load.finish();
}

criterion_group!(benches, decide);
criterion_main!(benches);
