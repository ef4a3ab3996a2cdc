//! The tamper-evident audit trail: an append-only SHA-256 hash chain of
//! records in the `audit_log` table.
//!
//! # Schema (migration 2)
//!
//! ```sql
//! CREATE TABLE audit_log (
//!     id               INTEGER PRIMARY KEY,  -- storage order (rowid)
//!     seq              INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
//!     ts               TEXT NOT NULL,
//!     kind             TEXT NOT NULL,
//!     session_id       TEXT, prompt_id TEXT, tool_use_id TEXT,
//!     agent            TEXT, human TEXT, tool TEXT,
//!     summary          TEXT NOT NULL,
//!     decision         TEXT,
//!     policies         TEXT NOT NULL,        -- JSON array of strings
//!     reasons          TEXT NOT NULL,        -- JSON array of strings
//!     secret_in_output INTEGER NOT NULL CHECK (secret_in_output IN (0, 1)),
//!     detail           TEXT NOT NULL,        -- JSON, keys sorted
//!     prev_hash        TEXT NOT NULL UNIQUE CHECK (length(prev_hash) = 64),
//!     hash             TEXT NOT NULL CHECK (length(hash) = 64)
//! ) STRICT;
//! CREATE INDEX audit_log_session ON audit_log (session_id, seq);
//! CREATE INDEX audit_log_ts ON audit_log (ts);
//! CREATE TABLE checkpoints (
//!     seq       INTEGER PRIMARY KEY,
//!     hash      TEXT NOT NULL,
//!     ts        TEXT NOT NULL,
//!     signature TEXT NOT NULL
//! ) STRICT;
//! -- plus BEFORE UPDATE / BEFORE DELETE triggers on both tables that
//! -- abort: the tables are append-only.
//! ```
//!
//! `seq` is deliberately *not* the rowid: the separate `id` records the
//! order in which rows were physically inserted, so [`Store::verify`] can
//! compare it with the `seq` order and notice rows that were deleted and
//! re-inserted or swapped. The `UNIQUE` constraints on `seq` and
//! `prev_hash` make a fork of the chain impossible at the database level,
//! on top of [`Store::append`] serializing writers with `BEGIN IMMEDIATE`.
//!
//! The chain and canonical-bytes format is documented on [`Record`], the
//! checkpoint format on [`crate::Checkpoint`].

use std::fmt;
use std::time::SystemTime;

use ed25519_dalek::SigningKey;
use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::checkpoint::auto_checkpoint;
use crate::time::format_rfc3339_millis;
use crate::{Store, StoreError};

/// The `prev_hash` of the first record: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Migration 2: the `audit_log` and `checkpoints` tables.
pub(crate) fn migrate_2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE audit_log (
             id               INTEGER PRIMARY KEY,
             seq              INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
             ts               TEXT NOT NULL,
             kind             TEXT NOT NULL,
             session_id       TEXT,
             prompt_id        TEXT,
             tool_use_id      TEXT,
             agent            TEXT,
             human            TEXT,
             tool             TEXT,
             summary          TEXT NOT NULL,
             decision         TEXT,
             policies         TEXT NOT NULL,
             reasons          TEXT NOT NULL,
             secret_in_output INTEGER NOT NULL CHECK (secret_in_output IN (0, 1)),
             detail           TEXT NOT NULL,
             prev_hash        TEXT NOT NULL UNIQUE CHECK (length(prev_hash) = 64),
             hash             TEXT NOT NULL CHECK (length(hash) = 64)
         ) STRICT;
         CREATE INDEX audit_log_session ON audit_log (session_id, seq);
         CREATE INDEX audit_log_ts ON audit_log (ts);
         CREATE TABLE checkpoints (
             seq       INTEGER PRIMARY KEY,
             hash      TEXT NOT NULL,
             ts        TEXT NOT NULL,
             signature TEXT NOT NULL
         ) STRICT;
         CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
         CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
         BEGIN SELECT RAISE(ABORT, 'checkpoints is append-only'); END;
         CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
         BEGIN SELECT RAISE(ABORT, 'checkpoints is append-only'); END;",
    )
}

/// What an audit record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An assistant session started.
    SessionStart,
    /// The human submitted a prompt.
    Prompt,
    /// Warden decided on a tool call.
    Decision,
    /// A tool call finished (its output was inspected).
    Result,
    /// A subagent started.
    SubagentStart,
    /// A subagent stopped.
    SubagentStop,
    /// The assistant stopped responding to a prompt.
    Stop,
    /// The session ended.
    SessionEnd,
    /// Any other hook event (its name belongs in `detail`).
    Event,
    /// A change to Warden's registry (policies, configuration, keys,
    /// assistant identities, tool connections).
    Registry,
    /// A step in the life of an approval request: created, approved,
    /// denied, used or expired.
    Approval,
    /// A session credential issued, derived or revoked.
    Credential,
    /// A just-in-time grant issued, closed or revoked.
    Grant,
}

impl RecordKind {
    /// Every kind, in declaration order.
    pub const ALL: [RecordKind; 13] = [
        RecordKind::SessionStart,
        RecordKind::Prompt,
        RecordKind::Decision,
        RecordKind::Result,
        RecordKind::SubagentStart,
        RecordKind::SubagentStop,
        RecordKind::Stop,
        RecordKind::SessionEnd,
        RecordKind::Event,
        RecordKind::Registry,
        RecordKind::Approval,
        RecordKind::Credential,
        RecordKind::Grant,
    ];

    /// The snake_case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::SessionStart => "session_start",
            RecordKind::Prompt => "prompt",
            RecordKind::Decision => "decision",
            RecordKind::Result => "result",
            RecordKind::SubagentStart => "subagent_start",
            RecordKind::SubagentStop => "subagent_stop",
            RecordKind::Stop => "stop",
            RecordKind::SessionEnd => "session_end",
            RecordKind::Event => "event",
            RecordKind::Registry => "registry",
            RecordKind::Approval => "approval",
            RecordKind::Credential => "credential",
            RecordKind::Grant => "grant",
        }
    }

    /// The kind with snake_case name `name`, if any.
    pub fn from_name(name: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit record as written; the store adds `seq`, `ts` and the hash
/// fields (see [`Store::append`]).
///
/// The store does not redact anything: every field must already be safe
/// to keep forever.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// What the record is about.
    pub kind: RecordKind,
    /// The assistant's session identifier.
    pub session_id: Option<String>,
    /// The prompt this record belongs to.
    pub prompt_id: Option<String>,
    /// The assistant's identifier of the tool call.
    pub tool_use_id: Option<String>,
    /// The assistant (or subagent) that acted.
    pub agent: Option<String>,
    /// The human on whose behalf it acted.
    pub human: Option<String>,
    /// The tool involved.
    pub tool: Option<String>,
    /// A one-line description, already redacted by the caller.
    pub summary: String,
    /// The decision: `"allow"`, `"deny"`, `"ask"` or `"approve"`.
    pub decision: Option<String>,
    /// Identifiers of the policies that determined the decision.
    pub policies: Vec<String>,
    /// Human-readable reasons for the decision.
    pub reasons: Vec<String>,
    /// Whether a secret was found in the tool's output.
    pub secret_in_output: bool,
    /// Anything else (e.g. classes, the hook event name), already
    /// redacted; `Value::Null` when there is nothing.
    pub detail: Value,
}

impl NewRecord {
    /// A record of `kind` with `summary` and every other field empty.
    pub fn new(kind: RecordKind, summary: impl Into<String>) -> NewRecord {
        NewRecord {
            kind,
            session_id: None,
            prompt_id: None,
            tool_use_id: None,
            agent: None,
            human: None,
            tool: None,
            summary: summary.into(),
            decision: None,
            policies: Vec::new(),
            reasons: Vec::new(),
            secret_in_output: false,
            detail: Value::Null,
        }
    }
}

/// One audit record as stored.
///
/// Its JSON form has exactly the keys `seq, ts, kind, session_id,
/// prompt_id, tool_use_id, agent, human, tool, summary, decision,
/// policies, reasons, secret_in_output, detail, prev_hash, hash`, in that
/// order, with `detail`'s object keys sorted.
///
/// # The chain
///
/// Every record carries a sequence number (`seq`, 1, 2, 3, … without
/// gaps), the hash of the record before it (`prev_hash`; 64 zeros,
/// [`GENESIS_HASH`], for record 1) and its own `hash`:
///
/// ```text
/// hash = lowercase_hex(SHA-256(prev_hash ++ canonical_bytes))
/// ```
///
/// where `prev_hash` is the 64 ASCII hex digits as stored and
/// `canonical_bytes` is defined below. Changing any field of a record
/// changes its hash; re-computing that hash breaks the next record's
/// `prev_hash`; re-computing every later hash changes the head, which no
/// longer matches the Ed25519-signed [`Checkpoint`](crate::Checkpoint)s
/// (see [`Store::checkpoint`]).
///
/// # Canonical bytes
///
/// The canonical bytes of a record are its compact JSON serialization
/// (no whitespace, UTF-8, `serde_json` string escaping) **without the
/// `hash` key**, i.e. one object with exactly these keys, in this order:
///
/// ```text
/// seq, ts, kind, session_id, prompt_id, tool_use_id, agent, human, tool,
/// summary, decision, policies, reasons, secret_in_output, detail, prev_hash
/// ```
///
/// Absent optional fields are `null` (never omitted), `kind` is its
/// snake_case name, `policies` and `reasons` are arrays of strings, and
/// `detail` is any JSON value whose objects, at every depth, have their
/// keys sorted by byte order. So the canonical bytes are exactly the
/// record's exported JSON (`serde_json::to_vec(&record)`) with the final
/// `,"hash":"…"` removed, and anyone can re-check an exported trail.
/// Sorting `detail` explicitly matters: whether `serde_json` maps keep
/// insertion order depends on features other crates enable, and the hash
/// must not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the chain: 1 for the first record, then consecutive.
    pub seq: i64,
    /// When the record was appended: RFC 3339, UTC, milliseconds
    /// (`2024-03-01T12:34:56.789Z`).
    pub ts: String,
    /// What the record is about.
    pub kind: RecordKind,
    /// See [`NewRecord::session_id`].
    pub session_id: Option<String>,
    /// See [`NewRecord::prompt_id`].
    pub prompt_id: Option<String>,
    /// See [`NewRecord::tool_use_id`].
    pub tool_use_id: Option<String>,
    /// See [`NewRecord::agent`].
    pub agent: Option<String>,
    /// See [`NewRecord::human`].
    pub human: Option<String>,
    /// See [`NewRecord::tool`].
    pub tool: Option<String>,
    /// See [`NewRecord::summary`].
    pub summary: String,
    /// See [`NewRecord::decision`].
    pub decision: Option<String>,
    /// See [`NewRecord::policies`].
    pub policies: Vec<String>,
    /// See [`NewRecord::reasons`].
    pub reasons: Vec<String>,
    /// See [`NewRecord::secret_in_output`].
    pub secret_in_output: bool,
    /// See [`NewRecord::detail`].
    #[serde(serialize_with = "serialize_sorted")]
    pub detail: Value,
    /// The previous record's `hash` ([`GENESIS_HASH`] for record 1).
    pub prev_hash: String,
    /// `hex(SHA-256(prev_hash ++ canonical bytes))`.
    pub hash: String,
}

/// The hashed part of a [`Record`]: every field but `hash`, in the same
/// order and with the same serialization, so the canonical bytes are the
/// exported JSON minus its last key.
#[derive(Serialize)]
struct Unhashed<'a> {
    seq: i64,
    ts: &'a str,
    kind: RecordKind,
    session_id: Option<&'a str>,
    prompt_id: Option<&'a str>,
    tool_use_id: Option<&'a str>,
    agent: Option<&'a str>,
    human: Option<&'a str>,
    tool: Option<&'a str>,
    summary: &'a str,
    decision: Option<&'a str>,
    policies: &'a [String],
    reasons: &'a [String],
    secret_in_output: bool,
    detail: SortedJson<'a>,
    prev_hash: &'a str,
}

impl Record {
    /// The bytes covered by [`Record::hash`] after `prev_hash`: the
    /// compact JSON of every field except `hash` (see [`Record`]).
    ///
    /// # Errors
    ///
    /// [`StoreError::Encode`] if JSON encoding fails (it cannot for these
    /// types; the error exists so that no failure path panics).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, StoreError> {
        let view = Unhashed {
            seq: self.seq,
            ts: &self.ts,
            kind: self.kind,
            session_id: self.session_id.as_deref(),
            prompt_id: self.prompt_id.as_deref(),
            tool_use_id: self.tool_use_id.as_deref(),
            agent: self.agent.as_deref(),
            human: self.human.as_deref(),
            tool: self.tool.as_deref(),
            summary: &self.summary,
            decision: self.decision.as_deref(),
            policies: &self.policies,
            reasons: &self.reasons,
            secret_in_output: self.secret_in_output,
            detail: SortedJson(&self.detail),
            prev_hash: &self.prev_hash,
        };
        serde_json::to_vec(&view).map_err(StoreError::Encode)
    }

    /// Recomputes the hash this record should carry:
    /// `hex(SHA-256(prev_hash ++ canonical_bytes))`.
    ///
    /// # Errors
    ///
    /// As for [`Record::canonical_bytes`].
    pub fn compute_hash(&self) -> Result<String, StoreError> {
        let canonical = self.canonical_bytes()?;
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(&canonical);
        Ok(hex::encode(hasher.finalize()))
    }
}

/// Serializes a JSON value with object keys sorted at every depth,
/// whatever map type `serde_json` was built with.
struct SortedJson<'a>(&'a Value);

impl Serialize for SortedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&SortedJson(item))?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &SortedJson(value))?;
                }
                out.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// `serialize_with` adapter for [`Record::detail`].
fn serialize_sorted<S: Serializer>(value: &Value, serializer: S) -> Result<S::Ok, S::Error> {
    SortedJson(value).serialize(serializer)
}

/// Which records [`Store::records`] returns; the default selects all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Only records of this session.
    pub session_id: Option<String>,
    /// Only records whose timestamp is at or after this UTC RFC 3339
    /// timestamp or prefix of one: `2024-03-01` selects from that day on,
    /// `2024-03-01T12:00:00Z` from that second on.
    pub since: Option<String>,
    /// At most this many records (the oldest matching ones).
    pub limit: Option<usize>,
}

/// The columns of `audit_log` that make up a [`Record`], in [`Record`]
/// field order (the order [`StoredRow::from_row`] reads them in).
pub(crate) const RECORD_COLUMNS: &str = "seq, ts, kind, session_id, prompt_id, tool_use_id, \
     agent, human, tool, summary, decision, policies, reasons, secret_in_output, detail, \
     prev_hash, hash";

/// A row of `audit_log` as stored, before its JSON columns and kind are
/// decoded (decoding can fail on a tampered row, and verification must
/// report that rather than stop).
pub(crate) struct StoredRow {
    pub(crate) seq: i64,
    ts: String,
    kind: String,
    session_id: Option<String>,
    prompt_id: Option<String>,
    tool_use_id: Option<String>,
    agent: Option<String>,
    human: Option<String>,
    tool: Option<String>,
    summary: String,
    decision: Option<String>,
    policies: String,
    reasons: String,
    secret_in_output: bool,
    detail: String,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

impl StoredRow {
    /// Reads a row selected with [`RECORD_COLUMNS`].
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<StoredRow> {
        Ok(StoredRow {
            seq: row.get(0)?,
            ts: row.get(1)?,
            kind: row.get(2)?,
            session_id: row.get(3)?,
            prompt_id: row.get(4)?,
            tool_use_id: row.get(5)?,
            agent: row.get(6)?,
            human: row.get(7)?,
            tool: row.get(8)?,
            summary: row.get(9)?,
            decision: row.get(10)?,
            policies: row.get(11)?,
            reasons: row.get(12)?,
            secret_in_output: row.get(13)?,
            detail: row.get(14)?,
            prev_hash: row.get(15)?,
            hash: row.get(16)?,
        })
    }

    /// Decodes the row into a [`Record`], or says which column is invalid.
    pub(crate) fn decode(self) -> Result<Record, String> {
        let kind = RecordKind::from_name(&self.kind)
            .ok_or_else(|| format!("unknown kind {:?}", self.kind))?;
        let policies = serde_json::from_str(&self.policies)
            .map_err(|e| format!("policies is not a JSON array of strings: {e}"))?;
        let reasons = serde_json::from_str(&self.reasons)
            .map_err(|e| format!("reasons is not a JSON array of strings: {e}"))?;
        let detail =
            serde_json::from_str(&self.detail).map_err(|e| format!("detail is not JSON: {e}"))?;
        Ok(Record {
            seq: self.seq,
            ts: self.ts,
            kind,
            session_id: self.session_id,
            prompt_id: self.prompt_id,
            tool_use_id: self.tool_use_id,
            agent: self.agent,
            human: self.human,
            tool: self.tool,
            summary: self.summary,
            decision: self.decision,
            policies,
            reasons,
            secret_in_output: self.secret_in_output,
            detail,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// The newest record's `(seq, hash)`, if any.
pub(crate) fn head(tx: &Transaction<'_>) -> rusqlite::Result<Option<(i64, String)>> {
    tx.prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
}

/// Compact JSON text, mapping the (impossible) encoding failure.
pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::Encode)
}

/// Appends `record` to the audit chain inside the caller's transaction and
/// returns it as stored; with a `key`, also signs a checkpoint if one is
/// due (see [`Store::append_signed`]).
///
/// `tx` must have been opened with `BEGIN IMMEDIATE` (it must hold the
/// write lock before the head is read), or two writers could read the
/// same head; the `UNIQUE` constraints would then make one of them fail
/// rather than fork the chain. Nothing is committed here: the caller
/// commits the record together with whatever change it describes, so
/// neither can exist without the other.
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    record: &NewRecord,
    key: Option<&SigningKey>,
) -> Result<Record, StoreError> {
    let (seq, prev_hash) = match head(tx)? {
        Some((last, hash)) => (last.saturating_add(1), hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut stored = Record {
        seq,
        ts: format_rfc3339_millis(SystemTime::now()),
        kind: record.kind,
        session_id: record.session_id.clone(),
        prompt_id: record.prompt_id.clone(),
        tool_use_id: record.tool_use_id.clone(),
        agent: record.agent.clone(),
        human: record.human.clone(),
        tool: record.tool.clone(),
        summary: record.summary.clone(),
        decision: record.decision.clone(),
        policies: record.policies.clone(),
        reasons: record.reasons.clone(),
        secret_in_output: record.secret_in_output,
        detail: record.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    stored.hash = stored.compute_hash()?;
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, ts, kind, session_id, prompt_id, tool_use_id, agent,
             human, tool, summary, decision, policies, reasons, secret_in_output, detail,
             prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        stored.seq,
        stored.ts,
        stored.kind.as_str(),
        stored.session_id,
        stored.prompt_id,
        stored.tool_use_id,
        stored.agent,
        stored.human,
        stored.tool,
        stored.summary,
        stored.decision,
        json_text(&stored.policies)?,
        json_text(&stored.reasons)?,
        stored.secret_in_output,
        json_text(&SortedJson(&stored.detail))?,
        stored.prev_hash,
        stored.hash,
    ])?;
    if let Some(key) = key {
        auto_checkpoint(tx, key, stored.seq, &stored.hash)?;
    }
    Ok(stored)
}

impl Store {
    /// Appends `record` to the audit chain and returns it as stored.
    ///
    /// Same as [`Store::append_signed`] with the store's own key (see
    /// [`Store::with_signing_key`]): without one, no automatic checkpoint
    /// is taken.
    ///
    /// # Errors
    ///
    /// As for [`Store::append_signed`].
    pub fn append(&self, record: &NewRecord) -> Result<Record, StoreError> {
        self.append_signed(record, self.signing_key())
    }

    /// Appends `record` to the audit chain and returns it as stored; with a
    /// `key`, also signs a checkpoint of the new head whenever it is at
    /// least [`CHECKPOINT_EVERY`](crate::CHECKPOINT_EVERY) records past the
    /// newest checkpoint.
    ///
    /// In one `BEGIN IMMEDIATE` transaction (which takes the database's
    /// write lock up front, waiting up to the busy timeout for other
    /// writers): reads the head, sets `seq` to its `seq + 1` (1 for the
    /// first record) and `prev_hash` to its hash ([`GENESIS_HASH`] for the
    /// first), stamps `ts` with the current time, computes `hash`, inserts
    /// the row and the checkpoint if due, and commits. Writers in any
    /// number of processes are thereby serialized and can never fork the
    /// chain; the `UNIQUE` constraints on `seq` and `prev_hash` would
    /// refuse a fork even if they were not.
    ///
    /// When this returns `Ok`, the record is committed (see
    /// [`Store::open`] for what that guarantees).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error, including
    /// `SQLITE_BUSY` when another writer holds the lock for longer than
    /// the busy timeout; nothing is written then.
    pub fn append_signed(
        &self,
        record: &NewRecord,
        key: Option<&SigningKey>,
    ) -> Result<Record, StoreError> {
        let tx = Transaction::new_unchecked(self.connection(), TransactionBehavior::Immediate)?;
        let stored = append_in(&tx, record, key)?;
        tx.commit()?;
        Ok(stored)
    }

    /// The records selected by `filter`, in `seq` order.
    ///
    /// This reads; it does not verify (see [`Store::verify`]).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] on a database error;
    /// [`StoreError::CorruptRecord`] when a selected row cannot be decoded.
    pub fn records(&self, filter: &RecordFilter) -> Result<Vec<Record>, StoreError> {
        let mut sql = format!("SELECT {RECORD_COLUMNS} FROM audit_log WHERE 1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(session) = &filter.session_id {
            args.push(Box::new(session.clone()));
            sql.push_str(&format!(" AND session_id = ?{}", args.len()));
        }
        if let Some(since) = &filter.since {
            // Stored timestamps carry milliseconds before their `Z`; without
            // its `Z`, `since` is a prefix that compares correctly with
            // them ("…:00Z" would sort after "…:00.500Z").
            let since = since.strip_suffix('Z').unwrap_or(since);
            args.push(Box::new(since.to_owned()));
            sql.push_str(&format!(" AND ts >= ?{}", args.len()));
        }
        sql.push_str(" ORDER BY seq");
        if let Some(limit) = filter.limit {
            args.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |row| {
            StoredRow::from_row(row)
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            let seq = row.seq;
            out.push(
                row.decode()
                    .map_err(|reason| StoreError::CorruptRecord { seq, reason })?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Record {
        Record {
            seq: 7,
            ts: "2024-03-01T12:34:56.789Z".into(),
            kind: RecordKind::Decision,
            session_id: Some("s1".into()),
            prompt_id: None,
            tool_use_id: Some("t\"1".into()),
            agent: Some("claude".into()),
            human: None,
            tool: Some("Bash".into()),
            summary: "rm -rf ./build — ok".into(),
            decision: Some("deny".into()),
            policies: vec!["p1".into(), "p2".into()],
            reasons: vec!["because".into()],
            secret_in_output: false,
            detail: json!({"z": 1, "a": {"y": [true, null], "b": 0.1}}),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn canonical_bytes_are_the_documented_json() {
        let record = sample();
        let canonical = String::from_utf8(record.canonical_bytes().unwrap()).unwrap();
        assert_eq!(
            canonical,
            r#"{"seq":7,"ts":"2024-03-01T12:34:56.789Z","kind":"decision","session_id":"s1","prompt_id":null,"tool_use_id":"t\"1","agent":"claude","human":null,"tool":"Bash","summary":"rm -rf ./build — ok","decision":"deny","policies":["p1","p2"],"reasons":["because"],"secret_in_output":false,"detail":{"a":{"b":0.1,"y":[true,null]},"z":1},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000"}"#
        );
        // The exported JSON is the canonical bytes plus the hash key.
        let mut record = record;
        record.hash = record.compute_hash().unwrap();
        let exported = serde_json::to_string(&record).unwrap();
        let expected = format!(
            "{},\"hash\":\"{}\"}}",
            &canonical[..canonical.len() - 1],
            record.hash
        );
        assert_eq!(exported, expected);
        // And the hash is SHA-256 over prev_hash ++ canonical bytes.
        let mut hasher = Sha256::new();
        hasher.update(GENESIS_HASH.as_bytes());
        hasher.update(canonical.as_bytes());
        assert_eq!(record.hash, hex::encode(hasher.finalize()));
        let back: Record = serde_json::from_str(&exported).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_name(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                Value::String(kind.as_str().into())
            );
        }
        assert_eq!(RecordKind::from_name("checkpoint"), None);
    }
}
