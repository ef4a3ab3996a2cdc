//! Tampering with the audit trail through raw SQL is detected by
//! `Store::verify`. Each test works on a fresh database of ten records and
//! first drops the append-only triggers, as an attacker would.

mod audit_support;

use audit_support::{
    all, expect_ok, expect_problem, fill, fresh, key, raw_insert, record, rehash_from, unlock,
};
use rusqlite::params;
use warden_store::ed25519_dalek::SigningKey;
use warden_store::{Checkpoint, ProblemKind, Store};

/// Ten records, triggers dropped, verified clean.
fn ten() -> (tempfile::TempDir, Store) {
    let (dir, _path, store) = fresh();
    fill(&store, 10);
    unlock(store.connection());
    expect_ok(&store);
    (dir, store)
}

fn exec(store: &Store, sql: &str) {
    store.connection().execute_batch(sql).unwrap();
}

#[test]
fn altered_summary() {
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET summary = 'nothing to see' WHERE seq = 4",
    );
    let problem = expect_problem(&store, ProblemKind::Altered, 4);
    assert_eq!(problem.message, "record 4: contents do not match its hash");
}

#[test]
fn altered_decision() {
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET decision = 'allow' WHERE seq = 2",
    );
    expect_problem(&store, ProblemKind::Altered, 2);
}

#[test]
fn altered_every_column() {
    for (column, value) in [
        ("ts", "'2000-01-01T00:00:00.000Z'"),
        ("kind", "'registry'"),
        ("session_id", "NULL"),
        ("prompt_id", "'p'"),
        ("tool_use_id", "'t'"),
        ("agent", "'a'"),
        ("human", "'mallory'"),
        ("tool", "'Read'"),
        ("policies", "'[]'"),
        ("reasons", "'[\"x\"]'"),
        ("secret_in_output", "1 - secret_in_output"),
        ("detail", "'{\"event\":\"Other\"}'"),
    ] {
        let (_dir, store) = ten();
        exec(
            &store,
            &format!("UPDATE audit_log SET {column} = {value} WHERE seq = 7"),
        );
        let report = store.verify(&key().verifying_key()).unwrap();
        let problem = report.first_problem.expect(column);
        assert_eq!(
            (problem.kind, problem.seq),
            (ProblemKind::Altered, 7),
            "{column}: {problem}"
        );
    }
}

#[test]
fn undecodable_row_is_reported_not_an_error() {
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET kind = 'bogus', detail = '{' WHERE seq = 5",
    );
    let problem = expect_problem(&store, ProblemKind::Altered, 5);
    assert!(problem.message.contains("unknown kind"), "{problem}");
    // Plain reading reports the corruption as an error.
    let err = store.records(&Default::default()).unwrap_err();
    assert!(
        err.to_string().contains("audit record 5 is corrupt"),
        "{err}"
    );
}

#[test]
fn deleted_middle_record() {
    let (_dir, store) = ten();
    exec(&store, "DELETE FROM audit_log WHERE seq = 5");
    let problem = expect_problem(&store, ProblemKind::Deleted, 6);
    assert_eq!(problem.message, "record 6: record 5 is missing before it");
}

#[test]
fn deleted_several_and_first_records() {
    let (_dir, store) = ten();
    exec(&store, "DELETE FROM audit_log WHERE seq IN (3, 4, 5)");
    let problem = expect_problem(&store, ProblemKind::Deleted, 6);
    assert!(
        problem.message.contains("records 3..=5 are missing"),
        "{problem}"
    );

    let (_dir, store) = ten();
    exec(&store, "DELETE FROM audit_log WHERE seq = 1");
    expect_problem(&store, ProblemKind::Deleted, 2);
}

#[test]
fn inserted_row_with_shifted_seqs() {
    // The attacker makes room at seq 5 and inserts a correctly chained,
    // correctly hashed forgery there.
    let (_dir, store) = ten();
    let before = all(&store);
    exec(
        &store,
        "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5;
         UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000;",
    );
    let mut forged = before[4].clone();
    forged.summary = "harmless".into();
    forged.prev_hash = before[3].hash.clone();
    forged.hash = forged.compute_hash().unwrap();
    let conn = store.connection();
    // The UNIQUE prev_hash refuses a second successor of record 4 ...
    let fork = conn.execute(
        "INSERT INTO audit_log (seq, ts, kind, summary, policies, reasons,
             secret_in_output, detail, prev_hash, hash)
         VALUES (5, 'x', 'prompt', 'x', '[]', '[]', 0, 'null', ?1, ?1)",
        [&forged.prev_hash],
    );
    assert!(fork.unwrap_err().to_string().contains("UNIQUE"));
    // ... so the attacker re-links the displaced record to the forgery.
    conn.execute(
        "UPDATE audit_log SET prev_hash = ?1 WHERE seq = 6",
        [&forged.hash],
    )
    .unwrap();
    raw_insert(conn, &forged);
    // The insertion shows up as rows stored out of seq order.
    expect_problem(&store, ProblemKind::Reordered, 5);
}

#[test]
fn inserted_row_with_table_rebuilt_in_order() {
    // As above, but the attacker also rebuilds the table so that storage
    // order matches seq order: the shifted record's hash no longer matches
    // (seq is hashed), even re-linked to the forgery.
    let (_dir, store) = ten();
    let mut records = all(&store);
    let mut forged = records[4].clone();
    forged.summary = "harmless".into();
    forged.prev_hash = records[3].hash.clone();
    forged.hash = forged.compute_hash().unwrap();
    for r in records.iter_mut().skip(4) {
        r.seq += 1;
    }
    records[4].prev_hash = forged.hash.clone();
    records.insert(4, forged);
    exec(&store, "DELETE FROM audit_log");
    for r in &records {
        raw_insert(store.connection(), r);
    }
    expect_problem(&store, ProblemKind::Altered, 6);
}

#[test]
fn inserted_row_with_everything_rehashed_is_caught_by_the_checkpoint() {
    // The strongest attacker without the key: insert, renumber, re-hash the
    // whole rest of the chain. Only the signed checkpoint can tell.
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    let mut records = all(&store);
    let mut forged = records[4].clone();
    forged.summary = "harmless".into();
    forged.hash = forged.compute_hash().unwrap();
    for r in records.iter_mut().skip(4) {
        r.seq += 1;
    }
    records[4].prev_hash = forged.hash.clone();
    records.insert(4, forged);
    exec(&store, "DELETE FROM audit_log");
    for r in &records {
        raw_insert(store.connection(), r);
    }
    rehash_from(&store, 5);
    let problem = expect_problem(&store, ProblemKind::Truncated, 10);
    assert!(problem.message.contains("signed checkpoint"), "{problem}");
}

#[test]
fn extra_row_at_the_tail_with_a_bad_link_or_hash() {
    let (_dir, store) = ten();
    let records = all(&store);
    // A copy of record 3 replayed as record 11.
    let mut replay = records[2].clone();
    replay.seq = 11;
    replay.prev_hash = records[9].hash.clone();
    raw_insert(store.connection(), &replay);
    expect_problem(&store, ProblemKind::Altered, 11);

    let (_dir, store) = ten();
    let records = all(&store);
    let mut unlinked = records[9].clone();
    unlinked.seq = 11;
    unlinked.prev_hash = records[8].hash.clone().replace(|_: char| true, "1");
    unlinked.hash = unlinked.compute_hash().unwrap();
    raw_insert(store.connection(), &unlinked);
    expect_problem(&store, ProblemKind::Inserted, 11);
}

#[test]
fn well_formed_tail_append_is_not_tampering() {
    // Documented limit: a hash chain proves history was not rewritten; it
    // cannot tell who appended a correctly chained record at the tail.
    let (_dir, store) = ten();
    let records = all(&store);
    let mut extra = records[9].clone();
    extra.seq = 11;
    extra.prev_hash = records[9].hash.clone();
    extra.hash = extra.compute_hash().unwrap();
    raw_insert(store.connection(), &extra);
    expect_ok(&store);
}

#[test]
fn swapped_rows_including_seq() {
    // Rows 3 and 7 trade places in storage, each keeping its contents and
    // seq: the chain in seq order is intact, but storage order is not.
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET id = 1000 WHERE seq = 3;
         UPDATE audit_log SET id = 3 WHERE seq = 7;
         UPDATE audit_log SET id = 7 WHERE seq = 3;",
    );
    let problem = expect_problem(&store, ProblemKind::Reordered, 3);
    assert!(
        problem
            .message
            .contains("storage position 3 holds record 7"),
        "{problem}"
    );
}

#[test]
fn swapped_contents_keeping_seq() {
    let (_dir, store) = ten();
    exec(
        &store,
        "CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq IN (3, 7);
         UPDATE audit_log SET
             summary = (SELECT summary FROM t WHERE t.seq = 10 - audit_log.seq),
             kind = (SELECT kind FROM t WHERE t.seq = 10 - audit_log.seq),
             decision = (SELECT decision FROM t WHERE t.seq = 10 - audit_log.seq)
         WHERE seq IN (3, 7);",
    );
    expect_problem(&store, ProblemKind::Altered, 3);
}

#[test]
fn deleted_and_reinserted_row() {
    let (_dir, store) = ten();
    exec(
        &store,
        "CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE seq = 4;
         DELETE FROM audit_log WHERE seq = 4;
         INSERT INTO audit_log SELECT NULL, seq, ts, kind, session_id, prompt_id,
             tool_use_id, agent, human, tool, summary, decision, policies, reasons,
             secret_in_output, detail, prev_hash, hash FROM t;",
    );
    // Every hash and link still holds; only the storage order gives it away.
    let problem = expect_problem(&store, ProblemKind::Reordered, 4);
    assert!(
        problem
            .message
            .contains("storage position 4 holds record 5"),
        "{problem}"
    );
}

#[test]
fn truncated_tail_after_checkpoint() {
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    exec(&store, "DELETE FROM audit_log WHERE seq >= 8");
    let problem = expect_problem(&store, ProblemKind::Truncated, 8);
    assert_eq!(
        problem.message,
        "record 8: missing; the log ends at record 7 but a signed checkpoint names record 10"
    );

    exec(&store, "DELETE FROM audit_log");
    let problem = expect_problem(&store, ProblemKind::Truncated, 1);
    assert!(problem.message.contains("the log is empty"), "{problem}");
}

#[test]
fn truncated_and_regrown_tail() {
    // Truncate past the checkpoint, then append fresh, valid records
    // through the store: the chain is consistent, the checkpoint is not.
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    exec(&store, "DELETE FROM audit_log WHERE seq >= 8");
    for i in 20..25 {
        store.append(&record(i)).unwrap();
    }
    expect_problem(&store, ProblemKind::Truncated, 10);
}

#[test]
fn truncation_before_the_newest_checkpoint_is_not_masked() {
    // Deleting the newest checkpoint too still leaves the older one.
    let (_dir, _path, store) = fresh();
    let key = key();
    for i in 0..70 {
        store.append_signed(&record(i), Some(&key)).unwrap();
    }
    store.checkpoint(&key).unwrap().unwrap();
    unlock(store.connection());
    exec(
        &store,
        "DELETE FROM checkpoints WHERE seq = 70; DELETE FROM audit_log WHERE seq >= 60;",
    );
    expect_problem(&store, ProblemKind::Truncated, 60);
}

#[test]
fn forged_checkpoint_signature() {
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    let cp = store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    let flipped = format!(
        "{}{}",
        if cp.signature.starts_with('0') {
            '1'
        } else {
            '0'
        },
        &cp.signature[1..]
    );
    store
        .connection()
        .execute("UPDATE checkpoints SET signature = ?1", [flipped])
        .unwrap();
    let problem = expect_problem(&store, ProblemKind::BadSignature, 10);
    assert!(problem.message.contains("invalid signature"), "{problem}");
}

#[test]
fn checkpoint_signed_by_another_key() {
    // An attacker truncates and covers it with their own checkpoint.
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    exec(
        &store,
        "DELETE FROM audit_log WHERE seq >= 8; DELETE FROM checkpoints;",
    );
    let head = all(&store).pop().unwrap();
    let mallory = SigningKey::from_bytes(&[66; 32]);
    let forged = Checkpoint::sign(head.seq, &head.hash, "2030-01-01T00:00:00.000Z", &mallory);
    store
        .connection()
        .execute(
            "INSERT INTO checkpoints (seq, hash, ts, signature) VALUES (?1, ?2, ?3, ?4)",
            params![forged.seq, forged.hash, forged.ts, forged.signature],
        )
        .unwrap();
    expect_problem(&store, ProblemKind::BadSignature, 7);
}

#[test]
fn rehash_after_alter_breaks_the_next_link() {
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET decision = 'allow' WHERE seq = 4",
    );
    let mut altered = all(&store)[3].clone();
    altered.hash = altered.compute_hash().unwrap();
    store
        .connection()
        .execute(
            "UPDATE audit_log SET hash = ?1 WHERE seq = 4",
            [&altered.hash],
        )
        .unwrap();
    let problem = expect_problem(&store, ProblemKind::Inserted, 5);
    assert!(problem.message.contains("hash of record 4"), "{problem}");
}

#[test]
fn rehash_after_alter_of_the_head_is_caught_by_the_checkpoint() {
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    unlock(store.connection());
    exec(
        &store,
        "UPDATE audit_log SET summary = 'benign' WHERE seq = 10",
    );
    rehash_from(&store, 10);
    expect_problem(&store, ProblemKind::Truncated, 10);
}

#[test]
fn rehash_of_the_whole_suffix_is_caught_by_the_checkpoint() {
    let (_dir, _path, store) = fresh();
    fill(&store, 10);
    store.checkpoint(&key()).unwrap().unwrap();
    fill(&store, 3); // records after the checkpoint, unsigned
    unlock(store.connection());
    exec(
        &store,
        "UPDATE audit_log SET decision = 'allow' WHERE seq = 3",
    );
    rehash_from(&store, 3);
    expect_problem(&store, ProblemKind::Truncated, 10);
}

#[test]
fn first_problem_is_the_lowest_seq() {
    let (_dir, store) = ten();
    exec(
        &store,
        "UPDATE audit_log SET summary = 'a' WHERE seq = 8;
         UPDATE audit_log SET summary = 'b' WHERE seq = 3;",
    );
    expect_problem(&store, ProblemKind::Altered, 3);
}
