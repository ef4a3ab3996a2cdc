//! Rough timing of decide with different policy counts (for profiling).
use std::time::Instant;
use warden_classify::Classifier;
fn main() {
    for total in [25usize, 50, 100, 200] {
        let (fixture, engine, actions) = warden_benches::setup(total);
        let classifier: Classifier = fixture.classifier(Default::default());
        let classified: Vec<_> = actions
            .iter()
            .map(|a| {
                let mut a = a.clone();
                classifier.classify(&mut a);
                a
            })
            .collect();
        let n = 20000;
        let t = Instant::now();
        for i in 0..n {
            std::hint::black_box(engine.policy().decide(&classified[i % classified.len()]));
        }
        println!(
            "{total} policies: decide {:.1} us",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
