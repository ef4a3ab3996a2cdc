//! Helpers shared by the audit integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use rusqlite::{params, Connection};
use serde_json::json;
use warden_store::ed25519_dalek::SigningKey;
use warden_store::{NewRecord, Problem, ProblemKind, Record, RecordFilter, RecordKind, Store};

/// A fresh database in a temporary directory.
pub fn fresh() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

/// The audit key used throughout the tests.
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// A varied record; `i` picks the session and contents.
pub fn record(i: usize) -> NewRecord {
    let kind = RecordKind::ALL[i % RecordKind::ALL.len()];
    NewRecord {
        kind,
        session_id: Some(format!("session-{}", i % 2)),
        prompt_id: Some(format!("prompt-{}", i / 3)),
        tool_use_id: (kind == RecordKind::Decision).then(|| format!("toolu_{i}")),
        agent: Some("claude-code".into()),
        human: Some("alice".into()),
        tool: Some("Bash".into()),
        summary: format!("record number {i}: ls -la"),
        decision: Some(["allow", "deny", "ask", "approve"][i % 4].into()),
        policies: vec![format!("policy-{i}"), "base".into()],
        reasons: if i.is_multiple_of(3) {
            vec![]
        } else {
            vec!["reason".into()]
        },
        secret_in_output: i.is_multiple_of(5),
        detail: if i.is_multiple_of(4) {
            serde_json::Value::Null
        } else {
            json!({"event": "PreToolUse", "classes": ["read", "net"], "n": i, "x": 0.5})
        },
    }
}

/// Appends `n` records (record(0..n)).
pub fn fill(store: &Store, n: usize) -> Vec<Record> {
    (0..n).map(|i| store.append(&record(i)).unwrap()).collect()
}

/// Every record.
pub fn all(store: &Store) -> Vec<Record> {
    store.records(&RecordFilter::default()).unwrap()
}

/// Drops the append-only triggers, as an attacker with write access would.
pub fn unlock(conn: &Connection) {
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DROP TRIGGER checkpoints_no_update; DROP TRIGGER checkpoints_no_delete;",
    )
    .unwrap();
}

/// Inserts `record` exactly as given, bypassing the store.
pub fn raw_insert(conn: &Connection, r: &Record) {
    conn.execute(
        "INSERT INTO audit_log (seq, ts, kind, session_id, prompt_id, tool_use_id, agent,
             human, tool, summary, decision, policies, reasons, secret_in_output, detail,
             prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            r.seq,
            r.ts,
            r.kind.as_str(),
            r.session_id,
            r.prompt_id,
            r.tool_use_id,
            r.agent,
            r.human,
            r.tool,
            r.summary,
            r.decision,
            serde_json::to_string(&r.policies).unwrap(),
            serde_json::to_string(&r.reasons).unwrap(),
            r.secret_in_output,
            serde_json::to_string(&r.detail).unwrap(),
            r.prev_hash,
            r.hash,
        ],
    )
    .unwrap();
}

/// Re-links and re-hashes every record from `from_seq` on, as an attacker
/// who knows the (public) hashing scheme would after editing history.
pub fn rehash_from(store: &Store, from_seq: i64) {
    let conn = store.connection();
    let mut prev: Option<String> = None;
    for mut r in all(store) {
        if r.seq < from_seq {
            prev = Some(r.hash.clone());
            continue;
        }
        if let Some(p) = &prev {
            r.prev_hash = p.clone();
        }
        r.hash = r.compute_hash().unwrap();
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![r.prev_hash, r.hash, r.seq],
        )
        .unwrap();
        prev = Some(r.hash);
    }
}

/// Verifies with the test key and returns the problem, which must exist,
/// have `kind` and `seq`, and a one-line message naming `seq`.
pub fn expect_problem(store: &Store, kind: ProblemKind, seq: i64) -> Problem {
    let report = store.verify(&key().verifying_key()).unwrap();
    let problem = report
        .first_problem
        .unwrap_or_else(|| panic!("tampering not detected (expected {kind} at {seq})"));
    assert_eq!((problem.kind, problem.seq), (kind, seq), "{problem}");
    assert!(!problem.message.contains('\n'), "{problem}");
    assert!(
        problem.message.contains(&format!("record {seq}")),
        "{problem}"
    );
    problem
}

/// Verifies with the test key and asserts there is no problem.
pub fn expect_ok(store: &Store) -> warden_store::VerifyReport {
    let report = store.verify(&key().verifying_key()).unwrap();
    assert!(report.is_ok(), "{:?}", report.first_problem);
    report
}
