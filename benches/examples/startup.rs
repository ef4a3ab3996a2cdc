//! Times the steps of one `warden check`-like process (for profiling).
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
fn main() {
    let home = std::env::var("WARDEN_HOME").unwrap_or_default();
    let t0 = Instant::now();
    let dir = std::path::Path::new(&home).join("policies");
    let p = warden_policy::PolicyEngine::load_dir(&dir, warden_policy::Validation::Skip);
    let t1 = Instant::now();
    let p2 = warden_policy::PolicyEngine::load_dir(&dir, warden_policy::Validation::Strict);
    let t2 = Instant::now();
    let engine = warden_engine::Engine::load(
        std::path::Path::new(&home),
        "/root".into(),
        warden_policy::Validation::Skip,
    );
    let t3 = Instant::now();
    let Ok(engine) = engine else { return };
    let input = serde_json::json!({"command": "git status"});
    let (_a, d) = engine.decide_tool_call("Bash", &input, "/work/main", Default::default());
    let t4 = Instant::now();
    let r = warden_classify::secrets::redact("fetches without secrets and a token");
    let t5 = Instant::now();
    println!(
        "first policy parse (cold, no validation)  {:>8.2} ms",
        ms(t1 - t0)
    );
    println!(
        "policy parse + strict validation          {:>8.2} ms",
        ms(t2 - t1)
    );
    println!(
        "engine load (config + parse, no validation) {:>6.2} ms",
        ms(t3 - t2)
    );
    println!(
        "first classify + decide (cold caches)     {:>8.2} ms",
        ms(t4 - t3)
    );
    println!(
        "first redaction (compiles its regexes)    {:>8.2} ms",
        ms(t5 - t4)
    );
    assert!(p.is_ok() && p2.is_ok() && d.effect == warden_action::Effect::Allow && !r.is_empty());
}
