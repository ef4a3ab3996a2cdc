//! Many processes appending to one database, and `kill -9` in mid-append.
//!
//! The test binary re-runs itself: with `WARDEN_AUDIT_CHILD` set to a
//! database path, the `child_entry` test (a no-op otherwise) plays the
//! child process selected by `WARDEN_AUDIT_MODE`.

mod audit_support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use audit_support::{all, expect_ok, fresh, key, record};
use warden_store::{NewRecord, RecordKind, Store};

const CHILD_ENV: &str = "WARDEN_AUDIT_CHILD";
const MODE_ENV: &str = "WARDEN_AUDIT_MODE";
const ID_ENV: &str = "WARDEN_AUDIT_ID";
const PROCESSES: usize = 8;
const PER_PROCESS: usize = 50;

/// The child side. Not a real test: returns at once unless the parent set
/// `WARDEN_AUDIT_CHILD`.
#[test]
fn child_entry() {
    let Some(path) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    match std::env::var(MODE_ENV).as_deref() {
        Ok("append") => append_child(&path),
        Ok("loop") => loop_child(&path),
        other => panic!("unknown child mode {other:?}"),
    }
}

/// Waits for the start signal, then appends `PER_PROCESS` signed records.
fn append_child(path: &Path) {
    let id: usize = std::env::var(ID_ENV).unwrap().parse().unwrap();
    let store = Store::open(path).unwrap();
    // Start together, so the appends really contend.
    let go = go_file(path);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no start signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let key = key();
    for j in 0..PER_PROCESS {
        let mut new = NewRecord::new(RecordKind::Decision, format!("child {id} record {j}"));
        new.agent = Some(format!("child-{id}"));
        new.detail = serde_json::json!({ "child": id, "n": j });
        store.append_signed(&new, Some(&key)).unwrap();
        // Without a pause one process would take the lock again before the
        // others' busy handlers wake up, and the writers would run one
        // after another instead of interleaving.
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Appends until killed, printing `ack <seq>` after each commit. Gives up
/// after a while so an orphan cannot run forever.
fn loop_child(path: &Path) {
    let store = Store::open(path).unwrap();
    let key = key();
    let stdout = std::io::stdout();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = 0;
    while Instant::now() < deadline {
        let stored = store.append_signed(&record(i), Some(&key)).unwrap();
        let mut out = stdout.lock();
        writeln!(out, "ack {}", stored.seq).unwrap();
        out.flush().unwrap();
        i += 1;
    }
}

fn go_file(db: &Path) -> PathBuf {
    db.with_extension("go")
}

/// Starts this test binary as a child in `mode`.
fn spawn_child(db: &Path, mode: &str, id: usize, stdout: Stdio) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .env(MODE_ENV, mode)
        .env(ID_ENV, id.to_string())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Kills the child if the test fails before it does.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn eight_processes_append_without_forking_the_chain() {
    let (_dir, path, store) = fresh();
    let children: Vec<KillOnDrop> = (0..PROCESSES)
        .map(|id| KillOnDrop(spawn_child(&path, "append", id, Stdio::null())))
        .collect();
    std::fs::write(go_file(&path), b"").unwrap();
    for mut child in children {
        let status = child.0.wait().unwrap();
        assert!(status.success(), "child failed: {status}");
    }

    let report = expect_ok(&store);
    let total = PROCESSES * PER_PROCESS;
    assert_eq!(report.records, total);
    // One automatic checkpoint per 64 records, none skipped or doubled.
    assert_eq!(report.checkpoints, total / 64);
    let records = all(&store);
    let seqs: Vec<i64> = records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=total as i64).collect::<Vec<_>>());
    // Each process's records are all there, in its own order.
    for id in 0..PROCESSES {
        let mine: Vec<String> = records
            .iter()
            .filter(|r| r.agent.as_deref() == Some(&format!("child-{id}")))
            .map(|r| r.summary.clone())
            .collect();
        let expected: Vec<String> = (0..PER_PROCESS)
            .map(|j| format!("child {id} record {j}"))
            .collect();
        assert_eq!(mine, expected);
    }
    let switches = records
        .windows(2)
        .filter(|w| w[0].agent != w[1].agent)
        .count();
    eprintln!("{total} records from {PROCESSES} processes, {switches} writer switches");
    assert!(
        switches > PROCESSES,
        "writers did not interleave ({switches} switches)"
    );
}

#[test]
fn kill_9_loses_no_acknowledged_record() {
    let (_dir, path, store) = fresh();
    drop(store);
    let mut child = KillOnDrop(spawn_child(&path, "loop", 0, Stdio::piped()));
    let stdout = child.0.stdout.take().unwrap();
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // Not necessarily at the start of a line: libtest prints
        // "test child_entry ... " just before the child's first output.
        if let Some((_, seq)) = line.split_once("ack ") {
            acked.push(seq.parse::<i64>().unwrap());
            if acked.len() == 150 {
                break;
            }
        }
    }
    assert_eq!(acked.len(), 150, "child stopped early");
    // SIGKILL, most likely in the middle of an append.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert!(!status.success());

    let store = Store::open(&path).unwrap();
    let report = expect_ok(&store);
    let records = all(&store);
    let present: std::collections::BTreeSet<i64> = records.iter().map(|r| r.seq).collect();
    for seq in &acked {
        assert!(present.contains(seq), "acknowledged record {seq} lost");
    }
    assert_eq!(acked, (1..=150).collect::<Vec<_>>());
    assert!(report.records >= 150);
    assert!(report.checkpoints >= 2);
    // The store keeps working after the crash.
    let next = store.append(&record(0)).unwrap();
    assert_eq!(next.seq, report.records as i64 + 1);
    expect_ok(&store);
}
