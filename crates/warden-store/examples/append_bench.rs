//! Measures the cost of one audit append with `synchronous=NORMAL` and
//! `synchronous=FULL`.
//!
//! ```text
//! cargo run --release -p warden-store --example append_bench [-- COUNT]
//! ```
//!
//! Each run uses a fresh database in a temporary directory under
//! `$TMPDIR` (so the file system there is what is measured) and appends
//! COUNT (default 2000) typical decision records through one connection,
//! then prints the mean and median time per append. A second line
//! measures the open + append + close cycle of a short-lived hook process
//! that holds the only connection (so closing checkpoints the log).

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use warden_store::ed25519_dalek::SigningKey;
use warden_store::{Durability, NewRecord, RecordKind, Store};

fn typical(i: usize) -> NewRecord {
    let mut record = NewRecord::new(
        RecordKind::Decision,
        format!("Bash: git status --short ({i})"),
    );
    record.session_id = Some("3f0c9a52-6a1d-4a4e-9d0e-2f7f1c0b8e11".into());
    record.prompt_id = Some(format!("prompt-{}", i / 10));
    record.tool_use_id = Some(format!("toolu_01ABCDEF{i:08}"));
    record.agent = Some("claude-code".into());
    record.human = Some("alice".into());
    record.tool = Some("Bash".into());
    record.decision = Some("allow".into());
    record.policies = vec!["base.read-only-git".into()];
    record.reasons = vec!["read-only git command".into()];
    record.detail = json!({"event": "PreToolUse", "classes": ["vcs.read"]});
    record
}

fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let total: Duration = samples.iter().sum();
    let mean = total.as_secs_f64() * 1e6 / samples.len() as f64;
    let median = samples[samples.len() / 2].as_secs_f64() * 1e6;
    (mean, median)
}

fn bench(dir: &Path, durability: Durability, count: usize) -> Result<(), Box<dyn Error>> {
    let path = dir.join(format!("{durability:?}.db"));
    let store = Store::open_with(&path, durability)?;
    let key = SigningKey::from_bytes(&[7; 32]);
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let start = Instant::now();
        store.append_signed(&typical(i), Some(&key))?;
        samples.push(start.elapsed());
    }
    let (mean, median) = stats(samples);
    println!(
        "{:<6} append (with a checkpoint every 64): mean {mean:8.1} µs, median {median:8.1} µs over {count}",
        format!("{durability:?}")
    );
    let report = store.verify(&key.verifying_key())?;
    assert!(report.is_ok() && report.records == count);
    // Closed, so each cycle below has the last connection, as a hook
    // process usually does (that is when closing would checkpoint).
    drop(store);

    // A hook process: open, append one record, close.
    let cycles = count.min(500);
    let mut samples = Vec::with_capacity(cycles);
    for i in 0..cycles {
        let start = Instant::now();
        let store = Store::open_with(&path, durability)?;
        store.append_signed(&typical(i), Some(&key))?;
        drop(store);
        samples.push(start.elapsed());
    }
    let (mean, median) = stats(samples);
    println!(
        "{:<6} open+append+close:                  mean {mean:8.1} µs, median {median:8.1} µs over {cycles}",
        format!("{durability:?}")
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let count = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 2000,
    };
    let dir = tempfile::tempdir()?;
    println!("database directory: {}", dir.path().display());
    bench(dir.path(), Durability::Normal, count)?;
    bench(dir.path(), Durability::Full, count)?;
    Ok(())
}
