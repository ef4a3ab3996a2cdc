//! Verification of the audit chain and its signed checkpoints.

use std::fmt;

use ed25519_dalek::VerifyingKey;
use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

use crate::audit::{StoredRow, GENESIS_HASH, RECORD_COLUMNS};
use crate::checkpoint::{read_all, Checkpoint};
use crate::{Store, StoreError};

/// The kind of inconsistency [`Store::verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A record's contents do not match its hash (or cannot be decoded).
    Altered,
    /// Sequence numbers have a gap: records were deleted.
    Deleted,
    /// A record's `prev_hash` does not link to the previous record's hash:
    /// a record was inserted or replaced, or an altered record was
    /// re-hashed.
    Inserted,
    /// Records are stored in a different order from their sequence
    /// numbers: rows were moved, swapped or deleted and re-inserted.
    Reordered,
    /// The log does not reach, or no longer passes through, a validly
    /// signed checkpoint: records were removed from the tail, or history
    /// up to the checkpoint was rewritten.
    Truncated,
    /// A checkpoint's signature does not verify under the given key.
    BadSignature,
}

impl ProblemKind {
    /// The snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Altered => "altered",
            ProblemKind::Deleted => "deleted",
            ProblemKind::Inserted => "inserted",
            ProblemKind::Reordered => "reordered",
            ProblemKind::Truncated => "truncated",
            ProblemKind::BadSignature => "bad_signature",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first inconsistency [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The sequence number of the first bad (or first missing) record; for
    /// [`ProblemKind::BadSignature`], the record the checkpoint names.
    pub seq: i64,
    /// What is wrong.
    pub kind: ProblemKind,
    /// One line, naming `seq`.
    pub message: String,
}

impl Problem {
    fn new(seq: i64, kind: ProblemKind, message: String) -> Problem {
        Problem { seq, kind, message }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The outcome of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Records read.
    pub records: usize,
    /// Checkpoints read (valid or not).
    pub checkpoints: usize,
    /// The inconsistency with the lowest `seq`, if any.
    pub first_problem: Option<Problem>,
}

impl VerifyReport {
    /// Whether no problem was found.
    pub fn is_ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

/// Keeps in `slot` whichever problem names the lower `seq` (the earlier
/// one on a tie, so chain problems win over checkpoint problems).
fn keep_first(slot: &mut Option<Problem>, problem: Problem) {
    if slot.as_ref().is_none_or(|kept| problem.seq < kept.seq) {
        *slot = Some(problem);
    }
}

/// Checks one record (the `index`-th in `seq` order) against what the
/// chain expects; `None` when it is consistent.
fn check_record(
    stored: StoredRow,
    index: usize,
    expected_seq: i64,
    prev_hash: &str,
    storage_order: &[i64],
) -> Result<Option<Problem>, StoreError> {
    let seq = stored.seq;
    if seq > expected_seq {
        let missing = if seq - 1 == expected_seq {
            format!("record {expected_seq} is missing")
        } else {
            format!("records {expected_seq}..={} are missing", seq - 1)
        };
        return Ok(Some(Problem::new(
            seq,
            ProblemKind::Deleted,
            format!("record {seq}: {missing} before it"),
        )));
    }
    if seq < expected_seq {
        return Ok(Some(Problem::new(
            seq,
            ProblemKind::Reordered,
            format!("record {seq}: sequence number is out of order"),
        )));
    }
    match storage_order.get(index) {
        Some(&found) if found == seq => {}
        found => {
            let holds = found.map_or("nothing".to_owned(), |s| format!("record {s}"));
            return Ok(Some(Problem::new(
                seq,
                ProblemKind::Reordered,
                format!(
                    "record {seq}: stored out of order (storage position {} holds {holds})",
                    index + 1
                ),
            )));
        }
    }
    let stored_prev = stored.prev_hash.clone();
    let stored_hash = stored.hash.clone();
    let record = match stored.decode() {
        Ok(record) => record,
        Err(reason) => {
            return Ok(Some(Problem::new(
                seq,
                ProblemKind::Altered,
                format!("record {seq}: contents cannot be decoded ({reason})"),
            )))
        }
    };
    if record.compute_hash()? != stored_hash {
        return Ok(Some(Problem::new(
            seq,
            ProblemKind::Altered,
            format!("record {seq}: contents do not match its hash"),
        )));
    }
    if stored_prev != prev_hash {
        let message = if seq == 1 {
            "record 1: prev_hash is not the genesis value (all zeros)".to_owned()
        } else {
            format!(
                "record {seq}: prev_hash does not match the hash of record {} \
                 (a record was inserted, replaced or re-hashed)",
                seq - 1
            )
        };
        return Ok(Some(Problem::new(seq, ProblemKind::Inserted, message)));
    }
    Ok(None)
}

impl Store {
    /// Verifies the whole audit chain and every checkpoint against `key`.
    ///
    /// Reads, in one read transaction (a consistent snapshot even while
    /// other processes append):
    ///
    /// * the `seq` of every row in storage (`id`) order, and every row in
    ///   `seq` order, and compares the two orders ([`ProblemKind::Reordered`]);
    /// * in `seq` order: that sequence numbers run 1, 2, 3, … without gaps
    ///   ([`ProblemKind::Deleted`]), that each recomputed hash equals the
    ///   stored one ([`ProblemKind::Altered`]) and that each `prev_hash`
    ///   equals the previous record's hash ([`ProblemKind::Inserted`]);
    /// * every checkpoint's signature ([`ProblemKind::BadSignature`]), and
    ///   that each validly signed checkpoint names an existing record with
    ///   the same hash ([`ProblemKind::Truncated`], or
    ///   [`ProblemKind::Deleted`] for a missing record inside the log).
    ///
    /// Every hash is recomputed. The report names the problem with the
    /// lowest `seq`; chain checks stop at the first chain problem, since
    /// everything after it is suspect anyway.
    ///
    /// **Limits.** Anyone who can write the database can append a
    /// well-formed record at the tail, or remove records from the tail
    /// together with the checkpoints naming them: a hash chain proves that
    /// history was not rewritten, not who wrote it. Truncation is detected
    /// only back to the newest validly signed checkpoint still present;
    /// keep copies of checkpoints elsewhere for more.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error. Tampering is reported
    /// in the [`VerifyReport`], not as an error.
    pub fn verify(&self, key: &VerifyingKey) -> Result<VerifyReport, StoreError> {
        let tx = Transaction::new_unchecked(self.connection(), TransactionBehavior::Deferred)?;
        let report = verify_in(&tx, key)?;
        tx.commit()?;
        Ok(report)
    }
}

/// The body of [`Store::verify`], inside its read transaction.
fn verify_in(tx: &Transaction<'_>, key: &VerifyingKey) -> Result<VerifyReport, StoreError> {
    let storage_order: Vec<i64> = tx
        .prepare("SELECT seq FROM audit_log ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let checkpoints = read_all(tx)?;

    let mut checkpoint_problem = None;
    let mut trusted: Vec<&Checkpoint> = Vec::new();
    for checkpoint in &checkpoints {
        if checkpoint.verify(key) {
            trusted.push(checkpoint);
        } else {
            keep_first(
                &mut checkpoint_problem,
                Problem::new(
                    checkpoint.seq,
                    ProblemKind::BadSignature,
                    format!(
                        "record {}: the checkpoint naming it has an invalid signature",
                        checkpoint.seq
                    ),
                ),
            );
        }
    }
    let mut pending = trusted.into_iter().peekable();

    let mut chain_problem = None;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut records = 0usize;
    let mut stmt = tx.prepare(&format!(
        "SELECT {RECORD_COLUMNS} FROM audit_log ORDER BY seq"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let stored = StoredRow::from_row(row)?;
        let seq = stored.seq;
        // A signed checkpoint we walked past names a record that is gone.
        while let Some(checkpoint) = pending.next_if(|c| c.seq < seq) {
            keep_first(
                &mut checkpoint_problem,
                Problem::new(
                    checkpoint.seq,
                    ProblemKind::Deleted,
                    format!(
                        "record {}: missing, but a signed checkpoint names it",
                        checkpoint.seq
                    ),
                ),
            );
        }
        if let Some(checkpoint) = pending.next_if(|c| c.seq == seq) {
            if checkpoint.hash != stored.hash {
                keep_first(
                    &mut checkpoint_problem,
                    Problem::new(
                        seq,
                        ProblemKind::Truncated,
                        format!(
                            "record {seq}: hash differs from its signed checkpoint \
                             (the log was rewritten up to this record)"
                        ),
                    ),
                );
            }
        }
        let hash = stored.hash.clone();
        if chain_problem.is_none() {
            chain_problem =
                check_record(stored, records, expected_seq, &prev_hash, &storage_order)?;
        }
        prev_hash = hash;
        expected_seq = seq.saturating_add(1);
        records += 1;
    }
    // Whatever is left names records beyond the end of the log.
    if let Some(newest) = pending.last() {
        let last = expected_seq - 1;
        let first_missing = expected_seq;
        let ends = if last == 0 {
            "the log is empty".to_owned()
        } else {
            format!("the log ends at record {last}")
        };
        keep_first(
            &mut checkpoint_problem,
            Problem::new(
                first_missing,
                ProblemKind::Truncated,
                format!(
                    "record {first_missing}: missing; {ends} but a signed checkpoint names record {}",
                    newest.seq
                ),
            ),
        );
    }

    let mut first_problem = chain_problem;
    if let Some(problem) = checkpoint_problem {
        keep_first(&mut first_problem, problem);
    }
    Ok(VerifyReport {
        records,
        checkpoints: checkpoints.len(),
        first_problem,
    })
}
