//! The audit chain: appending, reading back, filtering, checkpoints.

mod audit_support;

use audit_support::{all, expect_ok, fill, fresh, key, record};
use proptest::prelude::*;
use serde_json::{json, Value};
use warden_store::ed25519_dalek::SigningKey;
use warden_store::{NewRecord, RecordFilter, RecordKind, Store, CHECKPOINT_EVERY, GENESIS_HASH};

#[test]
fn append_and_read_back() {
    let (_dir, path, store) = fresh();
    assert!(all(&store).is_empty());
    let written = fill(&store, 12);
    let read = all(&store);
    assert_eq!(read, written);

    assert_eq!(read[0].prev_hash, GENESIS_HASH);
    assert_eq!(GENESIS_HASH, "0".repeat(64));
    for (i, r) in read.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1);
        assert_eq!(r.hash, r.compute_hash().unwrap());
        assert_eq!(r.hash.len(), 64);
        assert!(r
            .hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // RFC 3339, UTC, milliseconds.
        let ts = r.ts.as_bytes();
        assert_eq!(ts.len(), "2024-03-01T12:34:56.789Z".len(), "{}", r.ts);
        assert_eq!((ts[10], ts[19], ts[23]), (b'T', b'.', b'Z'), "{}", r.ts);
        let new = record(i);
        assert_eq!(
            (&r.kind, &r.summary, &r.detail, &r.policies),
            (&new.kind, &new.summary, &new.detail, &new.policies)
        );
    }
    for pair in read.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }

    // Survives reopening; verification recomputes the same hashes.
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(all(&store), written);
    let report = expect_ok(&store);
    assert_eq!((report.records, report.checkpoints), (12, 0));
}

#[test]
fn exported_json_has_exactly_the_documented_keys() {
    let (_dir, _path, store) = fresh();
    let r = store.append(&record(1)).unwrap();
    let value = serde_json::to_value(&r).unwrap();
    let text = serde_json::to_string(&r).unwrap();
    let keys = [
        "seq",
        "ts",
        "kind",
        "session_id",
        "prompt_id",
        "tool_use_id",
        "agent",
        "human",
        "tool",
        "summary",
        "decision",
        "policies",
        "reasons",
        "secret_in_output",
        "detail",
        "prev_hash",
        "hash",
    ];
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), keys.len());
    let mut last = 0;
    for key in keys {
        assert!(object.contains_key(key), "{key}");
        // In this order in the text.
        let at = text.find(&format!("\"{key}\":")).unwrap();
        assert!(at >= last, "{key} out of order in {text}");
        last = at;
    }
    assert_eq!(object["kind"], "prompt");
    // The canonical bytes are the export minus the hash.
    let canonical = String::from_utf8(r.canonical_bytes().unwrap()).unwrap();
    assert_eq!(
        text,
        format!(
            "{},\"hash\":\"{}\"}}",
            canonical.strip_suffix('}').unwrap(),
            r.hash
        )
    );
}

#[test]
fn minimal_record_round_trips() {
    let (_dir, _path, store) = fresh();
    let written = store
        .append(&NewRecord::new(RecordKind::SessionStart, "session started"))
        .unwrap();
    assert_eq!(written.session_id, None);
    assert_eq!(written.detail, Value::Null);
    assert!(written.policies.is_empty());
    assert_eq!(all(&store), vec![written]);
    expect_ok(&store);
}

#[test]
fn filter_by_session_since_and_limit() {
    let (_dir, _path, store) = fresh();
    let mut written = fill(&store, 6);
    // A later batch, so `since` has something to separate.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    written.extend((6..10).map(|i| store.append(&record(i)).unwrap()));

    let session0 = store
        .records(&RecordFilter {
            session_id: Some("session-0".into()),
            ..RecordFilter::default()
        })
        .unwrap();
    let expected: Vec<_> = written
        .iter()
        .filter(|r| r.session_id.as_deref() == Some("session-0"))
        .cloned()
        .collect();
    assert_eq!(session0, expected);
    assert_eq!(session0.len(), 5);

    let limited = store
        .records(&RecordFilter {
            session_id: Some("session-1".into()),
            limit: Some(2),
            ..RecordFilter::default()
        })
        .unwrap();
    assert_eq!(
        limited.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![2, 4]
    );

    let since = |s: &str| {
        store
            .records(&RecordFilter {
                since: Some(s.into()),
                ..RecordFilter::default()
            })
            .unwrap()
    };
    // Exactly a stored timestamp: that record and everything at or after it.
    let seventh = &written[6];
    let got = since(&seventh.ts);
    assert_eq!(got.first().map(|r| r.seq), Some(7));
    assert_eq!(got, written[6..].to_vec());
    // Second precision with a `Z` still includes records later in that second.
    let whole_second = format!("{}Z", &seventh.ts[..19]);
    assert!(since(&whole_second).iter().any(|r| r.seq == 7));
    // Date prefixes.
    assert_eq!(since("1970-01-01").len(), 10);
    assert_eq!(since(&written[0].ts[..10]).len(), 10);
    assert!(since("9999").is_empty());

    let combined = store
        .records(&RecordFilter {
            session_id: Some("session-0".into()),
            since: Some(seventh.ts.clone()),
            limit: Some(1),
        })
        .unwrap();
    assert_eq!(combined.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![7]);
    assert!(store
        .records(&RecordFilter {
            limit: Some(0),
            ..RecordFilter::default()
        })
        .unwrap()
        .is_empty());
}

#[test]
fn explicit_checkpoints() {
    let (_dir, _path, store) = fresh();
    let key = key();
    assert_eq!(store.checkpoint(&key).unwrap(), None, "empty log");
    let written = fill(&store, 3);
    let cp = store.checkpoint(&key).unwrap().unwrap();
    assert_eq!((cp.seq, &cp.hash), (3, &written[2].hash));
    assert!(cp.verify(&key.verifying_key()));
    assert_eq!(store.checkpoint(&key).unwrap(), None, "head already signed");
    store.append(&record(3)).unwrap();
    let cp4 = store.checkpoint(&key).unwrap().unwrap();
    assert_eq!(cp4.seq, 4);
    assert_eq!(store.checkpoints().unwrap(), vec![cp, cp4]);
    let report = expect_ok(&store);
    assert_eq!((report.records, report.checkpoints), (4, 2));
}

#[test]
fn automatic_checkpoints_every_64_records() {
    let (_dir, _path, store) = fresh();
    let key = key();
    assert_eq!(CHECKPOINT_EVERY, 64);
    for i in 0..130 {
        store.append_signed(&record(i), Some(&key)).unwrap();
    }
    let seqs = |store: &Store| {
        store
            .checkpoints()
            .unwrap()
            .iter()
            .map(|c| c.seq)
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(&store), vec![64, 128]);
    // Unsigned appends take no checkpoint; the next signed one catches up.
    for i in 130..200 {
        store.append(&record(i)).unwrap();
    }
    assert_eq!(seqs(&store), vec![64, 128]);
    store.append_signed(&record(200), Some(&key)).unwrap();
    assert_eq!(seqs(&store), vec![64, 128, 201]);
    let report = expect_ok(&store);
    assert_eq!((report.records, report.checkpoints), (201, 3));
    // Checkpoints hold the hash of the record they name.
    let records = all(&store);
    for cp in store.checkpoints().unwrap() {
        assert_eq!(cp.hash, records[cp.seq as usize - 1].hash);
    }
}

#[test]
fn tables_are_append_only_and_cannot_fork() {
    let (_dir, _path, store) = fresh();
    fill(&store, 3);
    store.checkpoint(&key()).unwrap();
    let conn = store.connection();
    for sql in [
        "UPDATE audit_log SET summary = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE checkpoints SET seq = 2",
        "DELETE FROM checkpoints",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // A second record claiming the same predecessor (a fork), or the same
    // sequence number, is refused by the schema itself.
    let mut fork = all(&store)[1].clone();
    fork.seq = 4;
    fork.summary = "fork".into();
    fork.hash = fork.compute_hash().unwrap();
    let insert = |r: &warden_store::Record| {
        conn.execute(
            "INSERT INTO audit_log (seq, ts, kind, summary, policies, reasons,
                 secret_in_output, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, '[]', '[]', 0, 'null', ?5, ?6)",
            rusqlite::params![r.seq, r.ts, r.kind.as_str(), r.summary, r.prev_hash, r.hash],
        )
    };
    assert!(insert(&fork).unwrap_err().to_string().contains("UNIQUE"));
    let mut dup = all(&store)[2].clone();
    dup.prev_hash = dup.hash.clone();
    assert!(insert(&dup).unwrap_err().to_string().contains("UNIQUE"));
    expect_ok(&store);
}

#[test]
fn verify_with_the_wrong_key_rejects_checkpoints() {
    let (_dir, _path, store) = fresh();
    fill(&store, 2);
    store.checkpoint(&key()).unwrap();
    let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
    let report = store.verify(&other).unwrap();
    let problem = report.first_problem.unwrap();
    assert_eq!(
        (problem.kind, problem.seq),
        (warden_store::ProblemKind::BadSignature, 2)
    );
}

#[test]
fn short_lived_writers_leave_no_write_ahead_log() {
    // One process per hook event: each is the last connection when it
    // closes, checkpoints, and removes the log, so the log cannot grow
    // (see `Store::open` on SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE).
    let (_dir, path, store) = fresh();
    drop(store);
    for i in 0..300 {
        let store = Store::open(&path).unwrap();
        store.append(&record(i)).unwrap();
    }
    let wal = path.with_extension("db-wal");
    let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(size, 0, "{} left behind", wal.display());
    let store = Store::open(&path).unwrap();
    assert_eq!(expect_ok(&store).records, 300);
}

#[test]
fn float_in_detail_round_trips_exactly() {
    // Needs serde_json's float_roundtrip: the default parser can be off by
    // one ulp on values like this, which would change the hash.
    let (_dir, _path, store) = fresh();
    let mut new = NewRecord::new(RecordKind::Event, "float");
    new.detail = json!([[9.272689280771771e246, 0.1, -0.0, 1e-300]]);
    let written = store.append(&new).unwrap();
    assert_eq!(all(&store), vec![written]);
    expect_ok(&store);
}

/// Arbitrary JSON with nested objects, unicode keys and finite floats.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((".{0,6}", inner), 0..6).prop_map(|entries| json!(entries
                .into_iter()
                .collect::<serde_json::Map<String, Value>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the caller stores, reading it back gives the same record
    /// and verification recomputes the same hash.
    #[test]
    fn arbitrary_records_round_trip_and_verify(
        summary in ".{0,40}",
        session in proptest::option::of(".{0,12}"),
        policies in prop::collection::vec(".{0,10}", 0..4),
        secret in any::<bool>(),
        detail in json_value(),
    ) {
        let (_dir, path, store) = fresh();
        let mut new = NewRecord::new(RecordKind::Event, summary);
        new.session_id = session;
        new.policies = policies;
        new.secret_in_output = secret;
        new.detail = detail;
        let first = store.append(&new).unwrap();
        let second = store.append(&new).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let read = all(&store);
        prop_assert_eq!(&read, &vec![first, second]);
        prop_assert_eq!(&read[0].detail, &new.detail);
        let report = store.verify(&key().verifying_key()).unwrap();
        prop_assert!(report.is_ok(), "{:?}", report.first_problem);
    }
}
