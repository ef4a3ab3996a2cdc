//! Loops classification for perf.
use warden_classify::Classifier;
fn main() {
    let (fixture, _engine, actions) = warden_benches::setup(25);
    let classifier: Classifier = fixture.classifier(Default::default());
    for i in 0..100000 {
        let mut a = actions[i % actions.len()].clone();
        classifier.classify(&mut a);
        std::hint::black_box(a);
    }
}
